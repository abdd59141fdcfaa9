// Opens the shared local replica from a tab: starts this tab's copy of the replica worker and joins the
// origin's leader through PGliteWorker. Failures arrive as typed ReplicaErrors.
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { countReplicaTables } from './local-schema';
import { REPLICA_ERROR_CHANNEL, ReplicaError, ReplicaErrorCode, isReplicaErrorMessage } from './protocol';

export const REPLICA_DATA_DIR = 'idb://hearth';

/** The tab's handle on the shared database, with live queries (views, outbox status). */
export type ReplicaDb = PGliteWorker & PGliteWithLive;

export interface Replica {
  readonly db: ReplicaDb;
  /** Tables the app can read, as the database itself reports them. */
  tableCount(): Promise<number>;
  close(): Promise<void>;
}

export async function openReplica(): Promise<Replica> {
  const workerScript = new Worker(new URL('./replica.worker.ts', import.meta.url), {
    type: 'module',
    name: 'hearth-replica',
  });
  const errors = new BroadcastChannel(REPLICA_ERROR_CHANNEL);
  const failed = new Promise<never>((_, reject) => {
    errors.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isReplicaErrorMessage(event.data)) reject(new ReplicaError(event.data.code, event.data.message));
    });
    workerScript.addEventListener('error', (event) => {
      reject(
        new ReplicaError(
          ReplicaErrorCode.WORKER_FAILED,
          `Hearth's database worker failed to start: ${event.message || 'the script did not load'}. ` +
            'Reload the page; if you are offline, open Hearth once online first.',
        ),
      );
    });
  });
  const db = new PGliteWorker(workerScript, { dataDir: REPLICA_DATA_DIR, extensions: { live } }) as ReplicaDb;
  try {
    await Promise.race([db.waitReady, failed]);
  } catch (error) {
    errors.close();
    await db.close();
    throw error;
  }
  return {
    db,
    tableCount: () => countReplicaTables(db),
    async close() {
      errors.close();
      await db.close();
    },
  };
}
