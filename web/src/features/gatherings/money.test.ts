// Prices and what a ticket owes (./SPEC.md GW13, GW16, GW17).
import { describe, expect, it } from 'vitest';
import { centsOf, priceText, ticketPaymentText } from './money';

describe('prices', () => {
  it('[GW13] free, fixed and pay-what-you-want read as such in the viewer’s locale', () => {
    expect(priceText('free', 0, 'EUR', 'en-GB')).toBe('Free');
    expect(priceText('fixed', 1250, 'EUR', 'en-GB')).toBe('€12.50');
    expect(priceText('pay_what_you_want', 500, 'USD', 'en-US')).toBe('Pay what you want, from $5.00');
  });

  it('[GW13] a typed amount becomes cents; anything else is not an amount', () => {
    expect(centsOf('12.5')).toBe(1250);
    expect(centsOf('12,05')).toBe(1205);
    expect(centsOf(' 7 ')).toBe(700);
    expect(centsOf('7.555')).toBeNull();
    expect(centsOf('-3')).toBeNull();
  });

  it('[GW16][GW17] the holder sees what the door takes, what was paid, and nothing owed once cancelled', () => {
    const ticket = { status: 'reserved', price_cents: 1200, currency: 'EUR' } as const;
    expect(ticketPaymentText(ticket, false, 'en-GB')).toBe('Pay €12.00 at the door');
    expect(ticketPaymentText({ ...ticket, status: 'paid' }, false, 'en-GB')).toBe('Paid €12.00');
    expect(ticketPaymentText({ ...ticket, status: 'paid', price_cents: 0 }, false, 'en-GB')).toBe(
      'Confirmed',
    );
    expect(ticketPaymentText(ticket, true, 'en-GB')).toBe('Nothing to pay');
  });
});
