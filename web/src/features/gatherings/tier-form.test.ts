// The tier form (./SPEC.md GW13).
import { describe, expect, it } from 'vitest';
import { readTier, type TierDraft } from './tier-form';

const DRAFT: TierDraft = {
  name: 'General',
  description: '',
  pricing: 'free',
  price: '',
  currency: 'EUR',
  capacity: '',
  hidden: false,
  code: '',
  salesEnd: '',
};

describe('tier form', () => {
  it('[GW13] a free tier with no limit reads as such', () => {
    expect(readTier(DRAFT, 'UTC', true)).toMatchObject({
      ok: true,
      fields: { priceCents: 0, capacity: null, code: null },
    });
  });

  it('[GW13] a hidden tier needs its code, stored in capitals', () => {
    expect(readTier({ ...DRAFT, hidden: true }, 'UTC', true)).toMatchObject({ ok: false, field: 'code' });
    expect(readTier({ ...DRAFT, hidden: true }, 'UTC', false).ok).toBe(true);
    expect(readTier({ ...DRAFT, hidden: true, code: 'friends-2030' }, 'UTC', true)).toMatchObject({
      ok: true,
      fields: { code: 'FRIENDS-2030' },
    });
  });

  it('[GW13] prices, capacity and the sales end are checked and converted', () => {
    expect(readTier({ ...DRAFT, pricing: 'fixed', price: '0' }, 'UTC', true)).toMatchObject({
      ok: false,
      field: 'price',
    });
    expect(readTier({ ...DRAFT, pricing: 'fixed', price: '12.5' }, 'UTC', true)).toMatchObject({
      fields: { priceCents: 1250 },
    });
    expect(readTier({ ...DRAFT, capacity: '0' }, 'UTC', true)).toMatchObject({
      ok: false,
      field: 'capacity',
    });
    expect(readTier({ ...DRAFT, salesEnd: '2030-05-04T18:00' }, 'Europe/Paris', true)).toMatchObject({
      fields: { salesEndAt: '2030-05-04T16:00:00.000Z' },
    });
  });
});
