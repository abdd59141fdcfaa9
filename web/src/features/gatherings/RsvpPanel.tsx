// The viewer's RSVP (GW3, GW4): going / maybe / not going with +1 guests up to the limit; the state
// the replica holds (pending, waitlisted #n, going); an unsent answer shows as pending until we are
// back online; and once the server has decided, a notice when it decided other than asked.
import { newId } from '@hearth/schema/ids';
import { OUTBOX_TABLE } from '../../db/local-schema';
import { useEffect, useState } from 'react';
import { useOnline } from '../../app/useOnline';
import { useView } from '../../db/views';
import { useMutate, useRejected } from '../../outbox/react';
import { useAsked } from './asked';
import type { EventItem } from './EventsScreen';
import { errorText, Notice } from './parts';
import { MY_RSVP_SQL } from './queries';
import {
  choiceLabel,
  guestOptions,
  outcomeNotice,
  replyLine,
  sendingText,
  type RsvpChoice,
  type RsvpStatus,
  type SendState,
} from './rsvp';

interface RsvpRowItem extends Record<string, unknown> {
  id: string;
  status: RsvpStatus;
  guests: number;
  waitlist_position: number | null;
}

const ENTRY_SQL = `select status from ${OUTBOX_TABLE} where id = $1::uuid`;
const NO_ENTRY = '00000000-0000-0000-0000-000000000000';
const CHOICES: readonly RsvpChoice[] = ['going', 'maybe', 'not_going'];

/** Where the mutation stands in this device's outbox; `settled` once it has left (decided). */
function useSendState(mutationId: string | null): SendState | undefined {
  const rows = useView<{ status: Exclude<SendState, 'settled'> }>(ENTRY_SQL, [mutationId ?? NO_ENTRY]);
  if (rows === undefined) return undefined;
  return rows[0]?.status ?? 'settled';
}

export function RsvpPanel({ event, me }: { event: EventItem; me: string }) {
  const mutate = useMutate();
  const online = useOnline();
  const rows = useView<RsvpRowItem>(MY_RSVP_SQL, [event.id, me]);
  const rsvp = rows?.[0];
  const [asked, setAsked] = useAsked(me, event.id);
  const sendState = useSendState(asked?.mutationId ?? null);
  const rejected = useRejected().find((entry) => entry.id === asked?.mutationId);
  const [guests, setGuests] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const open = event.status === 'scheduled' && event.ends_ms > Date.now();

  useEffect(() => {
    if (rsvp) setGuests(rsvp.guests);
  }, [rsvp]);

  const decided = sendState === 'settled' && rsvp !== undefined;
  const outcome =
    decided && asked
      ? outcomeNotice(asked.asked, {
          status: rsvp.status,
          guests: rsvp.guests,
          waitlistPosition: rsvp.waitlist_position,
        })
      : null;

  // A decision that matches what was asked needs no notice: forget the question.
  useEffect(() => {
    if (decided && asked && outcome === null) setAsked(null);
  }, [decided, asked, outcome, setAsked]);

  async function answer(status: RsvpChoice) {
    setError(null);
    try {
      const { id } = await mutate('setRsvp', {
        eventId: event.id,
        rsvpId: newId(),
        status,
        guests: status === 'not_going' ? 0 : guests,
      });
      setAsked({ mutationId: id, asked: status });
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  const current = rsvp?.status;
  const waiting = sendState !== undefined ? sendingText(sendState, online) : null;
  return (
    <section className="gw-section card" aria-labelledby="rsvp-title" data-testid="rsvp">
      <h2 id="rsvp-title">Your reply</h2>
      <p
        className="gw-rsvp-state"
        data-testid="rsvp-state"
        data-status={current ?? 'none'}
        data-send={sendState ?? 'unknown'}
        aria-live="polite"
      >
        {replyLine(
          rsvp && { status: rsvp.status, guests: rsvp.guests, waitlistPosition: rsvp.waitlist_position },
          asked?.asked ?? null,
          sendState,
        )}
      </p>
      {waiting ? (
        <p className="gw-pending" data-testid="rsvp-sending" role="status">
          {waiting}
        </p>
      ) : null}
      {outcome ? (
        <Notice tone={outcome.tone} testId="rsvp-outcome">
          <p>{outcome.text}</p>
          <button
            className="button button-small button-secondary"
            type="button"
            onClick={() => setAsked(null)}
          >
            OK
          </button>
        </Notice>
      ) : null}
      {rejected ? (
        <Notice tone="error" testId="rsvp-rejected">
          Your reply was refused: {rejected.message}
        </Notice>
      ) : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {open ? (
        <>
          {event.guest_limit > 0 ? (
            <div className="field gw-guests">
              <label htmlFor="rsvp-guests">+1 guests (up to {event.guest_limit})</label>
              <select
                id="rsvp-guests"
                className="gw-select gw-select-small"
                value={guests}
                onChange={(e) => setGuests(Number(e.target.value))}
              >
                {guestOptions(event.guest_limit).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="gw-choices" role="group" aria-label="Reply">
            {CHOICES.map((choice) => (
              <button
                key={choice}
                type="button"
                className={`button ${choice === 'going' ? 'button-primary' : 'button-secondary'}`}
                aria-pressed={asked?.asked === choice || (!asked && current === choice)}
                onClick={() => void answer(choice)}
              >
                {choiceLabel(choice)}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p className="gw-muted">
          {event.status === 'cancelled' ? 'This event was cancelled.' : 'This event is over.'}
        </p>
      )}
    </section>
  );
}
