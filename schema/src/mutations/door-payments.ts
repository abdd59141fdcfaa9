// Paying at the door: the event's staff record that a reserved (priced) ticket was paid, in cash, by
// card or otherwise; the payment provider settles what it owed and the ticket becomes paid. Works
// offline through the outbox: the door knows what is owed from the synced ticket row (VZ5). Rule
// GA34 in sync-server/src/gatherings/SPEC.md; decisions in ./tickets-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { paymentMethod, type TicketRow, type TicketTierRow } from '../tables/gatherings';
import { defineMutation, guess, reject, type MutationContext } from './define';
import { canSeeEvent, isStaff, requireNotCancelled, type EventStanding } from './events-rules';
import { localEventContext, readEventContext } from './events-sql';
import { existingId } from './fields';
import { requireDoorAmount, requireOwing } from './tickets-rules';

type OwedTicket = Pick<TicketRow, 'id' | 'event_id' | 'status' | 'price_cents' | 'currency'>;

function requireDoorStaff(standing: EventStanding): void {
  if (!isStaff(standing))
    reject(
      ErrorCode.forbidden,
      'Only the hosts and check-in co-hosts of this event take payments at the door.',
    );
}

function requireServices(ctx: MutationContext) {
  if (!ctx.services)
    throw new Error('recordDoorPayment runs on the server only: it needs the payment provider');
  return ctx.services;
}

/**
 * [GA34] Staff of the event (managers and check-in co-hosts, GA3) mark a reserved ticket paid at the
 * door: the right amount (fixed: its price; pay-what-you-want: at least the tier's minimum), through
 * the payment provider's `settle`. Paid, cancelled tickets and cancelled events are refused.
 */
export const recordDoorPayment = defineMutation({
  name: 'recordDoorPayment',
  args: z.strictObject({
    ticketId: existingId,
    method: z.enum(paymentMethod.values),
    /** What was paid, in cents of the ticket's currency. */
    amountCents: z.int().min(0).max(100_000_000),
  }),
  async authorize(tx, args, ctx) {
    // The ticket row locked: two doors marking one ticket paid are decided one after another.
    const { rows } = await tx.query<OwedTicket>(
      `select id, event_id, status, price_cents, currency from tickets where id = $1 for no key update`,
      [args.ticketId],
    );
    const ticket = rows[0];
    const found = ticket ? await readEventContext(tx, ticket.event_id, ctx.userId, false) : null;
    if (!ticket || !found || !canSeeEvent(found.event, found.standing))
      return reject(ErrorCode.notFound, 'ticketId: there is no such ticket.');
    requireDoorStaff(found.standing);
    requireNotCancelled(found.event);
    requireOwing(ticket);
    const tiers = await tx.query<Pick<TicketTierRow, 'pricing' | 'price_cents'>>(
      `select pricing, price_cents from ticket_tiers where id = (select tier_id from tickets where id = $1)`,
      [args.ticketId],
    );
    const tier = tiers.rows[0];
    if (!tier) return reject(ErrorCode.notFound, 'ticketId: the tier of this ticket no longer exists.');
    requireDoorAmount(tier, { cents: ticket.price_cents, currency: ticket.currency }, args.amountCents);
    return ticket;
  },
  async apply(tx, args, ctx, ticket) {
    const settled = await requireServices(ctx).payments.settle(
      tx,
      { ticketId: ticket.id, amountCents: args.amountCents, method: args.method, settledBy: ctx.userId },
      ctx.now,
    );
    if (!settled) reject(ErrorCode.conflict, 'This ticket owes nothing at the door (no pending payment).');
    await tx.query(`update tickets set status = 'paid', price_cents = $2, updated_at = $3 where id = $1`, [
      ticket.id,
      args.amountCents,
      ctx.now,
    ]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const ticket = await local.get('tickets', args.ticketId);
      if (!ticket) return [];
      const { event, standing } = await localEventContext(local, ticket.event_id, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireDoorStaff(standing);
      requireNotCancelled(event);
      requireOwing(ticket);
      const tier = await local.get('ticket_tiers', ticket.tier_id);
      if (tier)
        requireDoorAmount(tier, { cents: ticket.price_cents, currency: ticket.currency }, args.amountCents);
      const row = {
        ...ticket,
        status: 'paid' as const,
        price_cents: args.amountCents,
        updated_at: ctx.now.toISOString(),
      };
      return [{ table: 'tickets', op: 'upsert', row }];
    }),
});
