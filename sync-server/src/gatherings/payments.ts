// Payment at the door (schema's `PaymentProvider`): a priced ticket is reserved and owes its price as a
// pending `payments` row; nobody is charged online; the door settles it (GA18, GA34). The only
// implementation in this issue.
import type { PaymentProvider } from '@hearth/schema/tickets/services';

export const inPersonPayments: PaymentProvider = {
  name: 'in_person',
  async reserve(tx, due, now) {
    await tx.query(
      `insert into payments (id, ticket_id, provider, amount_cents, currency, status, created_at, updated_at)
       values (gen_random_uuid(), $1, 'in_person', $2, $3, 'pending', $4, $4)`,
      [due.ticketId, due.amountCents, due.currency, now],
    );
  },
  async cancel(tx, ticketId, now) {
    await tx.query(
      `update payments set status = 'failed', updated_at = $2 where ticket_id = $1 and status = 'pending'`,
      [ticketId, now],
    );
  },
  async settle(tx, settlement, now) {
    const { rows } = await tx.query(
      `update payments set status = 'succeeded', amount_cents = $2, method = $3, settled_by = $4,
         settled_at = $5, updated_at = $5
       where ticket_id = $1 and status = 'pending' and provider = 'in_person' returning id`,
      [settlement.ticketId, settlement.amountCents, settlement.method, settlement.settledBy, now],
    );
    return rows.length > 0;
  },
};
