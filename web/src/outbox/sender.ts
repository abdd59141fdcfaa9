// The outbox sender (OB4–OB12): a thin IO shell around ./state. One per origin, chosen by a Web Lock
// (`hearth-outbox-sender`): the lock is released by the browser when its tab closes or crashes, and
// the next tab waiting takes over. The PGlite worker's leader would also be one per origin, but it
// runs inside PGlite's worker protocol; a lock keeps sending apart from the database and testable.
import type { PGliteInterface } from '@electric-sql/pglite';
import { ErrorCode } from '@hearth/schema/errors';
import {
  mutationErrorBody,
  mutationResponse,
  type MutationCall,
  type MutationOutcome,
} from '@hearth/schema/mutations/wire';
import {
  applyDecisions,
  countPending,
  markSending,
  pendingEntries,
  readIdentity,
  settleByReceipts,
  takeOverInFlight,
} from './store';
import {
  backoffDelay,
  cutBatch,
  INITIAL_SENDER,
  nextStep,
  SERVER_LIMITS,
  settleBatch,
  wake,
  type SendResponse,
  type SenderState,
  type SenderWake,
} from './state';

export const SENDER_LOCK = 'hearth-outbox-sender';
export const MUTATIONS_URL = '/api/mutations';

/** How a batch reaches the server. The browser's is `httpTransport`; tests may post in-process. */
export interface Transport {
  send(calls: readonly MutationCall[]): Promise<SendResponse>;
}

function outcomeOf(raw: {
  id: string;
  status: MutationOutcome['status'];
  code?: string | undefined;
  message?: string | undefined;
}): MutationOutcome {
  if (raw.status === 'accepted') return { id: raw.id, status: 'accepted' } as const;
  return {
    id: raw.id,
    status: raw.status,
    code: (raw.code ?? ErrorCode.internal) as ErrorCode,
    message: raw.message ?? '',
  };
}

/** Reads an HTTP answer of `POST /api/mutations` into the closed set of ./state. */
export function readResponse(status: number, body: unknown): SendResponse {
  if (status === 200) {
    const parsed = mutationResponse.safeParse(body);
    if (parsed.success) return { kind: 'outcomes', outcomes: parsed.data.outcomes.map(outcomeOf) };
    return {
      kind: 'refused',
      status: 502,
      code: ErrorCode.internal,
      message: 'The server answered with a body this version of Hearth cannot read.',
    };
  }
  const error = mutationErrorBody.safeParse(body);
  if (error.success)
    return {
      kind: 'refused',
      status,
      code: error.data.code,
      message: error.data.message,
      ...(error.data.mutationId === undefined ? {} : { mutationId: error.data.mutationId }),
    };
  return {
    kind: 'refused',
    status,
    code: status >= 500 ? ErrorCode.unavailable : ErrorCode.badRequest,
    message: `The server answered HTTP ${status}.`,
  };
}

/** Same-origin `fetch`: the session cookie and the Origin header go with it, as the server wants. */
export function httpTransport(fetchImpl: typeof fetch = fetch, url: string = MUTATIONS_URL): Transport {
  return {
    async send(calls) {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ mutations: calls }),
        });
      } catch (error) {
        return { kind: 'network', message: error instanceof Error ? error.message : String(error) };
      }
      const body: unknown = await response.json().catch(() => undefined);
      return readResponse(response.status, body);
    },
  };
}

export interface SenderDeps {
  readonly db: PGliteInterface;
  readonly transport: Transport;
  readonly online: () => boolean;
  /** ms since the epoch */
  readonly clock?: () => number;
  /** in [0, 1) */
  readonly jitter?: () => number;
  readonly onState?: (state: SenderState) => void;
  /** Unexpected failures of the loop (a bug, a closed database); the loop backs off and goes on. */
  readonly onError?: (error: unknown) => void;
  /**
   * [OB13] Calls `arrived` whenever receipts of outbox entries reach the synced table (a live query
   * in the browser); resolves with an unsubscribe. Without it, receipts are looked at on start only.
   */
  readonly watchReceipts?: (arrived: () => void) => Promise<() => Promise<void>>;
}

/** The sending loop. `run` holds it while the caller holds the lock; `poke` wakes it. */
export class OutboxSender {
  readonly #deps: SenderDeps;
  #state: SenderState = INITIAL_SENDER;
  #poked = false;
  #receiptsDue = false;
  #wakeUp: (() => void) | null = null;

  constructor(deps: SenderDeps) {
    this.#deps = deps;
  }

  get state(): SenderState {
    return this.#state;
  }

  #setState(state: SenderState): void {
    this.#state = state;
    this.#deps.onState?.(state);
  }

  /** [OB10] An event that may change what the sender should do: it decides again at once. */
  poke(event: SenderWake = { type: 'poke' }): void {
    this.#setState(wake(this.#state, event));
    this.#poked = true;
    this.#wakeUp?.();
  }

  /** Resolves on a poke, at `until` (when given) or when aborted; a poke since the last sleep counts. */
  #sleep(until: number | null, signal: AbortSignal): Promise<void> {
    if (this.#poked || signal.aborted) {
      this.#poked = false;
      return Promise.resolve();
    }
    const clock = this.#deps.clock ?? Date.now;
    return new Promise<void>((resolve) => {
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wakeUp = null;
        this.#poked = false;
        resolve();
      };
      const timer = until === null ? undefined : setTimeout(done, Math.max(0, until - clock()));
      signal.addEventListener('abort', done, { once: true });
      this.#wakeUp = done;
    });
  }

  /** One decision and what it leads to: a batch sent and settled, or a sleep until woken. */
  async step(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const { db, transport } = this.#deps;
    const clock = this.#deps.clock ?? Date.now;
    const jitter = this.#deps.jitter ?? Math.random;
    if (this.#receiptsDue) {
      this.#receiptsDue = false;
      await settleByReceipts(db);
    }
    const identity = await readIdentity(db);
    const pending = identity === null ? 0 : await countPending(db, identity.userId);
    const { state, step } = nextStep(this.#state, {
      now: clock(),
      online: this.#deps.online(),
      signedIn: identity !== null,
      pending,
    });
    this.#setState(state);
    if (step.do === 'wait' || identity === null) {
      await this.#sleep(step.do === 'wait' ? step.until : null, signal);
      return;
    }
    const batch = cutBatch(await pendingEntries(db, identity.userId, SERVER_LIMITS.maxBatch));
    await applyDecisions(db, batch.reject);
    if (batch.send.length === 0) return;
    await markSending(
      db,
      batch.send.map((entry) => entry.id),
    );
    const response = await transport.send(batch.send.map(({ id, name, args }) => ({ id, name, args })));
    const settled = settleBatch(batch.send, response, this.#state, clock(), jitter());
    await applyDecisions(db, settled.decisions);
    this.#setState(settled.sender);
  }

  /** [OB11] Takes over what a previous sender left in flight, then sends until aborted. */
  async run(signal: AbortSignal): Promise<void> {
    const { db } = this.#deps;
    const clock = this.#deps.clock ?? Date.now;
    const unwatch = await this.#deps.watchReceipts?.(() => {
      this.#receiptsDue = true;
      this.poke();
    });
    try {
      await takeOverInFlight(db);
      await settleByReceipts(db);
      while (!signal.aborted) {
        try {
          await this.step(signal);
        } catch (error) {
          if (signal.aborted) break;
          this.#deps.onError?.(error);
          // What this sender had in flight is sent again after the backoff (OB11).
          await takeOverInFlight(db).catch(() => undefined);
          const failures = this.#state.failures + 1;
          const retryAt = clock() + backoffDelay(failures, (this.#deps.jitter ?? Math.random)());
          this.#setState({ phase: 'backoff', failures, retryAt });
        }
      }
    } finally {
      await unwatch?.();
    }
  }
}

export interface SharedSender {
  readonly sender: OutboxSender;
  /** Whether this tab is the one sending. */
  isSending(): boolean;
  stop(): Promise<void>;
}

/**
 * [OB12] Runs `sender` in this tab only while it holds the origin's Web Lock. Tabs that wait still
 * get pokes (harmless) and take over when the holder goes away.
 */
export function startSharedSender(sender: OutboxSender, locks: LockManager = navigator.locks): SharedSender {
  const controller = new AbortController();
  let holding = false;
  const done = locks
    .request(SENDER_LOCK, { signal: controller.signal }, async () => {
      holding = true;
      try {
        await sender.run(controller.signal);
      } finally {
        holding = false;
      }
    })
    .catch((error: unknown) => {
      if (!controller.signal.aborted) throw error;
    });
  return {
    sender,
    isSending: () => holding,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
