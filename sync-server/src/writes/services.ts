// What the write path hands mutations besides a transaction (schema's `MutationServices`): the
// ticket signer, the payment provider and the story sanitizer. One set per server, made when its routes are registered.
import type { MutationServices } from '@hearth/schema/mutations/services';
import { sanitizeStoryHtml } from '@hearth/schema/stories/sanitize';
import { inPersonPayments } from '../gatherings/payments';
import { Ed25519TicketSigner } from '../gatherings/signer';

export function serverServices(clock: () => Date = () => new Date()): MutationServices {
  return { signer: new Ed25519TicketSigner(clock), payments: inPersonPayments, sanitizeStoryHtml };
}
