// The tier form's pure part (GW13 in ./SPEC.md): typed text -> createTicketTier / updateTicketTier
// fields, or the field to fix with a message. Pure.
import { centsOf } from './money';
import { wallClockToInstant } from './time';

export interface TierDraft {
  readonly name: string;
  readonly description: string;
  readonly pricing: 'free' | 'fixed' | 'pay_what_you_want';
  readonly price: string;
  readonly currency: string;
  readonly capacity: string;
  readonly hidden: boolean;
  readonly code: string;
  readonly salesEnd: string;
}

export interface TierFields {
  name: string;
  description: string;
  pricing: TierDraft['pricing'];
  priceCents: number;
  currency: string;
  capacity: number | null;
  hidden: boolean;
  code: string | null;
  salesEndAt: string | null;
}

export type TierResult =
  | { readonly ok: true; readonly fields: TierFields }
  | { readonly ok: false; readonly field: keyof TierDraft; readonly message: string };

/** [GW13] `codeNeeded`: a new hidden tier needs its code; an existing one keeps its code unless a new one is typed. */
export function readTier(draft: TierDraft, zone: string, codeNeeded: boolean): TierResult {
  const fail = (field: keyof TierDraft, message: string): TierResult => ({ ok: false, field, message });
  if (draft.name.trim() === '') return fail('name', 'Name the tier, e.g. "General".');
  const priceCents = draft.pricing === 'free' ? 0 : centsOf(draft.price || '0');
  if (priceCents === null) return fail('price', 'Price: an amount such as 12.50.');
  if (draft.pricing === 'fixed' && priceCents === 0)
    return fail('price', 'A fixed price is more than 0; choose Free otherwise.');
  if (!/^[A-Z]{3}$/.test(draft.currency))
    return fail('currency', 'Currency: a three-letter code such as EUR.');
  const capacityText = draft.capacity.trim();
  if (capacityText !== '' && !/^[1-9]\d*$/.test(capacityText))
    return fail('capacity', 'Tickets: a whole number of 1 or more, or empty for no limit.');
  const code = draft.code.trim().toUpperCase();
  if (draft.hidden && code === '' && codeNeeded) return fail('code', 'A hidden tier needs an unlock code.');
  if (code !== '' && !/^[A-Z0-9-]{4,64}$/.test(code))
    return fail('code', 'Unlock code: 4 to 64 letters, digits or hyphens, e.g. FRIENDS-2030.');
  let salesEndAt: string | null = null;
  if (draft.salesEnd !== '') {
    const end = wallClockToInstant(draft.salesEnd, zone);
    if (end === null) return fail('salesEnd', 'Sales end: pick a date and time.');
    salesEndAt = end.toISOString();
  }
  return {
    ok: true,
    fields: {
      name: draft.name.trim(),
      description: draft.description,
      pricing: draft.pricing,
      priceCents,
      currency: draft.currency,
      capacity: capacityText === '' ? null : Number(capacityText),
      hidden: draft.hidden,
      code: draft.hidden && code !== '' ? code : null,
      salesEndAt,
    },
  };
}
