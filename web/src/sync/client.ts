// A tab's view of the sync that the leader's worker runs: the worker's last published state (asked for
// on start, then pushed on every change) with this tab's connectivity laid over it (./status).
import { SYNC_CHANNEL, isSyncMessage, type SyncMessage } from './protocol';
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
