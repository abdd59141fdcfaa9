// A tab's view of the sync that the leader's worker runs: the worker's last published state (asked for
// on start, then pushed on every change) with this tab's connectivity laid over it (./status).
import { SYNC_CHANNEL, SYNC_HANDOVER_LOCK, isSyncMessage, type SyncMessage } from './protocol';
import { syncStatusOf, type SyncStatus, type WorkerSyncState } from './status';

export interface SyncWatcher {
  readonly subscribe: (listener: () => void) => () => void;
  readonly getStatus: () => SyncStatus;
  readonly close: () => void;
}

/**
 * Starts the sync (in the replica's leader worker, once for all tabs) and watches it from this tab.
 * The request goes out once this tab's replica is open, so the leader is there to hear it.
 */
export function startSync(replica: Promise<unknown>): SyncWatcher {
  const channel = new BroadcastChannel(SYNC_CHANNEL);
  const listeners = new Set<() => void>();
  let worker: WorkerSyncState | null = null;
  let status = syncStatusOf(worker, navigator.onLine);

  function changed(): void {
    status = syncStatusOf(worker, navigator.onLine);
    for (const listener of listeners) listener();
  }
  const post = (message: SyncMessage) => channel.postMessage(message);

  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isSyncMessage(event.data) || event.data.type !== 'sync-state') return;
    worker = event.data.state;
    changed();
  });
  const onOnline = () => {
    post({ type: 'sync-retry' });
    changed();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', changed);
  replica.then(
    () => post({ type: 'sync-state-request' }),
    () => undefined, // the shell shows why the replica did not open
  );

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getStatus: () => status,
    close() {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', changed);
      channel.close();
      listeners.clear();
    },
  };
}

/** How long a tab waits for the leader to say the sync stopped before it rewrites the replica anyway. */
const STOP_ANSWER_MS = 15_000;

/**
 * [SY11] Runs `rewrite` (a transaction that empties or swaps the synced layer: sign-out, another
 * account) while the leader's sync is stopped and none of its commits is pending, so nothing of the
 * previous identity is written after it. The sync resumes for whoever the identity row then names.
 * Call it once the replica is open (the leader is there to answer).
 */
export async function withSyncStopped<T>(rewrite: () => Promise<T>): Promise<T> {
  return navigator.locks.request(SYNC_HANDOVER_LOCK, async () => {
    const channel = new BroadcastChannel(SYNC_CHANNEL);
    const id = crypto.randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const stopped = new Promise<boolean>((resolve) => {
        channel.addEventListener('message', (event: MessageEvent<unknown>) => {
          const message = event.data;
          if (isSyncMessage(message) && message.type === 'sync-stopped' && message.id === id) resolve(true);
        });
        // A leader that never answers (it is being replaced) must not block a sign-out for good.
        timer = setTimeout(() => resolve(false), STOP_ANSWER_MS);
      });
      channel.postMessage({ type: 'sync-stop', id } satisfies SyncMessage);
      if (!(await stopped))
        console.warn('Hearth: the sync did not confirm it stopped; rewriting the replica anyway.');
      return await rewrite();
    } finally {
      clearTimeout(timer);
      channel.close();
    }
  });
}
