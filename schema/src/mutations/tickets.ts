// Ticket mutations: tiers (hosts), claims and cancellations. A claim takes a seat of its tier with the
// tier row locked, reserves what a priced ticket owes through the payment provider, and stores the
// server's Ed25519 signature as the ticket's pass (the QR code). Rules GA16–GA19 in
// sync-server/src/gatherings/SPEC.md; decisions in ./tickets-rules; the code in ../tickets.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import type { TicketRow, TicketTierRow } from '../tables/gatherings';
import { ticketPricing } from '../tables/gatherings';
import { ticketPayload, toBase64Url } from '../tickets/code';
import { defineMutation, guess, reject, type MutationContext, type Tx } from './define';
import {
  canSeeEvent,
  isManager,
  requireEventVisible,
  requireManager,
  requireNotCancelled,
  requireOpen,
} from './events-rules';
import { localEventContext, readEventContext, type EventContext } from './events-sql';
import { existingId, line, newId, prose } from './fields';
import {
  priceOf,
  requireCancellable,
  requireCapacityAboveSold,
  requireCodeForHidden,
  requireNoLiveTicket,
  requireOnSale,
  requirePricing,
  requireTierSeat,
  requireWindow,
  statusForPrice,
} from './tickets-rules';

const pricing = z.enum(ticketPricing.values);
const instant = z.iso.datetime({ offset: true });
const cents = z.int().min(0).max(100_000_000);
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, e.g. "EUR"');
/** An unlock code: letters, digits and hyphens, compared without regard to case. */
const tierCode = z
  .string()
  .trim()
  .min(4)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'use letters, digits and hyphens, e.g. "FRIENDS-2030"')
  .overwrite((value) => value.toUpperCase());

/** SQL of a code's stored hash (ticket_tier_codes.code_hash), over its normalized text. */
const CODE_HASH = `sha256(convert_to($2::text, 'UTF8'))`;

async function eventOfTier(tx: Tx, tierId: string): Promise<string> {
  const { rows } = await tx.query<{ event_id: string }>(`select event_id from ticket_tiers where id = $1`, [
    tierId,
  ]);
  const eventId = rows[0]?.event_id;
  if (eventId === undefined) return reject(ErrorCode.notFound, 'tierId: there is no such ticket tier.');
  return eventId;
}

async function visibleEvent(
  tx: Tx,
  eventId: string,
  ctx: MutationContext,
  lock: boolean,
): Promise<EventContext> {
  const found = await readEventContext(tx, eventId, ctx.userId, lock);
  requireEventVisible(found?.event, found?.standing ?? { membership: null, hostRole: null });
  return found as EventContext;
}

async function soldOf(tx: Tx, tierId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from tickets where tier_id = $1 and status in ('reserved', 'paid')`,
    [tierId],
  );
  return rows[0]?.n ?? 0;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

/** [GA16] Managers add tiers: pricing, capacity, a sale window, hidden with an unlock code. */
export const createTicketTier = defineMutation({
  name: 'createTicketTier',
  args: z.strictObject({
    tierId: newId,
    eventId: existingId,
    name: line(120),
    description: prose(2000).optional(),
    pricing: pricing.default('free'),
    priceCents: cents.default(0),
    currency: currency.default('EUR'),
    capacity: z.int().min(1).max(1_000_000).optional(),
    salesStartAt: instant.optional(),
    salesEndAt: instant.optional(),
    hidden: z.boolean().default(false),
    code: tierCode.optional(),
    position: z.int().min(0).max(10_000).default(0),
  }),
  async authorize(tx, args, ctx) {
    const { event, standing } = await visibleEvent(tx, args.eventId, ctx, true);
    requireManager(standing);
    requireNotCancelled(event);
    requirePricing(args.pricing, args.priceCents);
    requireWindow(args.salesStartAt ?? null, args.salesEndAt ?? null);
    requireCodeForHidden(args.hidden, args.code !== undefined);
  },
  async apply(tx, args, ctx) {
    const inserted = await tx.query(
      `insert into ticket_tiers (id, event_id, name, description, pricing, price_cents, currency, capacity,
                                 sales_start_at, sales_end_at, hidden, position, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
       on conflict (id) do nothing returning id`,
      [
        args.tierId,
        args.eventId,
        args.name,
        args.description ?? '',
        args.pricing,
        args.priceCents,
        args.currency,
        args.capacity ?? null,
        args.salesStartAt ?? null,
        args.salesEndAt ?? null,
        args.hidden,
        args.position,
        ctx.now,
      ],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'tierId: this id is already used.');
    if (args.code !== undefined)
      await tx.query(
        `insert into ticket_tier_codes (id, tier_id, code_hash) values (gen_random_uuid(), $1, ${CODE_HASH})`,
        [args.tierId, args.code],
      );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireManager(standing);
      requireNotCancelled(event);
      requirePricing(args.pricing, args.priceCents);
      requireWindow(args.salesStartAt ?? null, args.salesEndAt ?? null);
      requireCodeForHidden(args.hidden, args.code !== undefined);
      const now = ctx.now.toISOString();
      const row: TicketTierRow = {
        id: args.tierId,
        event_id: args.eventId,
        name: args.name,
        description: args.description ?? '',
        pricing: args.pricing,
        price_cents: args.priceCents,
        currency: args.currency,
        capacity: args.capacity ?? null,
        sales_start_at: iso(args.salesStartAt ?? null),
        sales_end_at: iso(args.salesEndAt ?? null),
        hidden: args.hidden,
        position: args.position,
        created_at: now,
        updated_at: now,
      };
      return [{ table: 'ticket_tiers', op: 'upsert', row }];
    }),
});

interface TierPatch {
  name?: string | undefined;
  description?: string | undefined;
  pricing?: TicketTierRow['pricing'] | undefined;
  priceCents?: number | undefined;
  currency?: string | undefined;
  capacity?: number | null | undefined;
  salesStartAt?: string | null | undefined;
  salesEndAt?: string | null | undefined;
  hidden?: boolean | undefined;
  position?: number | undefined;
}

type TierFields = Omit<TicketTierRow, 'id' | 'event_id' | 'created_at' | 'updated_at'>;

function patchedTier(tier: TierFields, patch: TierPatch): TierFields {
  const pick = <T>(value: T | undefined, current: T): T => (value === undefined ? current : value);
  return {
    name: pick(patch.name, tier.name),
    description: pick(patch.description, tier.description),
    pricing: pick(patch.pricing, tier.pricing),
    price_cents: pick(patch.priceCents, tier.price_cents),
    currency: pick(patch.currency, tier.currency),
    capacity: pick(patch.capacity, tier.capacity),
    sales_start_at: iso(pick(patch.salesStartAt, tier.sales_start_at)),
    sales_end_at: iso(pick(patch.salesEndAt, tier.sales_end_at)),
    hidden: pick(patch.hidden, tier.hidden),
    position: pick(patch.position, tier.position),
  };
}

/** [GA16] Managers edit a tier; a new code replaces the old ones; capacity stays at or above sold. */
export const updateTicketTier = defineMutation({
  name: 'updateTicketTier',
  args: z
    .strictObject({
      tierId: existingId,
      name: line(120).optional(),
      description: prose(2000).optional(),
      pricing: pricing.optional(),
      priceCents: cents.optional(),
      currency: currency.optional(),
      capacity: z.int().min(1).max(1_000_000).nullable().optional(),
      salesStartAt: instant.nullable().optional(),
      salesEndAt: instant.nullable().optional(),
      hidden: z.boolean().optional(),
      code: tierCode.optional(),
      position: z.int().min(0).max(10_000).optional(),
    })
    .refine(
      ({ tierId: _, ...fields }) => Object.values(fields).some((value) => value !== undefined),
      'give at least one field to change',
    ),
  async authorize(tx, args, ctx) {
    const eventId = await eventOfTier(tx, args.tierId);
    const { event, standing } = await visibleEvent(tx, eventId, ctx, true);
    requireManager(standing);
    requireNotCancelled(event);
    const { rows } = await tx.query<TicketTierRow>(
      `select * from ticket_tiers where id = $1 for no key update`,
      [args.tierId],
    );
    const tier = rows[0] as TicketTierRow;
    const { tierId: _, code, ...patch } = args;
    const after = patchedTier(tier, patch);
    requirePricing(after.pricing, after.price_cents);
    requireWindow(after.sales_start_at, after.sales_end_at);
    requireCapacityAboveSold(after.capacity, await soldOf(tx, args.tierId));
    if (after.hidden && code === undefined) {
      const codes = await tx.query(`select 1 from ticket_tier_codes where tier_id = $1 limit 1`, [
        args.tierId,
      ]);
      requireCodeForHidden(true, codes.rows.length > 0);
    } else requireCodeForHidden(after.hidden, after.hidden || code !== undefined);
    return after;
  },
  async apply(tx, args, ctx, after) {
    await tx.query(
      `update ticket_tiers set name = $2, description = $3, pricing = $4, price_cents = $5, currency = $6,
         capacity = $7, sales_start_at = $8, sales_end_at = $9, hidden = $10, position = $11, updated_at = $12
       where id = $1`,
      [
        args.tierId,
        after.name,
        after.description,
        after.pricing,
        after.price_cents,
        after.currency,
        after.capacity,
        after.sales_start_at,
        after.sales_end_at,
        after.hidden,
        after.position,
        ctx.now,
      ],
    );
    if (args.code !== undefined) {
      await tx.query(`delete from ticket_tier_codes where tier_id = $1`, [args.tierId]);
      await tx.query(
        `insert into ticket_tier_codes (id, tier_id, code_hash) values (gen_random_uuid(), $1, ${CODE_HASH})`,
        [args.tierId, args.code],
      );
    }
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const tier = await local.get('ticket_tiers', args.tierId);
      if (!tier) return [];
      const { event, standing } = await localEventContext(local, tier.event_id, ctx.userId);
      if (!event) return [];
      requireManager(standing);
      const { tierId: _, code: __, ...patch } = args;
      const after = patchedTier(tier, patch);
      requirePricing(after.pricing, after.price_cents);
      requireWindow(after.sales_start_at, after.sales_end_at);
      return [
        {
          table: 'ticket_tiers',
          op: 'upsert',
          row: { ...tier, ...after, updated_at: ctx.now.toISOString() },
        },
      ];
    }),
});

function requireServices(ctx: MutationContext) {
  if (!ctx.services) throw new Error('claimTicket runs on the server only: it needs the ticket signer');
  return ctx.services;
}

/**
 * [GA17][GA18] Claim a ticket of a tier of an event you can see (GA1) that is open (GA7): on sale,
 * with a seat left, unlocked by its code when hidden; priced ones are reserved and paid at the door.
 * The server signs (ticket, event, holder) and stores the pass (GA20).
 */
export const claimTicket = defineMutation({
  name: 'claimTicket',
  args: z.strictObject({
    ticketId: newId,
    tierId: existingId,
    code: tierCode.optional(),
    /** Pay-what-you-want only: the amount offered, in cents (the tier's minimum when left out). */
    priceCents: cents.optional(),
  }),
  async authorize(tx, args, ctx) {
    const eventId = await eventOfTier(tx, args.tierId);
    const { event } = await visibleEvent(tx, eventId, ctx, false);
    requireOpen(event, ctx.now);
    const { rows } = await tx.query<TicketTierRow>(
      `select * from ticket_tiers where id = $1 for no key update`,
      [args.tierId],
    );
    const tier = rows[0] as TicketTierRow;
    if (tier.hidden) {
      const unlocked =
        args.code !== undefined &&
        (
          await tx.query(`select 1 from ticket_tier_codes where tier_id = $1 and code_hash = ${CODE_HASH}`, [
            args.tierId,
            args.code,
          ])
        ).rows.length > 0;
      if (!unlocked)
        reject(
          ErrorCode.tierLocked,
          args.code === undefined
            ? 'code: this tier is unlocked by a code.'
            : 'code: this code does not unlock this tier.',
        );
    }
    requireOnSale(tier, ctx.now);
    const live = await tx.query<{ n: number }>(
      `select count(*)::int as n from tickets where event_id = $1 and holder_id = $2 and status in ('reserved', 'paid')`,
      [eventId, ctx.userId],
    );
    requireNoLiveTicket(live.rows[0]?.n ?? 0);
    requireTierSeat(tier.capacity, await soldOf(tx, args.tierId));
    return { tier, price: priceOf(tier, args.priceCents) };
  },
  async apply(tx, args, ctx, { tier, price }) {
    const services = requireServices(ctx);
    const status = statusForPrice(price);
    const inserted = await tx.query(
      `insert into tickets (id, tier_id, event_id, holder_id, rsvp_id, status, price_cents, currency, issued_at, updated_at)
       values ($1, $2, $3, $4, (select id from rsvps where event_id = $3 and user_id = $4), $5, $6, $7, $8, $8)
       on conflict (id) do nothing returning id`,
      [args.ticketId, tier.id, tier.event_id, ctx.userId, status, price, tier.currency, ctx.now],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'ticketId: this id is already used.');
    if (status === 'reserved')
      await services.payments.reserve(
        tx,
        { ticketId: args.ticketId, amountCents: price, currency: tier.currency },
        ctx.now,
      );
    const signed = await services.signer.sign(
      tx,
      ticketPayload({ ticketId: args.ticketId, eventId: tier.event_id, holderId: ctx.userId }),
    );
    await tx.query(
      `insert into ticket_passes (ticket_id, holder_id, signature, signing_key_id, issued_at) values ($1, $2, $3, $4, $5)`,
      [args.ticketId, ctx.userId, toBase64Url(signed.signature), signed.keyId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const tier = await local.get('ticket_tiers', args.tierId);
      if (!tier) return [];
      const { event, standing } = await localEventContext(local, tier.event_id, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireOpen(event, ctx.now);
      requireOnSale(tier, ctx.now);
      const mine = await local.find('tickets', { event_id: tier.event_id, holder_id: ctx.userId });
      requireNoLiveTicket(mine.filter((t) => t.status === 'reserved' || t.status === 'paid').length);
      const price = priceOf(tier, args.priceCents);
      const [rsvp] = await local.find('rsvps', { event_id: tier.event_id, user_id: ctx.userId });
      const now = ctx.now.toISOString();
      const row: TicketRow = {
        id: args.ticketId,
        tier_id: tier.id,
        event_id: tier.event_id,
        holder_id: ctx.userId,
        rsvp_id: rsvp?.id ?? null,
        status: statusForPrice(price),
        price_cents: price,
        currency: tier.currency,
        issued_at: now,
        updated_at: now,
      };
      return [{ table: 'tickets', op: 'upsert', row }];
    }),
});

/** [GA19] The holder or a manager cancels a live ticket; what it owed is dropped with the provider. */
export const cancelTicket = defineMutation({
  name: 'cancelTicket',
  args: z.strictObject({ ticketId: existingId }),
  async authorize(tx, args, ctx) {
    const { rows } = await tx.query<
      Pick<TicketRow, 'id' | 'event_id' | 'holder_id' | 'status' | 'price_cents'>
    >(`select id, event_id, holder_id, status, price_cents from tickets where id = $1 for no key update`, [
      args.ticketId,
    ]);
    const ticket = rows[0];
    const found = ticket ? await readEventContext(tx, ticket.event_id, ctx.userId, false) : null;
    const mine = ticket?.holder_id === ctx.userId;
    if (!ticket || !found || (!mine && !isManager(found.standing)))
      return reject(ErrorCode.notFound, 'ticketId: there is no such ticket.');
    requireCancellable(ticket);
    return ticket;
  },
  async apply(tx, args, ctx, ticket) {
    await tx.query(`update tickets set status = 'cancelled', updated_at = $2 where id = $1`, [
      args.ticketId,
      ctx.now,
    ]);
    if (ticket.status === 'reserved') {
      if (!ctx.services) throw new Error('cancelTicket needs the payment provider on the server');
      await ctx.services.payments.cancel(tx, args.ticketId, ctx.now);
    }
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const ticket = await local.get('tickets', args.ticketId);
      if (!ticket) return [];
      if (ticket.holder_id !== ctx.userId) {
        const { standing } = await localEventContext(local, ticket.event_id, ctx.userId);
        if (!isManager(standing)) return [];
      }
      requireCancellable(ticket);
      return [
        {
          table: 'tickets',
          op: 'upsert',
          row: { ...ticket, status: 'cancelled', updated_at: ctx.now.toISOString() },
        },
      ];
    }),
});
