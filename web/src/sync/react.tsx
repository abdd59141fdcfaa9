// React bindings of the sync for the shell: the tab's sync status from context, the first-sync
// progress bar, and the status indicator (offline / syncing / up to date / N pending / rejected).
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { useOutboxStatus } from '../outbox/react';
import type { SyncWatcher } from './client';
import { indicatorOf, type SyncStatus } from './status';

const SyncContext = createContext<SyncWatcher | null>(null);

/** `sync` is the tab's `startSync()` (main.tsx), made once next to the replica and the outbox client. */
export function SyncProvider({ sync, children }: { sync: SyncWatcher; children?: ReactNode }) {
  return <SyncContext.Provider value={sync}>{children}</SyncContext.Provider>;
}

export function useSyncStatus(): SyncStatus {
  const sync = useContext(SyncContext);
  if (sync === null)
    throw new Error('useSyncStatus() needs a <SyncProvider sync={startSync()}> above it (see main.tsx).');
  return useSyncExternalStore(sync.subscribe, sync.getStatus);
}

/** [SY3] While the replica fills for the first time: a progress bar of the shapes that are in. */
export function FirstSyncProgress() {
  const { phase, progress } = useSyncStatus();
  if (phase !== 'initial') return null;
  const { shapesUpToDate, shapesTotal } = progress;
  return (
    <section className="first-sync card" data-testid="first-sync" aria-live="polite">
      <label htmlFor="first-sync-bar">Bringing your communities to this device…</label>
      <progress
        id="first-sync-bar"
        data-testid="first-sync-bar"
        role="progressbar"
        max={Math.max(shapesTotal, 1)}
        value={shapesUpToDate}
        aria-valuemin={0}
        aria-valuemax={shapesTotal}
        aria-valuenow={shapesUpToDate}
        aria-valuetext={`${shapesUpToDate} of ${shapesTotal} collections synced`}
      />
      <span className="first-sync-count">
        {shapesUpToDate} / {shapesTotal}
      </span>
    </section>
  );
}

/** [SY4] Always visible in the header: `data-state` is the machine-readable state for tests. */
export function SyncStatusIndicator() {
  const sync = useSyncStatus();
  const outbox = useOutboxStatus();
  const { state, text } = indicatorOf(sync, { pending: outbox.pending, rejected: outbox.rejected.length });
  return (
    <span
      className="sync-status"
      data-testid="sync-status"
      data-state={state}
      data-error-code={sync.error?.code}
      role="status"
      title={sync.error?.message}
    >
      {text}
    </span>
  );
}
