// What the sync in the leader's worker and the tabs say to each other over a BroadcastChannel: the
// worker's state as it changes, a new tab's request for it, a tab's "the network is back", and the
// stop a tab asks for before it rewrites the synced layer (SY11).
import type { WorkerSyncState } from './status';

export const SYNC_CHANNEL = 'hearth-sync';

/**
 * Where tabs say the identity row was just written: `AUTH_CHANNEL` of auth/session.ts (`signed-in`,
 * `signed-out`) and `OUTBOX_CHANNEL` of outbox/client.ts (`signed-in`). Named here so the worker need
 * not load those modules.
 */
export const IDENTITY_CHANNELS = ['hearth-auth', 'hearth-outbox'] as const;

export function isIdentityMessage(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const { type } = data as Record<string, unknown>;
  return type === 'signed-in' || type === 'signed-out';
}

/**
 * [SY11] Held by a tab while it rewrites the replica's synced layer (sign-out, another account signing
 * in). The worker's sync stays stopped until it can take this lock, so a tab that dies mid-rewrite
 * (its locks go with it) never leaves the sync stopped.
 */
export const SYNC_HANDOVER_LOCK = 'hearth-sync-handover';

export type SyncMessage =
  | { readonly type: 'sync-state'; readonly state: WorkerSyncState }
  | { readonly type: 'sync-state-request' }
  | { readonly type: 'sync-retry' }
  /** A tab holding SYNC_HANDOVER_LOCK asks the sync to stop; `sync-stopped` with the same id answers. */
  | { readonly type: 'sync-stop'; readonly id: string }
  | { readonly type: 'sync-stopped'; readonly id: string };

const PHASES: ReadonlySet<string> = new Set(['initial', 'syncing', 'up-to-date', 'error']);

function isState(value: unknown): value is WorkerSyncState {
  if (typeof value !== 'object' || value === null) return false;
  const { phase, progress } = value as Record<string, unknown>;
  if (typeof phase !== 'string' || !PHASES.has(phase)) return false;
  if (typeof progress !== 'object' || progress === null) return false;
  const { shapesUpToDate, shapesTotal } = progress as Record<string, unknown>;
  return typeof shapesUpToDate === 'number' && typeof shapesTotal === 'number';
}

export function isSyncMessage(data: unknown): data is SyncMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, state, id } = data as Record<string, unknown>;
  if (type === 'sync-state') return isState(state);
  if (type === 'sync-stop' || type === 'sync-stopped') return typeof id === 'string';
  return type === 'sync-state-request' || type === 'sync-retry';
}
