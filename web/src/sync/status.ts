// The pure core of the client's read half (rules in ./SPEC.md): which named shapes a viewer syncs,
// what the sync reports to the tabs, how a tab turns that into the status it shows, and how long a
// failed sync waits before it tries again. No IO: time, randomness and connectivity come in as inputs.
import { namedShapes } from '@hearth/schema/shapes/catalogue';

/** Typed failure codes of the sync; the UI switches on these, never on the message. */
export const SyncErrorCode = {
  /** The gateway refused a shape (4xx other than 409): signed out elsewhere, or a shape it no longer serves. */
  SHAPE_REFUSED: 'SYNC_SHAPE_REFUSED',
  /** The server or the network failed beyond the shape client's own retries. */
  SERVER_UNAVAILABLE: 'SYNC_SERVER_UNAVAILABLE',
  /** Rows arrived but could not be written into the local replica. */
  APPLY_FAILED: 'SYNC_APPLY_FAILED',
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode];

export interface SyncError {
  readonly code: SyncErrorCode;
  readonly message: string;
}

export interface ShapeProgress {
  readonly shapesUpToDate: number;
  readonly shapesTotal: number;
}

/** What the sync (in the replica's leader worker) tells every tab. */
export interface WorkerSyncState {
  /**
   * `initial`: syncing with no saved progress (an empty replica); `syncing`: resuming or catching
   * up; `up-to-date`: every shape is live; `error`: stopped, a retry is scheduled.
   */
  readonly phase: 'initial' | 'syncing' | 'up-to-date' | 'error';
  readonly progress: ShapeProgress;
  readonly error?: SyncError;
}

/** What a screen shows: the worker's state, with this tab's view of the network over it. */
export interface SyncStatus {
  readonly phase: 'offline' | 'initial' | 'syncing' | 'up-to-date' | 'error';
  readonly progress: ShapeProgress;
  readonly error?: SyncError;
}

/** [SY1] A signed-in viewer syncs every named shape; an anonymous one all but the `signed-in` ones. */
export function shapeNamesFor(signedIn: boolean): readonly string[] {
  return namedShapes.filter((shape) => signedIn || shape.access !== 'signed-in').map((shape) => shape.name);
}

/** [SY2] Each identity has its own saved progress: its rows never resume under another's. */
export function subscriptionKey(userId: string | null): string {
  return userId === null ? 'hearth:anonymous' : `hearth:user:${userId}`;
}

/** [SY3] The worker's state after a batch: initial until the first full sync lands, then live or catching up. */
export function progressState(facts: {
  readonly fresh: boolean;
  readonly initialSyncDone: boolean;
  readonly shapesUpToDate: number;
  readonly shapesTotal: number;
}): WorkerSyncState {
  const progress = { shapesUpToDate: facts.shapesUpToDate, shapesTotal: facts.shapesTotal };
  if (!facts.initialSyncDone) return { phase: facts.fresh ? 'initial' : 'syncing', progress };
  return { phase: facts.shapesUpToDate >= facts.shapesTotal ? 'up-to-date' : 'syncing', progress };
}

const NOTHING_YET: ShapeProgress = { shapesUpToDate: 0, shapesTotal: 0 };

/**
 * [SY4] A tab's status: offline wins (the sync cannot progress, the data shown is this device's);
 * before the worker has said anything it is `syncing` (only the worker knows whether this is a first sync).
 */
export function syncStatusOf(worker: WorkerSyncState | null, online: boolean): SyncStatus {
  const progress = worker?.progress ?? NOTHING_YET;
  if (!online) return { phase: 'offline', progress };
  if (worker === null) return { phase: 'syncing', progress };
  if (worker.phase === 'error' && worker.error !== undefined)
    return { phase: 'error', progress, error: worker.error };
  return { phase: worker.phase, progress };
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const SYNC_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

/**
 * [SY5] Delay before retry number `attempt` (0-based): exponential up to the cap, with "equal jitter"
 * (half fixed, half random) so tabs of many devices do not return in step. `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = SYNC_BACKOFF): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + (exponential / 2) * Math.min(Math.max(random, 0), 1));
}

/** [SY6] A failed sync as a typed error with a message a person can act on. */
export function syncErrorOf(error: unknown): SyncError {
  const status =
    typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
      ? error.status
      : undefined;
  if (status === 401 || status === 403)
    return {
      code: SyncErrorCode.SHAPE_REFUSED,
      message:
        'The server no longer accepts this device’s session for syncing. Sign in again; your ' +
        'unsent changes stay on this device.',
    };
  if (status !== undefined && status >= 400 && status < 500)
    return {
      code: SyncErrorCode.SHAPE_REFUSED,
      message: `The server refused to sync (HTTP ${status}). Reload Hearth; if it persists, the app may need updating.`,
    };
  if (status !== undefined || error instanceof TypeError)
    return {
      code: SyncErrorCode.SERVER_UNAVAILABLE,
      message:
        'Hearth cannot reach its server right now. It keeps working from this device and retries on its own.',
    };
  return {
    code: SyncErrorCode.APPLY_FAILED,
    message: `Syncing stopped: ${error instanceof Error ? error.message : String(error)}. Hearth retries on its own; reload if it persists.`,
  };
}

export type IndicatorState = 'offline' | 'rejected' | 'pending' | 'error' | 'syncing' | 'up-to-date';

/** [SY9] What the status indicator says: what the user did (rejected, pending) before how far the sync got. */
export function indicatorOf(
  sync: SyncStatus,
  outbox: { pending: number; rejected: number },
): { state: IndicatorState; text: string } {
  const pending = outbox.pending > 0 ? ` · ${outbox.pending} pending` : '';
  if (sync.phase === 'offline') return { state: 'offline', text: `Offline${pending}` };
  if (outbox.rejected > 0) return { state: 'rejected', text: `${outbox.rejected} rejected${pending}` };
  if (outbox.pending > 0) return { state: 'pending', text: `${outbox.pending} pending` };
  if (sync.phase === 'error') return { state: 'error', text: 'Sync paused — retrying' };
  if (sync.phase === 'up-to-date') return { state: 'up-to-date', text: 'Up to date' };
  return { state: 'syncing', text: 'Syncing…' };
}
