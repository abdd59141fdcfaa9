// Where the leader worker keeps the replica: IndexedDB, flushed lazily so a tab's query never waits for
// storage, with an explicit flush for the writes that must survive a reload right after them. Why not
// OPFS, and the figures behind the choice: ./STORAGE.md.
import { IdbFs, Mutex } from '@electric-sql/pglite';

/** The database's name in IndexedDB (`/pglite/hearth`). */
export const REPLICA_NAME = 'hearth';

export interface ReplicaStorage {
  /** PGlite's file system: pass it with `relaxedDurability: true`. */
  readonly fs: IdbFs;
  /** Writes everything committed so far to IndexedDB; resolves once its transaction is done. */
  readonly flush: () => Promise<void>;
}

export function replicaStorage(): ReplicaStorage {
  const fs = new IdbFs(REPLICA_NAME);
  // One explicit flush at a time; PGlite's own lazy flushes may overlap them (IndexedDB commits
  // read-write transactions on one store in the order they were opened, each a whole snapshot).
  const flushes = new Mutex();
  return { fs, flush: () => flushes.runExclusive(() => fs.syncToFs()) };
}
