// The seams a mutation needs from the trusted server and that the browser never has (GA25, ST12):
// the ticket signer whose private key stays on the server, the payment provider, and the HTML
// sanitizer (Node only, so it never ships in the browser bundle). sync-server's write path passes
// them in `MutationContext.services`; an optimistic apply runs without them.
import type { PaymentProvider, TicketSigner } from '../tickets/services';

export interface MutationServices {
  readonly signer: TicketSigner;
  readonly payments: PaymentProvider;
  /** The second wall behind the story renderer: a maintained sanitizer with the renderer's allowlist. */
  readonly sanitizeStoryHtml: (html: string) => string;
}
