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
