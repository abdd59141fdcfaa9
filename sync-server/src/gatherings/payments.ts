// Payment at the door (schema's `PaymentProvider`): a priced ticket is reserved and owes its price as a
// pending `payments` row; nobody is charged online. The only implementation in this issue (GA18).
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
};
