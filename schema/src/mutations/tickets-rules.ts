// Ticket tiers and claims as pure decisions: pricing, sale windows, tier capacity, hidden-tier codes
// and who may cancel. Rules GA16–GA19 in sync-server/src/gatherings/SPEC.md.
import { ErrorCode } from '../errors';
import type { TicketRow, TicketTierRow } from '../tables/gatherings';
import { reject } from './define';
import { ms, type Instant } from './events-rules';

export type Pricing = TicketTierRow['pricing'];

/** [GA16] free costs 0; fixed costs more than 0; pay-what-you-want's price is the minimum (0 or more). */
export function requirePricing(pricing: Pricing, priceCents: number): void {
  if (pricing === 'free' && priceCents !== 0)
    reject(ErrorCode.validationFailed, 'priceCents: a free tier costs 0; choose "fixed" to charge.');
  if (pricing === 'fixed' && priceCents <= 0)
    reject(
      ErrorCode.validationFailed,
      'priceCents: a fixed price must be more than 0; choose "free" otherwise.',
    );
}

/** [GA16] A sale window, when both ends are set, closes after it opens. */
export function requireWindow(startsAt: Instant | null, endsAt: Instant | null): void {
  if (startsAt !== null && endsAt !== null && ms(endsAt) <= ms(startsAt))
    reject(ErrorCode.validationFailed, 'salesEndAt: the sale must close after it opens.');
}

/** [GA16] A hidden tier is unlocked by a code, so it needs one (stored only as a hash). */
export function requireCodeForHidden(hidden: boolean, hasCode: boolean): void {
  if (hidden && !hasCode) reject(ErrorCode.validationFailed, 'code: a hidden tier needs an unlock code.');
  if (!hidden && hasCode)
    reject(ErrorCode.validationFailed, 'code: only hidden tiers take an unlock code; set hidden.');
}

/** [GA17] Claims only between the tier's sales start and end (either may be open-ended). */
export function requireOnSale(
  tier: { readonly sales_start_at: Instant | null; readonly sales_end_at: Instant | null },
  now: Date,
): void {
  if (tier.sales_start_at !== null && now.getTime() < ms(tier.sales_start_at))
    reject(
      ErrorCode.salesClosed,
      `Tickets of this tier go on sale at ${new Date(tier.sales_start_at).toISOString()}.`,
    );
  if (tier.sales_end_at !== null && now.getTime() >= ms(tier.sales_end_at))
    reject(ErrorCode.salesClosed, 'Sales of this tier have ended.');
}

/** [GA17] A tier's reserved and paid tickets never exceed its capacity. */
export function requireTierSeat(capacity: number | null, sold: number): void {
  if (capacity !== null && sold >= capacity) reject(ErrorCode.tierSoldOut, 'This tier is sold out.');
}

/** [GA17] A tier's capacity cannot drop below the tickets it already issued. */
export function requireCapacityAboveSold(capacity: number | null, sold: number): void {
  if (capacity !== null && capacity < sold)
    reject(
      ErrorCode.conflict,
      `capacity: ${sold} tickets of this tier are already issued; set at least ${sold}.`,
    );
}

/**
 * [GA18] What a claim costs: free 0; fixed the tier's price; pay-what-you-want the offer (at least
 * the tier's minimum; the minimum when no offer is made).
 */
export function priceOf(
  tier: Pick<TicketTierRow, 'pricing' | 'price_cents'>,
  offeredCents: number | undefined,
): number {
  if (tier.pricing === 'pay_what_you_want') {
    const price = offeredCents ?? tier.price_cents;
    if (price < tier.price_cents)
      reject(
        ErrorCode.validationFailed,
        `priceCents: pay at least ${tier.price_cents} (in cents) for this tier.`,
      );
    return price;
  }
  if (offeredCents !== undefined && offeredCents !== tier.price_cents)
    reject(ErrorCode.validationFailed, 'priceCents: this tier has a set price; leave priceCents out.');
  return tier.price_cents;
}

/** [GA18] Nothing to pay: the ticket is settled (`paid`); otherwise `reserved`, paid at the door. */
export const statusForPrice = (priceCents: number): TicketRow['status'] =>
  priceCents === 0 ? 'paid' : 'reserved';

/** [GA19] One live (reserved or paid) ticket per person per event. */
export function requireNoLiveTicket(live: number): void {
  if (live > 0)
    reject(
      ErrorCode.alreadyHasTicket,
      'You already hold a ticket for this event; cancel it to take another.',
    );
}

/** [GA19] A live ticket is cancelled by its holder or a manager of the event. */
export function requireCancellable(ticket: Pick<TicketRow, 'status'>): void {
  if (ticket.status === 'cancelled' || ticket.status === 'refunded')
    reject(ErrorCode.ticketCancelled, 'This ticket is already cancelled.');
}

/** [GA34] Only a reserved ticket owes something; a paid one is settled, a cancelled one owes nothing. */
export function requireOwing(ticket: Pick<TicketRow, 'status'>): void {
  if (ticket.status === 'paid') reject(ErrorCode.ticketAlreadyPaid, 'This ticket is already paid.');
  if (ticket.status === 'cancelled' || ticket.status === 'refunded')
    reject(ErrorCode.ticketCancelled, 'This ticket was cancelled: it owes nothing.');
}

/**
 * [GA34] What the door may take: exactly what a fixed-price ticket owes; at least the tier's minimum
 * for pay-what-you-want (the guest may change their mind at the door). `amount` is in cents.
 */
export function requireDoorAmount(
  tier: Pick<TicketTierRow, 'pricing' | 'price_cents'>,
  owed: { readonly cents: number; readonly currency: string },
  amount: number,
  formatted: (cents: number) => string = (cents) => `${(cents / 100).toFixed(2)} ${owed.currency}`,
): void {
  if (tier.pricing === 'pay_what_you_want') {
    if (amount < tier.price_cents)
      reject(
        ErrorCode.paymentAmountMismatch,
        `amountCents: this tier asks at least ${formatted(tier.price_cents)}; record ${tier.price_cents} or more.`,
      );
    return;
  }
  if (amount !== owed.cents)
    reject(
      ErrorCode.paymentAmountMismatch,
      `amountCents: this ticket costs ${formatted(owed.cents)}; record ${owed.cents}.`,
    );
}
