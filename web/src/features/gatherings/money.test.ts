// Prices (./SPEC.md GW13).
import { describe, expect, it } from 'vitest';
import { centsOf, priceText } from './money';

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
});
