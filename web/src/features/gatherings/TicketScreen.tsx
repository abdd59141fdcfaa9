// "My ticket": the holder's signed code as a QR, drawn on this device from the synced ticket_passes
// row (works offline), the code as text too, whether the door has checked it in (GW12), what it owes
// at the door or that it was paid (GW16), and that its event was cancelled (GW17).
import { ticketCodeOfPass } from '@hearth/schema/tickets/index';
import { useState } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { clockTime, viewerLocale, viewerZone } from './time';
import { errorText, Loading, Notice, SignInFirst, useMyId } from './parts';
import { ticketPaymentText } from './money';
import { qrPath } from './qr';
import { EVENT_SQL, MY_TICKET_CHECK_IN_SQL, MY_TICKETS_SQL } from './queries';
import type { EventView } from './EventScreen';

export interface MyTicket extends Record<string, unknown> {
  id: string;
  status: 'reserved' | 'paid' | 'cancelled' | 'refunded';
  tier_id: string;
  tier_name: string;
  price_cents: number;
  currency: string;
  signature: string | null;
  signing_key_id: string | null;
  pass_holder_id: string | null;
}

interface MyCheckIn extends Record<string, unknown> {
  ticket_id: string;
  by_name: string;
  checked_in_ms: number;
}

export function TicketQr({ text, label }: { text: string; label: string }) {
  const { size, d } = qrPath(text);
  return (
    <svg
      className="gw-qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="ticket-qr"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** The pass's code, or null while the signed pass has not reached this device. */
function codeOf(ticket: MyTicket, eventId: string): string | null {
  if (ticket.signature === null || ticket.signing_key_id === null || ticket.pass_holder_id === null)
    return null;
  try {
    return ticketCodeOfPass(
      {
        ticket_id: ticket.id,
        holder_id: ticket.pass_holder_id,
        signature: ticket.signature,
        signing_key_id: ticket.signing_key_id,
      },
      eventId,
    );
  } catch {
    return null;
  }
}

export function TicketScreen({ eventId }: { eventId: string }) {
  const me = useMyId();
  if (!me)
    return (
      <section className="gw-screen">
        <h1 tabIndex={-1}>My ticket</h1>
        <SignInFirst to="see your ticket" />
      </section>
    );
  return <Tickets eventId={eventId} me={me} />;
}

function Tickets({ eventId, me }: { eventId: string; me: string }) {
  const events = useView<EventView>(EVENT_SQL, [eventId, me]);
  const tickets = useView<MyTicket>(MY_TICKETS_SQL, [eventId, me]);
  const checkIns = useView<MyCheckIn>(MY_TICKET_CHECK_IN_SQL, [eventId, me]) ?? [];
  const mutate = useMutate();
  const [error, setError] = useState<string | null>(null);
  if (events === undefined || tickets === undefined) return <Loading what="your ticket" />;
  const event = events[0];
  const live = tickets.filter((t) => t.status === 'reserved' || t.status === 'paid');
  const cancelled = event?.status === 'cancelled';
  return (
    <section className="gw-screen" aria-labelledby="ticket-title" data-testid="ticket-screen">
      <p className="gw-crumbs">
        <Link to={`/events/${eventId}`}>{event?.title ?? 'Event'}</Link>
      </p>
      <h1 id="ticket-title" tabIndex={-1}>
        My ticket
      </h1>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {cancelled ? (
        <Notice tone="warn" testId="my-ticket-event-cancelled">
          This event was cancelled: your ticket will not be admitted, and nothing is owed at the door.
        </Notice>
      ) : null}
      {live.length === 0 ? (
        <p className="gw-muted">You have no ticket for this event on this device.</p>
      ) : null}
      {live.map((ticket) => {
        const code = codeOf(ticket, eventId);
        const checkIn = checkIns.find((c) => c.ticket_id === ticket.id);
        return (
          <div key={ticket.id} className="card gw-ticket" data-testid="my-ticket" data-ticket-id={ticket.id}>
            <h2>{ticket.tier_name}</h2>
            <p className="gw-meta" data-testid="my-ticket-payment" data-status={ticket.status}>
              {ticketPaymentText(ticket, cancelled, viewerLocale())}
            </p>
            {checkIn ? (
              <Notice tone="ok" testId="my-ticket-checked-in">
                Checked in at {clockTime(checkIn.checked_in_ms, viewerZone(), viewerLocale())} by{' '}
                {checkIn.by_name}.
              </Notice>
            ) : null}
            {code ? (
              <>
                <TicketQr text={code} label={`QR code of your ${ticket.tier_name} ticket`} />
                <p className="gw-code-label">Code (if the camera cannot read it):</p>
                <code className="gw-code" data-testid="ticket-code">
                  {code}
                </code>
              </>
            ) : (
              <p className="gw-pending" role="status" data-testid="ticket-pass-pending">
                Your ticket is being issued: its signed code arrives with the next sync.
              </p>
            )}
            <button
              className="button button-small button-secondary"
              type="button"
              onClick={() =>
                mutate('cancelTicket', { ticketId: ticket.id }).catch((f: unknown) => setError(errorText(f)))
              }
            >
              Give up this ticket
            </button>
          </div>
        );
      })}
    </section>
  );
}
