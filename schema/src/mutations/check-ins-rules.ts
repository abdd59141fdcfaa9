// Check-in at the door as pure decisions: which scan wins when two devices checked the same ticket in
// offline, how far a device's clock is believed, and what the losing device is told. Rules
// GA24–GA27 in sync-server/src/gatherings/SPEC.md.
import { ErrorCode } from '../errors';
import type { TicketRow } from '../tables/gatherings';
import { reject } from './define';
import { ms, type Instant } from './events-rules';

/** How long before its start a door may open, and how long after its end scans still arrive. */
export const DOOR_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * [GA26] The device's scan time, believed within reason: never after the server's now (a clock
 * running ahead cannot win), never before the door opens (a day before the start); the scan decides
 * only between scans of one ticket.
 */
export function clampScanTime(
  deviceScannedAt: Instant,
  now: Date,
  event: { readonly starts_at: Instant },
): Date {
  const upper = now.getTime();
  const lower = Math.min(ms(event.starts_at) - DOOR_SLACK_MS, upper);
  return new Date(Math.min(Math.max(ms(deviceScannedAt), lower), upper));
}

/** [GA25] The earliest scan wins; a tie keeps the check-in applied first. */
export function scanWins(candidate: Instant, existing: Instant): boolean {
  return ms(candidate) < ms(existing);
}

/** [GA24] The ticket is for this door and still live. */
export function requireAdmissible(ticket: Pick<TicketRow, 'event_id' | 'status'>, eventId: string): void {
  if (ticket.event_id !== eventId) reject(ErrorCode.ticketWrongEvent, 'This ticket is for another event.');
  if (ticket.status === 'cancelled' || ticket.status === 'refunded')
    reject(ErrorCode.ticketCancelled, 'This ticket was cancelled.');
}

/** "19:02" in the event's own zone: what the door staff's clocks showed. */
export function doorTime(at: Instant, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(ms(at)));
}

/** [GA27] What the later scan is told. */
export function alreadyCheckedInMessage(at: Instant, byName: string, timeZone: string): string {
  return `Already checked in at ${doorTime(at, timeZone)} by ${byName}.`;
}
