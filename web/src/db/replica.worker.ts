// The one PGlite of this origin. PGlite's worker elects a leader among the tabs' workers; only the leader
// opens the IndexedDB database `hearth` (./storage) and the other tabs talk to it, so every tab sees the
// same local replica.
import { PGlite } from '@electric-sql/pglite';
import pgliteWasmUrl from '@electric-sql/pglite/pglite.wasm?url';
import pgliteDataUrl from '@electric-sql/pglite/pglite.data?url';
import { worker } from '@electric-sql/pglite/worker';
import { electricSync } from '@electric-sql/pglite-sync';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { rebuildOverlay } from '../outbox/store';
import { startReplicaSync, type ReplicaSync } from '../sync/engine';
import {
  IDENTITY_CHANNELS,
  SYNC_CHANNEL,
  SYNC_HANDOVER_LOCK,
  isIdentityMessage,
  isSyncMessage,
  type SyncMessage,
} from '../sync/protocol';
import { SYNC_OPTIONS } from '../sync/targets';
import { applyLocalSchema, dropTemplateDatabases } from './local-schema';
import { REPLICA_NAME, replicaStorage, type ReplicaStorage } from './storage';
import {
  REPLICA_ERROR_CHANNEL,
  REPLICA_FLUSH_CHANNEL,
  ReplicaError,
  ReplicaErrorCode,
  isReplicaFlushMessage,
  type ReplicaErrorMessage,
  type ReplicaFlushMessage,
} from './protocol';

function announceFailure(error: ReplicaError): void {
  const message: ReplicaErrorMessage = { type: 'replica-error', code: error.code, message: error.message };
  const channel = new BroadcastChannel(REPLICA_ERROR_CHANNEL);
  channel.postMessage(message);
  channel.close();
}

performance.mark('hearth:worker-start');

await worker({
  async init() {
    performance.mark('hearth:leader-init');
    // Flushed lazily: a tab's statement never waits for IndexedDB; writes that must last ask (./storage).
    const storage = replicaStorage();
    let db;
    try {
      // The wasm compiles (from V8's code cache, once cached) while the data bundle loads: ./BOOT.md.
      const [pgliteWasmModule, fsBundle] = await Promise.all([
        WebAssembly.compileStreaming(fetch(pgliteWasmUrl)),
        fetch(pgliteDataUrl).then((response) => response.blob()),
      ]);
      db = await PGlite.create({
        pgliteWasmModule,
        fsBundle,
        fs: storage.fs,
        // [RB4] New replicas get 1 MiB WAL segments: a flush rewrites the current segment whole.
        initDbStartParams: ['--wal-segsize=1'],
        relaxedDurability: true,
        extensions: { electric: electricSync(SYNC_OPTIONS) },
      });
    } catch (cause) {
      const error = new ReplicaError(
        ReplicaErrorCode.OPEN_FAILED,
        `Hearth could not open its local database (IndexedDB "${REPLICA_NAME}"): ${String(cause)}. ` +
          'Check that this browser allows site storage (private windows often block it).',
      );
      announceFailure(error);
      throw error;
    }
    performance.mark('hearth:pglite-open');
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
    performance.mark('hearth:schema-ready');
    // [RB3] Half the data directory the boot reads is template databases Hearth never uses.
    await dropTemplateDatabases(db).catch((error: unknown) =>
      console.warn('Hearth: could not drop the unused template databases:', error),
    );
    answerFlushes(storage);
    startSync(db, storage);
    return db;
  },
});

/** Only the leader answers a tab's flush request (../db/replica.ts `flushReplica`). */
function answerFlushes(storage: ReplicaStorage): void {
  const channel = new BroadcastChannel(REPLICA_FLUSH_CHANNEL);
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isReplicaFlushMessage(message) || message.type !== 'flush') return;
    const answer = (error: string | null) =>
      channel.postMessage({ type: 'flushed', id: message.id, error } satisfies ReplicaFlushMessage);
    storage.flush().then(
      () => answer(null),
      (error: unknown) => answer(String(error)),
    );
  });
}

/**
 * Only the leader's worker gets here. It syncs for every tab once a tab asks (sync/client.ts
 * `startSync`), and tells them how far it got.
 */
function startSync(db: Parameters<typeof startReplicaSync>[0], storage: ReplicaStorage): void {
  const channel = new BroadcastChannel(SYNC_CHANNEL);
  const post = (message: SyncMessage) => channel.postMessage(message);
  let started: Promise<ReplicaSync> | null = null;
  const start = () =>
    startReplicaSync(db, {
      origin: self.location.origin,
      flush: storage.flush,
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
    if (message.type === 'sync-state' || message.type === 'sync-stopped') return; // the worker's own kind
    if (started === null) performance.mark('hearth:sync-start');
    started ??= start();
    started
      .then(async (sync) => {
        if (message.type === 'sync-state-request') post({ type: 'sync-state', state: sync.state() });
        if (message.type === 'sync-retry') sync.retryNow();
        if (message.type === 'sync-stop') {
          // [SY11] Stopped and quiet; the asking tab rewrites the synced layer while it holds the
          // handover lock, and the sync resumes once the lock is free (done, or that tab is gone).
          const release = await sync.hold();
          post({ type: 'sync-stopped', id: message.id });
          await navigator.locks.request(SYNC_HANDOVER_LOCK, release);
        }
      })
      .catch((error: unknown) => console.error('Hearth sync:', error));
  });
  self.addEventListener('online', () => void started?.then((sync) => sync.retryNow()));
}
