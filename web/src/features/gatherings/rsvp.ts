// What the RSVP controls say: seats left, the viewer's reply as the replica holds it (with this
// device's unsent reply over it), and — once the server has decided — whether it decided something
// other than what the viewer asked (GW3, GW4 in ./SPEC.md). Pure: rows and outbox state are inputs.

export type RsvpStatus = 'going' | 'maybe' | 'not_going' | 'waitlisted' | 'pending';
export type RsvpChoice = 'going' | 'maybe' | 'not_going';

/** Where this device's latest reply is: unsent / sent and unconfirmed / refused / decided (no entry). */
export type SendState = 'pending' | 'sending' | 'accepted' | 'rejected' | 'settled';

export interface RsvpFacts {
  readonly status: RsvpStatus;
  readonly guests: number;
  readonly waitlistPosition: number | null;
}

const guestsText = (n: number) => (n === 0 ? '' : n === 1 ? ' (+1 guest)' : ` (+${n} guests)`);

/**
 * [GW3][GW18] Seats, from the event row's server-kept counts (GA36), the same for every viewer:
 * "12 of 40 seats left", "Full — you'd be waitlisted", or no limit. People already waiting go first
 * (GA10), so a line means a new reply is waitlisted even with seats left ("2 of 40 seats left · 3
 * waiting: you'd be waitlisted").
 */
export function seatsText(capacity: number | null, taken: number | null, waiting = 0): string {
  if (capacity === null) return 'No seat limit';
  if (taken === null) return capacity === 1 ? '1 seat' : `${capacity} seats`;
  const left = Math.max(capacity - taken, 0);
  if (left === 0) return "Full — you'd be waitlisted";
  const seats = `${left} of ${capacity} ${capacity === 1 ? 'seat' : 'seats'} left`;
  return waiting > 0 ? `${seats} · ${waiting} waiting: you'd be waitlisted` : seats;
}

/** [GW3] The viewer's reply as words: going, the waitlist with its position, waiting for a host. */
export function rsvpText(rsvp: RsvpFacts): string {
  switch (rsvp.status) {
    case 'going':
      return `You're going${guestsText(rsvp.guests)}`;
    case 'maybe':
      return `You might go${guestsText(rsvp.guests)}`;
    case 'not_going':
      return "You're not going";
    case 'waitlisted':
      return rsvp.waitlistPosition === null
        ? 'You are on the waitlist'
        : `You are on the waitlist (#${rsvp.waitlistPosition})`;
    case 'pending':
      return 'Waiting for a host to approve your reply';
  }
}

/**
 * [GW3] The reply line: while this device's answer is unsent or unconfirmed, what was asked (the
 * replica's guess may read "pending"); once decided, the replica's row; nothing yet, an invitation.
 */
export function replyLine(
  rsvp: RsvpFacts | undefined,
  asked: RsvpChoice | null,
  state: SendState | undefined,
): string {
  const unsettled = state === 'pending' || state === 'sending' || state === 'accepted';
  if (asked !== null && unsettled) return `You answered "${choiceLabel(asked)}": not confirmed yet`;
  return rsvp ? rsvpText(rsvp) : 'You have not replied yet.';
}

const CHOICE_WORDS: Record<RsvpChoice, string> = {
  going: 'to go',
  maybe: 'maybe',
  not_going: 'not to go',
};

export function choiceLabel(choice: RsvpChoice): string {
  return { going: 'Going', maybe: 'Maybe', not_going: 'Not going' }[choice];
}

/**
 * [GW3] The line under the controls while this device's reply has not been decided: offline it waits
 * ("pending until we're back online"), online it is on its way. Null once decided.
 */
export function sendingText(state: SendState, online: boolean): string | null {
  switch (state) {
    case 'pending':
    case 'sending':
      return online
        ? 'Sending your reply… the server decides seats and the waitlist.'
        : "Pending until we're back online: the server decides seats and the waitlist then.";
    case 'accepted':
      return 'Sent: waiting for the server’s answer to reach this device.';
    case 'rejected':
    case 'settled':
      return null;
  }
}

export interface Outcome {
  readonly tone: 'info' | 'warn';
  readonly text: string;
}

/**
 * [GW4] What the server decided, compared with what the viewer asked, when they differ: a going
 * reply made offline can come back waitlisted (with its place) or waiting for a host.
 */
export function outcomeNotice(asked: RsvpChoice, decided: RsvpFacts): Outcome | null {
  if (decided.status === asked) return null;
  const you = `You asked ${CHOICE_WORDS[asked]}`;
  switch (decided.status) {
    case 'waitlisted': {
      const place = decided.waitlistPosition === null ? '' : ` at #${decided.waitlistPosition}`;
      return {
        tone: 'warn',
        text: `${you}, but the event was full when your reply reached the server: you are on the waitlist${place}. You move up automatically when a spot frees.`,
      };
    }
    case 'pending':
      return {
        tone: 'info',
        text: `${you}; this event needs a host's approval, so your reply is waiting for a host.`,
      };
    default:
      return {
        tone: 'info',
        text: `${you}; the server has you as "${choiceLabel(decided.status)}".`,
      };
  }
}

/** [GW3] The +1 choices an event allows: 0..limit. */
export function guestOptions(limit: number): number[] {
  return Array.from({ length: Math.max(0, Math.floor(limit)) + 1 }, (_, n) => n);
}
