// Check-in at the door: staff record that a ticket holder came in, by scanning the signed code (the
// server verifies it again) or by hand. Devices check in offline; when two did the same ticket, the
// earliest scan wins after sync (GA25) and the later one is told who was first (GA27). Rules
// GA24–GA28 in sync-server/src/gatherings/SPEC.md; decisions in ./check-ins-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import type { CheckInRow, TicketRow } from '../tables/gatherings';
import { decodeTicketCode, verifyTicketCode, type PublicKeyRow, type TicketCode } from '../tickets/code';
import { defineMutation, guess, reject } from './define';
import { requireEventVisible, requireNotCancelled, requireStaff } from './events-rules';
import { localEventContext, readEventContext, type EventContext } from './events-sql';
import { alreadyCheckedInMessage, clampScanTime, requireAdmissible, scanWins } from './check-ins-rules';
import { existingId, newId } from './fields';

const args = z
  .strictObject({
    checkInId: newId,
    /** The event whose door this is. */
    eventId: existingId,
    ticketId: existingId,
    method: z.enum(['qr', 'manual']),
    /** The scanned text (`HT1.…`), for method qr. */
    code: z
      .string()
      .trim()
      .max(512)
      .regex(/^[A-Za-z0-9]+(\.[A-Za-z0-9_-]+)+$/, 'a ticket code as scanned, e.g. "HT1.…"')
      .optional(),
    /** The scanning device's clock (GA26 says how far it is believed). */
    deviceScannedAt: z.iso.datetime({ offset: true }),
  })
  .refine((a) => a.method !== 'qr' || a.code !== undefined, {
    path: ['code'],
    message: 'a QR check-in carries the scanned code',
  });

/** [GA24] The code's signature holds and it names this ticket, this event and its holder. */
function requireCodeFor(
  text: string,
  keys: Parameters<typeof verifyTicketCode>[1],
  ticketId: string,
  eventId: string,
): TicketCode {
  const verified = verifyTicketCode(text, keys);
  if (!verified.ok) return reject(ErrorCode.ticketCodeInvalid, verified.message);
  if (verified.code.eventId !== eventId)
    reject(ErrorCode.ticketWrongEvent, 'This ticket is for another event.');
  if (verified.code.ticketId !== ticketId)
    reject(ErrorCode.ticketCodeInvalid, 'This code belongs to another ticket than the one checked in.');
  return verified.code;
}

interface ExistingCheckIn extends Pick<CheckInRow, 'id'> {
  checked_in_at: Date;
  by_name: string;
}

/** [GA24] Staff of the event (any co-host, managers) check in live tickets of this event only. */
export const checkIn = defineMutation({
  name: 'checkIn',
  args,
  async authorize(tx, args, ctx) {
    const found = await readEventContext(tx, args.eventId, ctx.userId, false);
    requireEventVisible(found?.event, found?.standing ?? { membership: null, hostRole: null });
    const { event, standing } = found as EventContext;
    requireStaff(standing);
    requireNotCancelled(event);
    let code: TicketCode | null = null;
    if (args.method === 'qr' && args.code !== undefined) {
      const decoded = decodeTicketCode(args.code);
      const keys = decoded.ok
        ? (
            await tx.query<PublicKeyRow>(`select id, public_key from signing_keys where id = $1`, [
              decoded.code.keyId,
            ])
          ).rows
        : [];
      code = requireCodeFor(args.code, keys, args.ticketId, args.eventId);
    }
    // The ticket row locked: concurrent scans of one ticket are decided one after another.
    const { rows } = await tx.query<Pick<TicketRow, 'id' | 'event_id' | 'holder_id' | 'status'>>(
      `select id, event_id, holder_id, status from tickets where id = $1 for no key update`,
      [args.ticketId],
    );
    const ticket = rows[0];
    if (!ticket) return reject(ErrorCode.notFound, 'ticketId: there is no such ticket.');
    requireAdmissible(ticket, args.eventId);
    if (code && code.holderId !== ticket.holder_id)
      reject(ErrorCode.ticketCodeInvalid, 'This code was not issued to the holder of this ticket.');
    const at = clampScanTime(args.deviceScannedAt, ctx.now, event);
    const existing = await tx.query<ExistingCheckIn>(
      `select c.id, c.checked_in_at, u.display_name as by_name
       from check_ins c join users u on u.id = c.checked_in_by where c.ticket_id = $1 for update of c`,
      [args.ticketId],
    );
    const first = existing.rows[0] ?? null;
    // [GA25][GA27] The earlier scan stays; the later one is told who was first.
    if (first && !scanWins(at, first.checked_in_at))
      reject(
        ErrorCode.alreadyCheckedIn,
        alreadyCheckedInMessage(first.checked_in_at, first.by_name, event.time_zone),
      );
    return { at, first };
  },
  async apply(tx, args, ctx, { at, first }) {
    if (first) {
      await tx.query(
        `update check_ins set checked_in_by = $2, method = $3, checked_in_at = $4, device_scanned_at = $5 where id = $1`,
        [first.id, ctx.userId, args.method, at, args.deviceScannedAt],
      );
      return;
    }
    const inserted = await tx.query(
      `insert into check_ins (id, ticket_id, event_id, checked_in_by, method, checked_in_at, device_scanned_at)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (id) do nothing returning id`,
      [args.checkInId, args.ticketId, args.eventId, ctx.userId, args.method, at, args.deviceScannedAt],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'checkInId: this id is already used.');
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event) return [];
      requireStaff(standing);
      requireNotCancelled(event);
      if (args.method === 'qr' && args.code !== undefined) {
        const decoded = decodeTicketCode(args.code);
        const key = decoded.ok ? await local.get('signing_keys', decoded.code.keyId) : undefined;
        requireCodeFor(args.code, key ? [key] : [], args.ticketId, args.eventId);
      }
      const ticket = await local.get('tickets', args.ticketId);
      if (ticket) requireAdmissible(ticket, args.eventId);
      const [first] = await local.find('check_ins', { ticket_id: args.ticketId });
      if (first) return [];
      const row: CheckInRow = {
        id: args.checkInId,
        ticket_id: args.ticketId,
        event_id: args.eventId,
        checked_in_by: ctx.userId,
        method: args.method,
        checked_in_at: new Date(args.deviceScannedAt).toISOString(),
        device_scanned_at: new Date(args.deviceScannedAt).toISOString(),
      };
      return [{ table: 'check_ins', op: 'upsert', row }];
    }),
});
