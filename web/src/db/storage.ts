// Where the leader worker keeps the replica: IndexedDB, flushed lazily so a tab's query never waits for
// storage, with an explicit flush for the writes that must survive a reload right after them. Why not
// OPFS, and the figures behind the choice: ./STORAGE.md; when the lazy flushes run: ./flush-schedule.ts.
import { IdbFs } from '@electric-sql/pglite';
import { flushSchedule, type FlushSchedule } from './flush-schedule';

/** The database's name in IndexedDB (`/pglite/hearth`). */
export const REPLICA_NAME = 'hearth';

/**
 * [RB1] Automatic flushes wait for this long without a statement (a burst of them, as at boot, is one
 * flush), but never longer than the bound after the first unstored change. Figures: ./BOOT.md.
 */
const QUIET_MS = 300;
const MAX_DELAY_MS = 2_000;

export interface ReplicaStorage {
  /** PGlite's file system: pass it with `relaxedDurability: true`. */
  readonly fs: IdbFs;
  /** Writes everything committed so far to IndexedDB; resolves once its transaction is done. */
  readonly flush: () => Promise<void>;
}

/**
 * IDBFS whose per-statement flush (PGlite calls `syncToFs` after every one) only marks the replica
 * changed; the schedule stores it. One IDBFS flush is one IndexedDB transaction of every file changed
 * since the last, so a crash keeps a whole snapshot or none of it.
 */
class ScheduledIdbFs extends IdbFs {
  readonly schedule: FlushSchedule;

  constructor(name: string) {
    super(name);
    this.schedule = flushSchedule({
      store: () => this.storeQuietly(),
      quietMs: QUIET_MS,
      maxDelayMs: MAX_DELAY_MS,
      onError: (error) => console.error('Hearth: could not store the local replica:', error),
    });
  }

  /** Reads the whole data directory into memory (the boot's largest step: ./BOOT.md). */
  override async initialSyncFs(): Promise<void> {
    performance.mark('hearth:idb-load-start');
    await super.initialSyncFs();
    performance.mark('hearth:idb-loaded');
  }

  /**
   * [RB5] One IDBFS flush lists the data directory, then reads and writes each changed file in later
   * IndexedDB callbacks. A statement run in between may remove a file it listed (a recycled 1 MiB WAL
   * segment, a relation rewritten by VACUUM FULL or DROP DATABASE); reading it then throws Emscripten's
   * ErrnoError (ENOENT: a plain object, not an Error, so it printed as "ErrnoError" / "[object Object]"),
   * the flush fails half written and an explicit one fails its `mutate`. Holding PGlite's query lock
   * for the flush keeps the directory still: statements queue for one flush, not for every statement.
   */
  private storeQuietly(): Promise<void> {
    const pg = this.pg;
    return pg === undefined ? super.syncToFs() : pg.runExclusive(() => super.syncToFs());
  }

  override syncToFs(): Promise<void> {
    this.schedule.changed();
    return Promise.resolve();
  }

  override async closeFs(): Promise<void> {
    if (this.schedule.pending()) await this.schedule.flushNow();
    await super.closeFs();
  }
}

export function replicaStorage(): ReplicaStorage {
  const fs = new ScheduledIdbFs(REPLICA_NAME);
  return { fs, flush: () => fs.schedule.flushNow() };
}
