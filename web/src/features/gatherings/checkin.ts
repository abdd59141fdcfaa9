// The door's decision for one scanned or typed code (GW6, GW7 in ./SPEC.md), offline: the signature
// is checked with the server's public keys the replica holds (schema/src/tickets), then the code is
// compared with this door's event, the ticket's status and the check-ins the replica knows. Pure.
import { verifyTicketCode, type PublicKeyRow, type TicketCode } from '@hearth/schema/tickets/index';

export interface DoorTicket {
  readonly id: string;
  readonly event_id: string;
  readonly holder_id: string;
  readonly status: 'reserved' | 'paid' | 'cancelled' | 'refunded';
}

export interface DoorCheckIn {
  readonly ticket_id: string;
  readonly checked_in_by: string;
  readonly checked_in_at_ms: number;
}

export type Verdict =
  | { readonly kind: 'admit'; readonly code: TicketCode; readonly onGuestList: boolean }
  | {
      readonly kind: 'already';
      readonly code: TicketCode;
      readonly checkIn: DoorCheckIn;
    }
  | {
      readonly kind: 'refuse';
      readonly reason:
        'forged' | 'unreadable' | 'unknown_key' | 'other_event' | 'cancelled' | 'event_cancelled';
      readonly message: string;
    };

/**
 * [GW6] A typed or pasted code: whitespace anywhere (line breaks from a copy, spaces a person typed)
 * is dropped — the code's alphabet has none — so the rest is the QR text exactly.
 */
export function normalizeCode(input: string): string {
  return input.replace(/\s+/g, '');
}

export interface DoorFacts {
  readonly eventId: string;
  /** [GW17] The event row the replica holds says cancelled: no ticket of it is admitted (GA35). */
  readonly eventCancelled: boolean;
  readonly keys: readonly PublicKeyRow[];
  readonly ticket: (ticketId: string) => DoorTicket | undefined;
  readonly checkIn: (ticketId: string) => DoorCheckIn | undefined;
}

/**
 * [GW6] Forged, altered or unreadable codes and codes of another event are refused; a cancelled
 * ticket too, and every ticket of a cancelled event (GW17). [GW7] A ticket the replica already has a check-in for says when and by whom.
 * A valid code the guest list has not synced yet is admitted (the signature is the server's word).
 */
export function doorVerdict(input: string, door: DoorFacts): Verdict {
  const verified = verifyTicketCode(normalizeCode(input), door.keys);
  if (!verified.ok) {
    const reason =
      verified.reason === 'bad_signature'
        ? 'forged'
        : verified.reason === 'unknown_key'
          ? 'unknown_key'
          : 'unreadable';
    return { kind: 'refuse', reason, message: verified.message };
  }
  const { code } = verified;
  if (code.eventId !== door.eventId)
    return { kind: 'refuse', reason: 'other_event', message: 'This ticket is for another event.' };
  if (door.eventCancelled)
    return {
      kind: 'refuse',
      reason: 'event_cancelled',
      message: 'This event was cancelled: its tickets are not admitted.',
    };
  const ticket = door.ticket(code.ticketId);
  if (ticket && (ticket.status === 'cancelled' || ticket.status === 'refunded'))
    return { kind: 'refuse', reason: 'cancelled', message: `This ticket was ${ticket.status}.` };
  const checkIn = door.checkIn(code.ticketId);
  if (checkIn) return { kind: 'already', code, checkIn };
  return { kind: 'admit', code, onGuestList: ticket !== undefined };
}

/** [GW7] "already checked in at 19:02 by Ada" (or "by you"). */
export function alreadyText(time: string, by: string): string {
  return `Already checked in at ${time} by ${by}.`;
}

/** [GW8] The live counter: "3 / 40 checked in". */
export function counterText(checkedIn: number, expected: number): string {
  return `${checkedIn} / ${expected} checked in`;
}

/** [GW16] What a ticket still owes at the door, in cents: reserved and priced; null when nothing. */
export function owedCents(ticket: {
  readonly status: DoorTicket['status'];
  readonly price_cents: number;
}): number | null {
  return ticket.status === 'reserved' && ticket.price_cents > 0 ? ticket.price_cents : null;
}
