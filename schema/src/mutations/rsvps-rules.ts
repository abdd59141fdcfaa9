// RSVP decisions as pure seat arithmetic: the server runs them on the rows it read with the event
// row locked, so concurrent RSVPs are decided one after another (GA10–GA14 in
// sync-server/src/gatherings/SPEC.md). An RSVP takes 1 + guests seats; only `going` holds seats.
import { ErrorCode } from '../errors';
import type { RsvpRow } from '../tables/gatherings';
import { reject } from './define';

export type RsvpStatus = RsvpRow['status'];
export type RsvpAnswer = 'going' | 'maybe' | 'not_going';

export const seatsOf = (guests: number): number => 1 + guests;

/** Whether `seats` more fit; `capacity` null means no limit. */
export function fits(capacity: number | null, seatsTaken: number, seats: number): boolean {
  return capacity === null || seatsTaken + seats <= capacity;
}

/** [GA11] +1 guests up to the event's limit. */
export function requireGuestLimit(guests: number, guestLimit: number): void {
  if (guests > guestLimit)
    reject(
      ErrorCode.guestLimitExceeded,
      guestLimit === 0
        ? 'guests: this event does not take +1 guests.'
        : `guests: this event allows at most ${guestLimit} guest${guestLimit === 1 ? '' : 's'} per person.`,
    );
}

export interface RsvpSituation {
  readonly capacity: number | null;
  readonly requiresApproval: boolean;
  /** Seats held by other people's going RSVPs. */
  readonly othersSeats: number;
  /** Other people on the waitlist. */
  readonly othersWaiting: number;
  /** The caller's RSVP as it stands, if any. */
  readonly own: Pick<RsvpRow, 'status' | 'guests'> | null;
}

/** What the RSVP becomes; `position`: keep the current waitlist position, take the next, or none. */
export interface RsvpDecision {
  readonly status: RsvpStatus;
  readonly position: 'keep' | 'next' | null;
}

/**
 * [GA10] Answering `going`: approval-required events put new answers in `pending`; otherwise the
 * RSVP is `going` when its seats fit and nobody waits (no jumping the queue), else `waitlisted`
 * at the end of the line. An RSVP already going, pending or waitlisted keeps its place; a going
 * one that asks for more guests than there are seats left is refused (`event_full`).
 * `maybe` and `not_going` hold no seat and leave the waitlist.
 */
export function decideAnswer(answer: RsvpAnswer, guests: number, s: RsvpSituation): RsvpDecision {
  if (answer !== 'going') return { status: answer, position: null };
  const seats = seatsOf(guests);
  switch (s.own?.status) {
    case 'going':
      if (!fits(s.capacity, s.othersSeats, seats)) {
        const left = Math.max(0, (s.capacity ?? 0) - s.othersSeats - 1);
        reject(
          ErrorCode.eventFull,
          `guests: only ${left} more seat${left === 1 ? ' is' : 's are'} left; you can bring at most ${left}.`,
        );
      }
      return { status: 'going', position: null };
    case 'pending':
      return { status: 'pending', position: null };
    case 'waitlisted':
      return { status: 'waitlisted', position: 'keep' };
    default:
      if (s.requiresApproval) return { status: 'pending', position: null };
      if (s.othersWaiting === 0 && fits(s.capacity, s.othersSeats, seats))
        return { status: 'going', position: null };
      return { status: 'waitlisted', position: 'next' };
  }
}

/** [GA12] A host approving a pending RSVP: going when it fits and nobody waits, else waitlisted. */
export function decideApproval(
  capacity: number | null,
  seatsTaken: number,
  waiting: number,
  guests: number,
): RsvpDecision {
  return waiting === 0 && fits(capacity, seatsTaken, seatsOf(guests))
    ? { status: 'going', position: null }
    : { status: 'waitlisted', position: 'next' };
}

/** Positions are monotonic per event: the next one is past the largest ever handed out still held. */
export const nextPosition = (largest: number | null): number => (largest ?? 0) + 1;

export interface Waiting {
  readonly id: string;
  readonly guests: number;
  readonly waitlist_position: number | null;
}

/**
 * [GA13] Who moves up when seats free: the waitlist in position order, while the head fits. The
 * line is strict: a large party at the head is not skipped by a smaller one behind it.
 */
export function promotions(
  capacity: number | null,
  seatsTaken: number,
  waitlist: readonly Waiting[],
): string[] {
  const ordered = [...waitlist].sort((a, b) => (a.waitlist_position ?? 0) - (b.waitlist_position ?? 0));
  const promoted: string[] = [];
  let taken = seatsTaken;
  for (const rsvp of ordered) {
    const seats = seatsOf(rsvp.guests);
    if (!fits(capacity, taken, seats)) break;
    taken += seats;
    promoted.push(rsvp.id);
  }
  return promoted;
}

/**
 * [GA14] The client's guess before the server decides: exact for `maybe`/`not_going` and for events
 * with no capacity and no approval; otherwise the RSVP keeps the status it has, or shows `pending`.
 */
export function guessRsvpStatus(
  answer: RsvpAnswer,
  event: { readonly capacity: number | null; readonly requires_approval: boolean } | undefined,
  own: Pick<RsvpRow, 'status'> | undefined,
): RsvpStatus {
  if (answer !== 'going') return answer;
  if (event && event.capacity === null && !event.requires_approval) return 'going';
  if (own?.status === 'going' || own?.status === 'waitlisted' || own?.status === 'pending') return own.status;
  return 'pending';
}
