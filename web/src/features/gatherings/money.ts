// Prices as people read them (GW13 in ./SPEC.md): cents and an ISO currency in the viewer's locale;
// a typed amount ("12.50") back to cents. Pure.

export function priceText(
  pricing: 'free' | 'fixed' | 'pay_what_you_want',
  cents: number,
  currency: string,
  locale: string,
): string {
  if (pricing === 'free') return 'Free';
  const amount = money(cents, currency, locale);
  return pricing === 'pay_what_you_want'
    ? cents === 0
      ? 'Pay what you want'
      : `Pay what you want, from ${amount}`
    : amount;
}

export function money(cents: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** "12.5", "12,50", "12" -> cents; null when it is not an amount. */
export function centsOf(text: string): number | null {
  const match = /^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * [GW16][GW17] The holder's ticket, as to money: "Pay €12.00 at the door", "Paid €12.00", "Confirmed"
 * (free); a cancelled event owes nothing (its door payments were dropped, GA35).
 */
export function ticketPaymentText(
  ticket: {
    readonly status: 'reserved' | 'paid' | 'cancelled' | 'refunded';
    readonly price_cents: number;
    readonly currency: string;
  },
  eventCancelled: boolean,
  locale: string,
): string {
  const amount = money(ticket.price_cents, ticket.currency, locale);
  if (eventCancelled)
    return ticket.status === 'paid' && ticket.price_cents > 0 ? `Paid ${amount}` : 'Nothing to pay';
  if (ticket.status === 'reserved' && ticket.price_cents > 0) return `Pay ${amount} at the door`;
  if (ticket.status === 'paid' && ticket.price_cents > 0) return `Paid ${amount}`;
  return 'Confirmed';
}
