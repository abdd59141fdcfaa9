// What the replica worker tells the tabs beyond PGlite's own RPC: why opening the database failed.
// PGlite's worker protocol has no error path for `init`, so a failure would leave every tab waiting.

/** Typed failure codes of the local replica; the UI switches on these, never on the message. */
export const ReplicaErrorCode = {
  /** The worker script could not load or crashed before the database opened. */
  WORKER_FAILED: 'REPLICA_WORKER_FAILED',
  /** The database opened but `localSchemaSql()` did not apply. */
  SCHEMA_FAILED: 'REPLICA_SCHEMA_FAILED',
  /** PGlite could not open its data directory (IndexedDB blocked, quota, private mode). */
  OPEN_FAILED: 'REPLICA_OPEN_FAILED',
  /** A write could not be made durable: storage refused it, or no leader answered in time. */
  FLUSH_FAILED: 'REPLICA_FLUSH_FAILED',
} as const;
export type ReplicaErrorCode = (typeof ReplicaErrorCode)[keyof typeof ReplicaErrorCode];

/** Broadcast to every tab of the origin, since only the leader's worker runs `init`. */
export const REPLICA_ERROR_CHANNEL = 'hearth-replica-errors';

export interface ReplicaErrorMessage {
  readonly type: 'replica-error';
  readonly code: ReplicaErrorCode;
  readonly message: string;
}

export class ReplicaError extends Error {
  constructor(
    readonly code: ReplicaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplicaError';
  }
}

const knownCodes: ReadonlySet<string> = new Set(Object.values(ReplicaErrorCode));

export function isReplicaErrorMessage(data: unknown): data is ReplicaErrorMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, code, message } = data as Record<string, unknown>;
  return (
    type === 'replica-error' &&
    typeof code === 'string' &&
    knownCodes.has(code) &&
    typeof message === 'string'
  );
}

/**
 * A tab asks the leader to write the data directory to storage now and waits for the answer: the
 * replica flushes lazily (relaxed durability, ./STORAGE.md), so writes that must survive a reload right
 * after them (an outbox entry, a sign-out's clear) ask for it.
 */
export const REPLICA_FLUSH_CHANNEL = 'hearth-replica-flush';

export type ReplicaFlushMessage =
  | { readonly type: 'flush'; readonly id: string }
  | { readonly type: 'flushed'; readonly id: string; readonly error: string | null };

export function isReplicaFlushMessage(data: unknown): data is ReplicaFlushMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, id, error } = data as Record<string, unknown>;
  if (typeof id !== 'string') return false;
  return type === 'flush' || (type === 'flushed' && (error === null || typeof error === 'string'));
}
