// Tickets for the viewer (GW12, GW13): the tiers on sale with price and seats, claim one (a hidden
// tier through the host's link `?tier=<id>` and its code), and the way to "My ticket".
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import type { EventItem } from './EventsScreen';
import { centsOf, priceText, ticketPaymentText } from './money';
import { errorText, Notice, TextField } from './parts';
import { MY_TICKETS_SQL, TIERS_SQL } from './queries';
import type { MyTicket } from './TicketScreen';
import { viewerLocale } from './time';

export interface Tier extends Record<string, unknown> {
  id: string;
  name: string;
  description: string;
  pricing: 'free' | 'fixed' | 'pay_what_you_want';
  price_cents: number;
  currency: string;
  capacity: number | null;
  hidden: boolean;
  sales_start_ms: number | null;
  sales_end_ms: number | null;
}

/** [GW13] Whether a tier sells now: "On sale", "On sale from …", "Sales ended". */
export function saleState(
  tier: Pick<Tier, 'sales_start_ms' | 'sales_end_ms'>,
  now: number,
): 'open' | 'soon' | 'ended' {
  if (tier.sales_start_ms !== null && now < tier.sales_start_ms) return 'soon';
  if (tier.sales_end_ms !== null && now >= tier.sales_end_ms) return 'ended';
  return 'open';
}

export function TicketsPanel({ event, me, manager }: { event: EventItem; me: string; manager: boolean }) {
  const tiers = useView<Tier>(TIERS_SQL, [event.id]) ?? [];
  const mine = (useView<MyTicket>(MY_TICKETS_SQL, [event.id, me]) ?? []).filter(
    (t) => t.status === 'reserved' || t.status === 'paid',
  );
  const { search } = useLocation();
  const sharedTier = new URLSearchParams(search).get('tier');
  const mutate = useMutate();
  const [error, setError] = useState<string | null>(null);
  const [offers, setOffers] = useState<Record<string, string>>({});
  const locale = viewerLocale();
  const open = event.status === 'scheduled' && event.ends_ms > Date.now();
  const onSale = tiers.filter(
    (t) => (!t.hidden || manager || t.id === sharedTier) && saleState(t, Date.now()) !== 'ended',
  );
  if (tiers.length === 0 && mine.length === 0 && sharedTier === null) return null;

  async function claim(tier: Pick<Tier, 'id' | 'pricing'>, code?: string) {
    setError(null);
    const offer = tier.pricing === 'pay_what_you_want' ? centsOf(offers[tier.id] ?? '') : null;
    try {
      await mutate('claimTicket', {
        ticketId: newId(),
        tierId: tier.id,
        ...(code ? { code } : {}),
        ...(offer === null ? {} : { priceCents: offer }),
      });
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <section className="gw-section card" aria-labelledby="tickets-title" data-testid="tickets">
      <h2 id="tickets-title">Tickets</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {mine.length > 0 ? (
        <p>
          <Link
            className="button button-primary"
            to={`/events/${event.id}/ticket`}
            data-testid="my-ticket-link"
          >
            My ticket ({mine.map((t) => t.tier_name).join(', ')})
          </Link>{' '}
          <span className="gw-meta" data-testid="my-ticket-payment-summary">
            {mine.map((t) => ticketPaymentText(t, event.status === 'cancelled', locale)).join(' · ')}
          </span>
        </p>
      ) : null}
      {onSale.length > 0 ? (
        <ul className="gw-rows" data-testid="tiers">
          {onSale.map((tier) => {
            const state = saleState(tier, Date.now());
            return (
              <li key={tier.id} className="gw-row gw-tier" data-tier-id={tier.id}>
                <span>
                  <strong>{tier.name}</strong> ·{' '}
                  {priceText(tier.pricing, tier.price_cents, tier.currency, locale)}
                  {tier.hidden ? <span className="gw-meta"> · hidden</span> : null}
                  {tier.capacity !== null ? (
                    <span className="gw-meta"> · {tier.capacity} tickets</span>
                  ) : null}
                  {tier.description ? <span className="gw-meta gw-block">{tier.description}</span> : null}
                  {state === 'soon' && tier.sales_start_ms !== null ? (
                    <span className="gw-meta gw-block">
                      On sale from {new Date(tier.sales_start_ms).toLocaleString(locale)}
                    </span>
                  ) : null}
                </span>
                {open && mine.length === 0 && state === 'open' && !(tier.hidden && !manager) ? (
                  <span className="gw-row-actions">
                    {tier.pricing === 'pay_what_you_want' ? (
                      <>
                        <label className="visually-hidden" htmlFor={`offer-${tier.id}`}>
                          Your price for {tier.name}
                        </label>
                        <input
                          id={`offer-${tier.id}`}
                          className="gw-offer"
                          inputMode="decimal"
                          placeholder={(tier.price_cents / 100).toFixed(2)}
                          value={offers[tier.id] ?? ''}
                          onChange={(e) => setOffers({ ...offers, [tier.id]: e.target.value })}
                        />
                      </>
                    ) : null}
                    <button
                      className="button button-small button-primary"
                      type="button"
                      onClick={() => void claim(tier)}
                    >
                      {tier.pricing === 'free' ? 'Get ticket' : 'Reserve (pay at the door)'}
                    </button>
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : mine.length === 0 ? (
        <p className="gw-muted">No tickets on sale.</p>
      ) : null}
      {sharedTier !== null && open && mine.length === 0 ? (
        <UnlockForm onClaim={(code) => void claim({ id: sharedTier, pricing: 'free' }, code)} />
      ) : null}
    </section>
  );
}

function UnlockForm({ onClaim }: { onClaim: (code: string) => void }) {
  const [code, setCode] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) onClaim(code.trim());
  };
  return (
    <form className="gw-inline-form" onSubmit={submit} aria-label="Unlock a hidden ticket">
      <TextField
        label="Unlock code from the host"
        value={code}
        onValue={setCode}
        name="code"
        autoComplete="off"
      />
      <button className="button button-small button-primary" type="submit">
        Unlock and get ticket
      </button>
    </form>
  );
}
