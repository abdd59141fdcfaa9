// The outbox's pure core (STYLE.md #5, #6; rules in ./SPEC.md): what an entry and the sender become on
// each event, how a batch is cut, how long to back off. Time (`now`, ms) and jitter are inputs; no IO.
import { ErrorCode } from '@hearth/schema/errors';
import { MUTATION_LIMITS, type MutationOutcome } from '@hearth/schema/mutations/wire';

export const ENTRY_STATUSES = ['pending', 'sending', 'accepted', 'rejected'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** What the sender needs of an outbox entry. */
export interface OutboxEntry {
  readonly id: string;
  readonly seq: number;
  readonly name: string;
  readonly args: unknown;
  readonly status: EntryStatus;
}

/** What becomes of one entry; `rejected` also drops its overlay, `settled` removes the entry. */
export type EntryDecision =
  | { readonly id: string; readonly to: 'accepted' }
  | { readonly id: string; readonly to: 'rejected'; readonly code: string; readonly message: string }
  | { readonly id: string; readonly to: 'pending'; readonly code: string; readonly message: string }
  | { readonly id: string; readonly to: 'settled' };

export const SENDER_PHASES = ['idle', 'sending', 'backoff', 'offline', 'signed-out'] as const;
export type SenderPhase = (typeof SENDER_PHASES)[number];

export interface SenderState {
  readonly phase: SenderPhase;
  /** Failed sends in a row; the backoff grows with it. */
  readonly failures: number;
  /** When a backoff ends (ms since the epoch); null otherwise. */
  readonly retryAt: number | null;
}

export const INITIAL_SENDER: SenderState = { phase: 'idle', failures: 0, retryAt: null };

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

/** [OB7] `min(cap, base * 2^(failures-1))` scaled into [1/2, 1] by `jitter` in [0, 1). */
export function backoffDelay(
  failures: number,
  jitter: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 30));
  const scale = 0.5 + 0.5 * Math.min(Math.max(jitter, 0), 1);
  return Math.round(ceiling * scale);
}

/** What the sender knows of the world when it decides what to do next. */
export interface SenderFacts {
  readonly now: number;
  readonly online: boolean;
  readonly signedIn: boolean;
  /** Pending entries of the signed-in user. */
  readonly pending: number;
}

export type SenderStep =
  | { readonly do: 'send' }
  /** Sleep until woken by an event, or by a timer at `until` when it is not null. */
  | { readonly do: 'wait'; readonly until: number | null };

/** [OB9][OB10] The sender's next step, and the state it is in while taking it. */
export function nextStep(state: SenderState, facts: SenderFacts): { state: SenderState; step: SenderStep } {
  if (!facts.online) return { state: { ...state, phase: 'offline' }, step: { do: 'wait', until: null } };
  if (!facts.signedIn || state.phase === 'signed-out')
    return { state: { ...state, phase: 'signed-out' }, step: { do: 'wait', until: null } };
  if (state.retryAt !== null && facts.now < state.retryAt)
    return { state: { ...state, phase: 'backoff' }, step: { do: 'wait', until: state.retryAt } };
  if (facts.pending === 0)
    return { state: { ...state, phase: 'idle', retryAt: null }, step: { do: 'wait', until: null } };
  return { state: { ...state, phase: 'sending', retryAt: null }, step: { do: 'send' } };
}

/** Events that wake the sender and change its state before it decides again. */
export type SenderWake =
  /** [OB10] The network is back: any backoff ends now. */
  | { readonly type: 'online' }
  | { readonly type: 'offline' }
  /** [OB9] Somebody signed in: try again. */
  | { readonly type: 'signed-in' }
  /** New entries, a timer: nothing changes but the facts. */
  | { readonly type: 'poke' };

export function wake(state: SenderState, event: SenderWake): SenderState {
  switch (event.type) {
    case 'online':
      return { ...state, retryAt: null, phase: state.phase === 'signed-out' ? 'signed-out' : 'idle' };
    case 'offline':
      return { ...state, phase: 'offline' };
    case 'signed-in':
      return { ...state, phase: 'idle', retryAt: null };
    case 'poke':
      return state;
  }
}

/** How long one entry is on the wire (as one element of `mutations`), in bytes of UTF-8 JSON. */
export function entryBytes(entry: Pick<OutboxEntry, 'id' | 'name' | 'args'>): number {
  return new TextEncoder().encode(JSON.stringify({ id: entry.id, name: entry.name, args: entry.args }))
    .length;
}

const ENVELOPE_BYTES = '{"mutations":[]}'.length;

export interface BatchLimits {
  readonly maxBatch: number;
  readonly maxBodyBytes: number;
}

export const SERVER_LIMITS: BatchLimits = {
  maxBatch: MUTATION_LIMITS.maxBatch,
  maxBodyBytes: MUTATION_LIMITS.maxBodyBytes,
};

export interface Batch {
  /** What to send, in order. */
  readonly send: readonly OutboxEntry[];
  /** [OB4] Entries that can never be sent (too large alone), to reject locally. */
  readonly reject: readonly EntryDecision[];
}

/**
 * [OB4] The next batch: pending entries in `seq` order, at most `maxBatch` of them and at most
 * `maxBodyBytes` of JSON body; an entry too large on its own is rejected, never sent.
 */
export function cutBatch(pending: readonly OutboxEntry[], limits: BatchLimits = SERVER_LIMITS): Batch {
  const ordered = [...pending].filter((entry) => entry.status === 'pending').sort((a, b) => a.seq - b.seq);
  const send: OutboxEntry[] = [];
  const reject: EntryDecision[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const entry of ordered) {
    if (send.length >= limits.maxBatch) break;
    const size = entryBytes(entry) + (send.length > 0 ? 1 : 0);
    if (ENVELOPE_BYTES + entryBytes(entry) > limits.maxBodyBytes) {
      // Only while nothing else is cut ahead of it: rejections keep their place in the order.
      if (send.length > 0) break;
      reject.push({
        id: entry.id,
        to: 'rejected',
        code: ErrorCode.payloadTooLarge,
        message: `This change is too large to send (over ${limits.maxBodyBytes} bytes); make it smaller.`,
      });
      continue;
    }
    if (bytes + size > limits.maxBodyBytes) break;
    bytes += size;
    send.push(entry);
  }
  return { send, reject };
}

/** What came back for a batch, as the transport reads it. */
export type SendResponse =
  /** 200 with one outcome per mutation. */
  | { readonly kind: 'outcomes'; readonly outcomes: readonly MutationOutcome[] }
  /** Any other HTTP status, with the typed error body when there was one. */
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly code: string;
      readonly message: string;
      readonly mutationId?: string;
    }
  /** No answer: offline, DNS, reset, CORS, a page that went away. */
  | { readonly kind: 'network'; readonly message: string };

export interface SettledBatch {
  readonly decisions: readonly EntryDecision[];
  readonly sender: SenderState;
}

function backOff(state: SenderState, now: number, jitter: number, policy: BackoffPolicy): SenderState {
  const failures = state.failures + 1;
  return { phase: 'backoff', failures, retryAt: now + backoffDelay(failures, jitter, policy) };
}

const NO_OUTCOME = 'The server gave no outcome for this change; it will be sent again.';

/** [OB5]–[OB9] The decisions for a sent batch and the sender's next state. */
export function settleBatch(
  sent: readonly Pick<OutboxEntry, 'id'>[],
  response: SendResponse,
  state: SenderState,
  now: number,
  jitter: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): SettledBatch {
  const allPending = (code: string, message: string): EntryDecision[] =>
    sent.map(({ id }) => ({ id, to: 'pending', code, message }));

  switch (response.kind) {
    case 'network':
      return {
        decisions: allPending(ErrorCode.unavailable, `Could not reach the server: ${response.message}`),
        sender: backOff(state, now, jitter, policy),
      };
    case 'refused': {
      if (response.status === 401)
        return {
          decisions: allPending(response.code, response.message),
          sender: { phase: 'signed-out', failures: 0, retryAt: null },
        };
      const named = response.mutationId;
      if (response.status === 400 && named !== undefined && sent.some(({ id }) => id === named)) {
        return {
          decisions: sent.map(({ id }): EntryDecision =>
            id === named
              ? { id, to: 'rejected', code: response.code, message: response.message }
              : {
                  id,
                  to: 'pending',
                  code: response.code,
                  message: 'Sent again: another change was refused.',
                },
          ),
          sender: { phase: 'idle', failures: 0, retryAt: null },
        };
      }
      return {
        decisions: allPending(response.code, response.message),
        sender: backOff(state, now, jitter, policy),
      };
    }
    case 'outcomes': {
      const byId = new Map(response.outcomes.map((outcome) => [outcome.id, outcome]));
      let retry = false;
      const decisions = sent.map(({ id }): EntryDecision => {
        const outcome = byId.get(id);
        if (outcome === undefined) {
          retry = true;
          return { id, to: 'pending', code: ErrorCode.internal, message: NO_OUTCOME };
        }
        switch (outcome.status) {
          case 'accepted':
            return { id, to: 'accepted' };
          case 'rejected':
            return { id, to: 'rejected', code: outcome.code, message: outcome.message };
          case 'retry':
            retry = true;
            return { id, to: 'pending', code: outcome.code, message: outcome.message };
        }
      });
      return {
        decisions,
        sender: retry ? backOff(state, now, jitter, policy) : INITIAL_SENDER,
      };
    }
  }
}

/** [OB11] A sender taking over: nobody heard back about `sending` entries, so they are sent again. */
export function takeOver(entry: Pick<OutboxEntry, 'id' | 'status'>): EntryDecision | null {
  return entry.status === 'sending'
    ? {
        id: entry.id,
        to: 'pending',
        code: ErrorCode.unavailable,
        message: 'The page closed while this was being sent; sent again.',
      }
    : null;
}

/** A receipt as sync delivers it (a row of the synced `receipts` table). */
export interface ReceiptFacts {
  readonly status: 'accepted' | 'rejected';
  readonly error_code: string | null;
  readonly error_message: string | null;
}

/** [OB13] What a receipt that arrived through sync does to its entry. */
export function onReceipt(
  entry: Pick<OutboxEntry, 'id' | 'status'>,
  receipt: ReceiptFacts,
): EntryDecision | null {
  if (entry.status === 'rejected') return null;
  if (receipt.status === 'accepted') return { id: entry.id, to: 'settled' };
  return {
    id: entry.id,
    to: 'rejected',
    code: receipt.error_code ?? ErrorCode.internal,
    message: receipt.error_message ?? 'The server refused this change.',
  };
}

/** [OB6] Only a rejected entry can be dismissed by the user. */
export function dismiss(entry: Pick<OutboxEntry, 'id' | 'status'>): EntryDecision | null {
  return entry.status === 'rejected' ? { id: entry.id, to: 'settled' } : null;
}

export type StatusLabel =
  | { readonly kind: 'offline'; readonly pending: number }
  | { readonly kind: 'rejected'; readonly rejected: number; readonly pending: number }
  | { readonly kind: 'pending'; readonly pending: number }
  | { readonly kind: 'synced' };

/** [OB14] What the status pill says. */
export function statusLabel(facts: { online: boolean; pending: number; rejected: number }): StatusLabel {
  if (!facts.online) return { kind: 'offline', pending: facts.pending };
  if (facts.rejected > 0) return { kind: 'rejected', rejected: facts.rejected, pending: facts.pending };
  if (facts.pending > 0) return { kind: 'pending', pending: facts.pending };
  return { kind: 'synced' };
}
