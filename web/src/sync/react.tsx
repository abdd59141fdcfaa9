// React bindings of the sync for the shell: the tab's sync status from context, the first-sync
// progress bar, and the status indicator (offline / syncing / up to date / N pending / rejected) with
// the list of rejected changes it opens.
import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';
import { RejectedChanges } from '../outbox/RejectedChanges';
import { useOutboxStatus } from '../outbox/react';
import type { SyncWatcher } from './client';
import { indicatorOf, type IndicatorState, type SyncStatus } from './status';
import './sync.css';

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

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

/** What a screen reader hears and a pointer's tooltip says, for each state of the indicator. */
function describe(state: IndicatorState, sync: SyncStatus, pending: number, rejected: number) {
  const connection = state === 'offline' ? 'Connection: offline' : 'Connection: online';
  switch (state) {
    case 'offline':
      return {
        label: pending > 0 ? `${connection}, ${changes(pending)} waiting to send` : connection,
        title: 'No network: you can keep working here; changes are sent when the network is back.',
      };
    case 'rejected':
      return {
        label: `${connection}, ${changes(rejected)} refused by the server`,
        title: 'The server refused some changes: open the list to see why.',
      };
    case 'pending':
      return {
        label: `${connection}, ${changes(pending)} being sent`,
        title: 'Connected: sending your changes.',
      };
    case 'error':
      return { label: `${connection}, sync paused`, title: sync.error?.message ?? 'Sync paused — retrying.' };
    case 'syncing':
      return { label: `${connection}, syncing`, title: 'Connected: bringing this device up to date.' };
    case 'up-to-date':
      return { label: `${connection}, up to date`, title: 'Connected: changes sync as they happen.' };
  }
}

/**
 * [SY4][SY9][OB14] Always visible in the header: offline / syncing / up to date / N pending / rejected.
 * `data-state` is the machine-readable state for tests; "N rejected" opens the list of refused changes
 * with why (OB15).
 */
export function SyncStatusIndicator() {
  const sync = useSyncStatus();
  const outbox = useOutboxStatus();
  const [open, setOpen] = useState(false);
  const rejected = outbox.rejected.length;
  const { state, text } = indicatorOf(sync, { pending: outbox.pending, rejected });
  const { label, title } = describe(state, sync, outbox.pending, rejected);
  const listOpen = open && rejected > 0;
  return (
    <div className="sync-status-slot">
      <span
        className="pill sync-status"
        data-testid="sync-status"
        data-state={state}
        data-pending={outbox.pending}
        data-rejected={rejected}
        data-error-code={sync.error?.code}
        role="status"
        aria-label={label}
        title={title}
      >
        <span className="pill-dot" aria-hidden="true" />
        {rejected > 0 && state !== 'offline' ? (
          <button
            type="button"
            className="sync-status-button"
            aria-expanded={listOpen}
            aria-controls="rejected-changes"
            onClick={() => setOpen(!listOpen)}
          >
            {text}
          </button>
        ) : (
          text
        )}
      </span>
      {listOpen && <RejectedChanges onClose={() => setOpen(false)} />}
    </div>
  );
}
