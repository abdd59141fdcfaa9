// The seams a mutation needs from the trusted server and that the browser never has: a signer whose
// private key stays on the server, and the payment provider. sync-server's write path passes them in
// `MutationContext.services` (../mutations/services); an optimistic apply runs without them (GA25).
import type { Tx } from '../mutations/define';

export interface Signed {
  /** The `signing_keys` row that signed. */
  readonly keyId: string;
  /** 64 bytes, Ed25519. */
  readonly signature: Uint8Array;
}

export interface TicketSigner {
  /** Signs `payload` with the current key (made on first need, in `tx`). */
  sign(tx: Tx, payload: Uint8Array): Promise<Signed>;
}

export interface TicketDue {
  readonly ticketId: string;
  readonly amountCents: number;
  readonly currency: string;
}

/** What the door took for a reserved ticket (GA34). */
export interface DoorSettlement {
  readonly ticketId: string;
  /** What was paid: the price for fixed tiers, at least the minimum for pay-what-you-want. */
  readonly amountCents: number;
  readonly method: 'cash' | 'card' | 'transfer' | 'other';
  /** The staff member who took it. */
  readonly settledBy: string;
}

/** Payment behind an interface (PRODUCT.md Gatherings 4); this issue ships the in-person one only. */
export interface PaymentProvider {
  /** Stored in `payments.provider`. */
  readonly name: string;
  /** Records what a reserved (priced) ticket owes, in the claim's transaction. */
  reserve(tx: Tx, due: TicketDue, now: Date): Promise<void>;
  /** The ticket (or its event) was cancelled: nothing is owed any more. */
  cancel(tx: Tx, ticketId: string, now: Date): Promise<void>;
  /**
   * The door took the payment (GA34): what the ticket owed is settled. Returns false when nothing
   * was owed through this provider (no pending payment), so the caller refuses instead of marking paid.
   */
  settle(tx: Tx, settlement: DoorSettlement, now: Date): Promise<boolean>;
}
