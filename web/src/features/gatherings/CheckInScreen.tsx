// The door (GW6–GW8), offline: scan a QR code (camera) or type/paste the code; the signature is checked
// on this device with the server's public keys; the guest's name and tier show; the check-in goes
// through the outbox. Codes that are forged or of another event are refused; a ticket already checked
// in says when and by whom. Counters: checked in / expected, live. A priced ticket that still owes is
// marked paid here (GW16, through the outbox too); a cancelled event admits nobody (GW17).
import { newId } from '@hearth/schema/ids';
import type { PublicKeyRow } from '@hearth/schema/tickets/index';
import { lazy, Suspense, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from '../../app/router';
import { useOnline } from '../../app/useOnline';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import {
  alreadyText,
  counterText,
  doorVerdict,
  normalizeCode,
  owedCents,
  type DoorFacts,
  type DoorTicket,
  type Verdict,
} from './checkin';
import { rolesOf, type EventView } from './EventScreen';
import { errorText, Loading, Notice, SignInFirst, useMyId } from './parts';
import { DOOR_SQL, EVENT_SQL, NOBODY, PUBLIC_KEYS_SQL } from './queries';
import { search } from './door-list';
import { money } from './money';
import { clockTime, viewerLocale, viewerZone } from './time';

const Scanner = lazy(() => import('./Scanner'));

export interface DoorRow extends DoorTicket, Record<string, unknown> {
  price_cents: number;
  currency: string;
  holder_name: string;
  tier_name: string;
  checked_in_by: string | null;
  checked_in_by_name: string | null;
  checked_in_ms: number | null;
}

interface KeyRow extends Record<string, unknown> {
  id: string;
  public_key: Uint8Array;
}

export function CheckInScreen({ eventId }: { eventId: string }) {
  const me = useMyId();
  const events = useView<EventView>(EVENT_SQL, [eventId, me ?? NOBODY]);
  if (!me)
    return (
      <section className="gw-screen">
        <h1 tabIndex={-1}>Check-in</h1>
        <SignInFirst to="check guests in" />
      </section>
    );
  if (events === undefined) return <Loading what="the guest list" />;
  const event = events[0];
  if (!event || !rolesOf(event).staff)
    return (
      <section className="gw-screen">
        <h1 tabIndex={-1}>Check-in</h1>
        <Notice tone="error">Only the hosts of this event can check guests in.</Notice>
      </section>
    );
  return <Door event={event} me={me} />;
}

function Door({ event, me }: { event: EventView; me: string }) {
  const rows = useView<DoorRow>(DOOR_SQL, [event.id]) ?? [];
  const keys = useView<KeyRow>(PUBLIC_KEYS_SQL) ?? [];
  const mutate = useMutate();
  const online = useOnline();
  const [input, setInput] = useState('');
  const [scanned, setScanned] = useState<{ text: string; method: 'qr' | 'manual'; at: Date } | null>(null);
  const [camera, setCamera] = useState(false);
  const [mine, setMine] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const zone = viewerZone();
  const locale = viewerLocale();

  const door = useMemo<DoorFacts>(() => {
    const byTicket = new Map(rows.map((row) => [row.id, row]));
    const publicKeys: PublicKeyRow[] = keys.map((k) => ({
      id: k.id,
      public_key: new Uint8Array(k.public_key),
    }));
    return {
      eventId: event.id,
      eventCancelled: event.status === 'cancelled',
      keys: publicKeys,
      ticket: (id) => byTicket.get(id),
      checkIn: (id) => {
        const row = byTicket.get(id);
        return row?.checked_in_by && row.checked_in_ms !== null
          ? { ticket_id: id, checked_in_by: row.checked_in_by, checked_in_at_ms: row.checked_in_ms }
          : undefined;
      },
    };
  }, [rows, keys, event.id, event.status]);

  const verdict: Verdict | null = scanned ? doorVerdict(scanned.text, door) : null;
  const live = rows.filter((r) => r.status === 'reserved' || r.status === 'paid');
  const checkedIn = live.filter((r) => r.checked_in_ms !== null).length;

  function check(text: string, method: 'qr' | 'manual') {
    setError(null);
    setScanned({ text: normalizeCode(text), method, at: new Date() });
  }

  async function admit(ticketId: string, method: 'qr' | 'manual', code: string | undefined, scannedAt: Date) {
    setError(null);
    try {
      await mutate('checkIn', {
        checkInId: newId(),
        eventId: event.id,
        ticketId,
        method,
        ...(code === undefined ? {} : { code }),
        deviceScannedAt: scannedAt.toISOString(),
      });
      setMine((current) => new Set([...current, ticketId]));
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  async function pay(row: DoorRow, method: PayMethod) {
    setError(null);
    try {
      await mutate('recordDoorPayment', { ticketId: row.id, method, amountCents: row.price_cents });
    } catch (failure) {
      setError(errorText(failure));
    }
  }
  const cancelled = event.status === 'cancelled';
  const owes = (row: DoorRow | undefined) =>
    row && !cancelled && owedCents(row) !== null ? (
      <OwesAtDoor row={row} locale={locale} onPay={(method) => void pay(row, method)} />
    ) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (input.trim()) check(input, 'qr');
  };

  const nameOf = (ticketId: string) => rows.find((r) => r.id === ticketId);
  return (
    <section className="gw-screen gw-door" aria-labelledby="door-title" data-testid="door">
      <p className="gw-crumbs">
        <Link to={`/events/${event.id}`}>{event.title}</Link>
      </p>
      <h1 id="door-title" tabIndex={-1}>
        Check-in
      </h1>
      <p
        className="gw-counter"
        data-testid="door-counter"
        data-checked-in={checkedIn}
        data-expected={live.length}
        aria-live="polite"
      >
        {counterText(checkedIn, live.length)}
      </p>
      {cancelled ? (
        <Notice tone="warn" testId="door-event-cancelled">
          This event was cancelled: its tickets are not admitted, and nothing is owed at the door.
        </Notice>
      ) : null}
      {!online ? (
        <p className="gw-meta" role="status">
          Offline: codes are checked on this device; check-ins are sent when the network is back.
        </p>
      ) : null}

      <form className="card gw-form" onSubmit={submit} aria-label="Check a ticket code">
        <div className="field">
          <label htmlFor="door-code">Ticket code</label>
          <textarea
            id="door-code"
            className="gw-textarea gw-code-input"
            rows={3}
            value={input}
            spellCheck={false}
            autoCapitalize="none"
            autoComplete="off"
            onChange={(e) => setInput(e.target.value)}
            placeholder="HT1.…"
          />
        </div>
        <div className="gw-actions">
          <button className="button button-primary" type="submit">
            Check code
          </button>
          <button
            className="button button-secondary"
            type="button"
            onClick={() => setCamera(!camera)}
            aria-expanded={camera}
          >
            {camera ? 'Hide camera' : 'Scan with camera'}
          </button>
        </div>
      </form>
      {camera ? (
        <Suspense fallback={<Loading what="the camera" />}>
          <Scanner
            onCode={(text) => {
              setInput(text);
              check(text, 'qr');
            }}
            onClose={() => setCamera(false)}
          />
        </Suspense>
      ) : null}

      {error ? <Notice tone="error">{error}</Notice> : null}
      {verdict && scanned ? (
        <VerdictCard
          verdict={verdict}
          guest={verdict.kind === 'refuse' ? undefined : nameOf(verdict.code.ticketId)}
          mine={
            verdict.kind === 'already' &&
            mine.has(verdict.code.ticketId) &&
            verdict.checkIn.checked_in_by === me
          }
          me={me}
          time={(ms) => clockTime(ms, zone, locale)}
          onAdmit={(ticketId) => void admit(ticketId, scanned.method, scanned.text, scanned.at)}
          owes={owes}
        />
      ) : null}

      <section className="gw-section" aria-labelledby="door-list-title">
        <h2 id="door-list-title">Guest list</h2>
        <div className="field">
          <label htmlFor="door-filter">Find a guest by name</label>
          <input id="door-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <ul className="gw-rows" data-testid="door-list">
          {search(live, filter).map((row) => (
            <li
              key={row.id}
              className="gw-row"
              data-ticket-id={row.id}
              data-checked-in={row.checked_in_ms !== null}
            >
              <span>
                {row.holder_name} <span className="gw-meta">· {row.tier_name}</span>
              </span>
              {owes(row)}
              {cancelled ? null : row.checked_in_ms !== null ? (
                <span className="gw-meta">
                  ✓ {clockTime(row.checked_in_ms, zone, locale)} ·{' '}
                  {row.checked_in_by === me ? 'you' : row.checked_in_by_name}
                </span>
              ) : (
                <button
                  className="button button-small button-secondary"
                  type="button"
                  onClick={() => void admit(row.id, 'manual', undefined, new Date())}
                >
                  Check in by name
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}

function VerdictCard({
  verdict,
  guest,
  mine,
  me,
  time,
  onAdmit,
  owes,
}: {
  verdict: Verdict;
  guest: DoorRow | undefined;
  mine: boolean;
  me: string;
  time: (ms: number) => string;
  onAdmit: (ticketId: string) => void;
  owes: (row: DoorRow | undefined) => ReactNode;
}) {
  switch (verdict.kind) {
    case 'refuse':
      return (
        <Notice tone="error" testId="door-verdict">
          <strong data-verdict="refuse" data-reason={verdict.reason}>
            Not admitted.
          </strong>{' '}
          {verdict.message}
        </Notice>
      );
    case 'already': {
      const by = verdict.checkIn.checked_in_by === me ? 'you' : (guest?.checked_in_by_name ?? 'another host');
      return mine ? (
        <Notice tone="ok" testId="door-verdict">
          <strong data-verdict="checked-in">Checked in: {guest?.holder_name ?? 'guest'}</strong>
          {guest ? <> · {guest.tier_name}</> : null}
          {owes(guest)}
        </Notice>
      ) : (
        <Notice tone="warn" testId="door-verdict">
          <strong data-verdict="already">{guest?.holder_name ?? 'This guest'}</strong>{' '}
          {alreadyText(time(verdict.checkIn.checked_in_at_ms), by)}
          {owes(guest)}
        </Notice>
      );
    }
    case 'admit':
      return (
        <Notice tone="info" testId="door-verdict">
          <p>
            <strong data-verdict="valid">{guest?.holder_name ?? 'Valid ticket'}</strong>
            {guest ? (
              <> · {guest.tier_name}</>
            ) : (
              <> · not yet on this device’s guest list (the signature is valid)</>
            )}
          </p>
          <div className="gw-actions">
            <button
              className="button button-primary"
              type="button"
              onClick={() => onAdmit(verdict.code.ticketId)}
            >
              Check in
            </button>
            {owes(guest)}
          </div>
        </Notice>
      );
  }
}

type PayMethod = 'cash' | 'card' | 'transfer' | 'other';

/** [GW16] "Owes €12.00 — mark paid", with how it was paid; the server settles it (GA34). */
function OwesAtDoor({
  row,
  locale,
  onPay,
}: {
  row: DoorRow;
  locale: string;
  onPay: (method: PayMethod) => void;
}) {
  const [method, setMethod] = useState<PayMethod>('cash');
  const owed = money(row.price_cents, row.currency, locale);
  return (
    <span className="gw-owes" data-testid="door-owes" data-ticket-id={row.id}>
      <select
        aria-label={`How ${row.holder_name} paid`}
        value={method}
        onChange={(e) => setMethod(e.target.value as PayMethod)}
      >
        <option value="cash">Cash</option>
        <option value="card">Card</option>
        <option value="transfer">Transfer</option>
        <option value="other">Other</option>
      </select>{' '}
      <button className="button button-small button-secondary" type="button" onClick={() => onPay(method)}>
        Owes {owed} — mark paid
      </button>
    </span>
  );
}
