// The one PGlite of this origin. PGlite's worker elects a leader among the tabs' workers; only the leader
// opens `idb://hearth` and the other tabs talk to it, so every tab sees the same local replica.
import { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { electricSync } from '@electric-sql/pglite-sync';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { rebuildOverlay } from '../outbox/store';
import { startReplicaSync, type ReplicaSync } from '../sync/engine';
import {
  IDENTITY_CHANNELS,
  SYNC_CHANNEL,
  isIdentityMessage,
  isSyncMessage,
  type SyncMessage,
} from '../sync/protocol';
import { SYNC_OPTIONS } from '../sync/targets';
import { applyLocalSchema } from './local-schema';
import { REPLICA_ERROR_CHANNEL, ReplicaError, ReplicaErrorCode, type ReplicaErrorMessage } from './protocol';

function announceFailure(error: ReplicaError): void {
  const message: ReplicaErrorMessage = { type: 'replica-error', code: error.code, message: error.message };
  const channel = new BroadcastChannel(REPLICA_ERROR_CHANNEL);
  channel.postMessage(message);
  channel.close();
}

await worker({
  async init(options) {
    const dataDir = options.dataDir ?? 'idb://hearth';
    let db;
    try {
      db = await PGlite.create({ dataDir, extensions: { electric: electricSync(SYNC_OPTIONS) } });
    } catch (cause) {
      const error = new ReplicaError(
        ReplicaErrorCode.OPEN_FAILED,
        `Hearth could not open its local database (${dataDir}): ${String(cause)}. ` +
          'Check that this browser allows site storage (private windows often block it).',
      );
      announceFailure(error);
      throw error;
    }
    try {
      // A new app version resets the derived layers; the outbox stays and re-lays its overlay (OB3).
      await applyLocalSchema(db, localSchemaSql(), localSchemaVersion(), { afterReset: rebuildOverlay });
    } catch (cause) {
      const error = new ReplicaError(
        ReplicaErrorCode.SCHEMA_FAILED,
        `Hearth could not set up its local tables: ${String(cause)}. Reload to try again; ` +
          'if it persists, clear this site’s data and sync again.',
      );
      announceFailure(error);
      throw error;
    }
    startSync(db);
    return db;
  },
});

/**
 * Only the leader's worker gets here. It syncs for every tab once a tab asks (sync/client.ts
 * `startSync`), and tells them how far it got.
 */
function startSync(db: Parameters<typeof startReplicaSync>[0]): void {
  const channel = new BroadcastChannel(SYNC_CHANNEL);
  const post = (message: SyncMessage) => channel.postMessage(message);
  let started: Promise<ReplicaSync> | null = null;
  const start = () =>
    startReplicaSync(db, {
      origin: self.location.origin,
      publish: (state) => post({ type: 'sync-state', state }),
      identityChanged(listener) {
        const channels = IDENTITY_CHANNELS.map((name) => new BroadcastChannel(name));
        for (const identity of channels)
          identity.addEventListener('message', (event: MessageEvent<unknown>) => {
            if (isIdentityMessage(event.data)) listener();
          });
        return () => channels.forEach((identity) => identity.close());
      },
    });
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isSyncMessage(event.data)) return;
    const message = event.data;
    started ??= start();
    started.then(
      (sync) => {
        if (message.type === 'sync-state-request') post({ type: 'sync-state', state: sync.state() });
        if (message.type === 'sync-retry') sync.retryNow();
      },
      (error: unknown) => console.error('Hearth could not start syncing:', error),
    );
  });
  self.addEventListener('online', () => void started?.then((sync) => sync.retryNow()));
}
