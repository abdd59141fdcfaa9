// Managers' ticket tiers (GW13): add a tier (free, fixed or pay-what-you-want; capacity; sales end;
// hidden with an unlock code) and edit one; a hidden tier shows the link to share with its code.
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { centsOf, money, priceText } from './money';
import { errorText, Notice, SelectField, TextField } from './parts';
import { TIERS_SQL } from './queries';
import { readTier, type TierDraft } from './tier-form';
import type { Tier } from './TicketsPanel';
import { instantToWallClock, viewerLocale } from './time';

const EMPTY: TierDraft = {
  name: '',
  description: '',
  pricing: 'free',
  price: '',
  currency: 'EUR',
  capacity: '',
  hidden: false,
  code: '',
  salesEnd: '',
};

const PRICING = [
  { value: 'free', label: 'Free' },
  { value: 'fixed', label: 'Fixed price (paid at the door)' },
  { value: 'pay_what_you_want', label: 'Pay what you want' },
] as const;

export function TierEditor({ eventId, timeZone }: { eventId: string; timeZone: string }) {
  const tiers = useView<Tier>(TIERS_SQL, [eventId]) ?? [];
  const [editing, setEditing] = useState<string | null>(null);
  const locale = viewerLocale();
  return (
    <>
      <h3>Ticket tiers</h3>
      <ul className="gw-rows" data-testid="tier-list">
        {tiers.map((tier) =>
          editing === tier.id ? (
            <li key={tier.id} className="gw-row-form">
              <TierForm eventId={eventId} timeZone={timeZone} tier={tier} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={tier.id} className="gw-row">
              <span>
                <strong>{tier.name}</strong> ·{' '}
                {priceText(tier.pricing, tier.price_cents, tier.currency, locale)}
                {tier.capacity !== null ? ` · ${tier.capacity} tickets` : ''}
                {tier.hidden ? (
                  <span className="gw-meta gw-block">
                    Hidden: share <code>{`${location.origin}/events/${eventId}?tier=${tier.id}`}</code> with
                    its code.
                  </span>
                ) : null}
              </span>
              <button
                className="button button-small button-secondary"
                type="button"
                onClick={() => setEditing(tier.id)}
              >
                Edit
              </button>
            </li>
          ),
        )}
      </ul>
      {editing === 'new' ? (
        <TierForm eventId={eventId} timeZone={timeZone} tier={null} onDone={() => setEditing(null)} />
      ) : (
        <button
          className="button button-small button-secondary"
          type="button"
          onClick={() => setEditing('new')}
        >
          Add a tier
        </button>
      )}
    </>
  );
}

function draftOf(tier: Tier, zone: string): TierDraft {
  return {
    name: tier.name,
    description: tier.description,
    pricing: tier.pricing,
    price: tier.price_cents === 0 ? '' : (tier.price_cents / 100).toFixed(2),
    currency: tier.currency,
    capacity: tier.capacity === null ? '' : String(tier.capacity),
    hidden: tier.hidden,
    code: '',
    salesEnd: tier.sales_end_ms === null ? '' : instantToWallClock(tier.sales_end_ms, zone),
  };
}

function TierForm({
  eventId,
  timeZone,
  tier,
  onDone,
}: {
  eventId: string;
  timeZone: string;
  tier: Tier | null;
  onDone: () => void;
}) {
  const mutate = useMutate();
  const [draft, setDraft] = useState<TierDraft>(tier ? draftOf(tier, timeZone) : EMPTY);
  const [problem, setProblem] = useState<{ field: keyof TierDraft | null; message: string } | null>(null);
  const set =
    <K extends keyof TierDraft>(key: K) =>
    (value: TierDraft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const errorOf = (field: keyof TierDraft) => (problem?.field === field ? problem.message : null);
  const typedCents = centsOf(draft.price);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const read = readTier(draft, timeZone, tier === null || !tier.hidden);
    if (!read.ok) {
      setProblem({ field: read.field, message: read.message });
      return;
    }
    setProblem(null);
    const { capacity, code, salesEndAt, ...fields } = read.fields;
    try {
      if (tier === null)
        await mutate('createTicketTier', {
          tierId: newId(),
          eventId,
          ...fields,
          ...(capacity === null ? {} : { capacity }),
          ...(code === null ? {} : { code }),
          ...(salesEndAt === null ? {} : { salesEndAt }),
        });
      else
        await mutate('updateTicketTier', {
          tierId: tier.id,
          ...fields,
          capacity,
          salesEndAt,
          ...(code === null ? {} : { code }),
        });
      onDone();
    } catch (failure) {
      setProblem({ field: null, message: errorText(failure) });
    }
  }

  return (
    <form
      className="gw-form gw-subform"
      onSubmit={(e) => void submit(e)}
      aria-label={tier ? `Edit tier ${tier.name}` : 'New tier'}
      noValidate
    >
      {problem ? <Notice tone="error">{problem.message}</Notice> : null}
      <TextField
        label="Tier name"
        value={draft.name}
        onValue={set('name')}
        error={errorOf('name')}
        name="tierName"
      />
      <SelectField label="Price" value={draft.pricing} onValue={set('pricing')} options={PRICING} />
      {draft.pricing !== 'free' ? (
        <div className="gw-pair">
          <TextField
            label={draft.pricing === 'fixed' ? 'Amount' : 'Minimum amount'}
            value={draft.price}
            onValue={set('price')}
            error={errorOf('price')}
            inputMode="numeric"
            hint={typedCents === null ? undefined : money(typedCents, draft.currency, viewerLocale())}
          />
          <TextField
            label="Currency"
            value={draft.currency}
            onValue={(v) => set('currency')(v.toUpperCase())}
            error={errorOf('currency')}
          />
        </div>
      ) : null}
      <TextField
        label="Tickets in this tier"
        value={draft.capacity}
        onValue={set('capacity')}
        error={errorOf('capacity')}
        inputMode="numeric"
        hint="Empty: no limit."
      />
      <TextField
        label="Sales end"
        type="datetime-local"
        value={draft.salesEnd}
        onValue={set('salesEnd')}
        error={errorOf('salesEnd')}
        hint={`On the event's clock (${timeZone}). Empty: until the event.`}
      />
      <label className="check">
        <input type="checkbox" checked={draft.hidden} onChange={(e) => set('hidden')(e.target.checked)} />
        Hidden: only people with the unlock code
      </label>
      {draft.hidden ? (
        <TextField
          label="Unlock code"
          value={draft.code}
          onValue={set('code')}
          error={errorOf('code')}
          hint={
            tier?.hidden
              ? 'Leave empty to keep the current code.'
              : 'Letters, digits and hyphens, e.g. FRIENDS-2030.'
          }
        />
      ) : null}
      <div className="gw-actions">
        <button className="button button-small button-primary" type="submit">
          {tier ? 'Save tier' : 'Add tier'}
        </button>
        <button className="button button-small button-secondary" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
