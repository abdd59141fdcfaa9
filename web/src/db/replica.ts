// Opens the shared local replica from a tab: starts this tab's copy of the replica worker and joins the
// origin's leader through PGliteWorker (the leader picks the storage: ./storage). Failures arrive as typed ReplicaErrors.
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { countReplicaTables } from './local-schema';
import {
  REPLICA_ERROR_CHANNEL,
  REPLICA_FLUSH_CHANNEL,
  ReplicaError,
  ReplicaErrorCode,
  isReplicaErrorMessage,
  isReplicaFlushMessage,
  type ReplicaFlushMessage,
} from './protocol';

/** The tab's handle on the shared database, with live queries (views, outbox status). */
export type ReplicaDb = PGliteWorker & PGliteWithLive;

export interface Replica {
  readonly db: ReplicaDb;
  /** Tables the app can read, as the database itself reports them. */
  tableCount(): Promise<number>;
  /**
   * Resolves once everything committed so far is in storage (the leader flushes lazily otherwise).
   * Rejects with a `REPLICA_FLUSH_FAILED` ReplicaError.
   */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** How long a tab waits for the leader's flush; past it the leader is likely being replaced. */
const FLUSH_ANSWER_MS = 15_000;

/** Asks the leader worker (whichever tab runs it) to flush, over REPLICA_FLUSH_CHANNEL. */
export function flushReplica(): Promise<void> {
  const channel = new BroadcastChannel(REPLICA_FLUSH_CHANNEL);
  const id = crypto.randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<void>((resolve, reject) => {
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isReplicaFlushMessage(message) || message.type !== 'flushed' || message.id !== id) return;
      if (message.error === null) resolve();
      else
        reject(
          new ReplicaError(
            ReplicaErrorCode.FLUSH_FAILED,
            `This device could not store the change: ${message.error}. Free some space or allow site storage, then try again.`,
          ),
        );
    });
    timer = setTimeout(
      () =>
        reject(
          new ReplicaError(
            ReplicaErrorCode.FLUSH_FAILED,
            'The local database did not confirm it stored the change. Keep this tab open until it syncs.',
          ),
        ),
      FLUSH_ANSWER_MS,
    );
    channel.postMessage({ type: 'flush', id } satisfies ReplicaFlushMessage);
  }).finally(() => {
    clearTimeout(timer);
    channel.close();
  });
}

export async function openReplica(): Promise<Replica> {
  const workerScript = new Worker(new URL('./replica.worker.ts', import.meta.url), {
    type: 'module',
    name: 'hearth-replica',
  });
  performance.mark('hearth:worker-spawned');
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
  const db = new PGliteWorker(workerScript, { extensions: { live } }) as ReplicaDb;
  try {
    await Promise.race([db.waitReady, failed]);
  } catch (error) {
    errors.close();
    await db.close();
    throw error;
  }
  performance.mark('hearth:replica-open');
  return {
    db,
    tableCount: () => countReplicaTables(db),
    flush: flushReplica,
    async close() {
      errors.close();
      await db.close();
    },
  };
}
