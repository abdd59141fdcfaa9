// The one PGlite of this origin. PGlite's worker elects a leader among the tabs' workers; only the leader
// opens `idb://hearth` and the other tabs talk to it, so every tab sees the same local replica.
import { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { rebuildOverlay } from '../outbox/store';
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
    let db: PGlite;
    try {
      db = await PGlite.create({ dataDir });
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
    return db;
  },
});
