// The sync itself, run by the replica's leader worker (one per origin, so nothing syncs twice): the
// gateway's named shapes into the synced tables through pglite-sync, re-subscribed when the identity on
// this device changes, retried with backoff after a failure, its progress published to the tabs.
import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import type {
  ShapeToTableOptions,
  SyncNamespaceObj,
  SyncShapesToTablesResult,
} from '@electric-sql/pglite-sync';
import { quoteIdent } from '@hearth/schema';
import { IDENTITY_TABLE, SYNC_METADATA_SCHEMA } from '../db/local-schema';
import {
  backoffDelay,
  progressState,
  shapeNamesFor,
  subscriptionKey,
  syncErrorOf,
  type WorkerSyncState,
} from './status';
import { budgetedShapeFetch } from './shape-fetch';
import { shapeTargets } from './targets';

/** The leader's PGlite with the pglite-sync (`electric`) extension loaded. */
export type SyncingDb = PGliteInterface & { readonly electric: SyncNamespaceObj };

/** pglite-sync keeps each subscription's handles and offsets in this table of its metadata schema. */
const SUBSCRIPTIONS_TABLE = `${quoteIdent(SYNC_METADATA_SCHEMA)}.subscriptions_metadata`;

export interface ReplicaSyncOptions {
  /** Shape URLs are absolute: `${origin}/api/shapes/<name>`. */
  readonly origin: string;
  readonly publish: (state: WorkerSyncState) => void;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Calls back whenever this device's identity row may have changed (sign-in, sign-out); returns a stop. */
  readonly identityChanged: (listener: () => void) => () => void;
  readonly log?: (message: string, error: unknown) => void;
  /**
   * Puts what is committed into storage (the replica flushes lazily: db/STORAGE.md). The first full
   * sync is reported done only once it is stored, so a reload right after resumes instead of restarting.
   */
  readonly flush?: () => Promise<void>;
}

export interface ReplicaSync {
  readonly state: () => WorkerSyncState;
  /** After a failure, tries again now instead of waiting out the backoff (the network came back). */
  readonly retryNow: () => void;
  /**
   * [SY11] Stops syncing and resolves once nothing of pglite-sync writes any more: its streams are
   * aborted and every commit it had started or queued has ended. Syncing resumes, from whatever the
   * identity row then says, when the returned `release` is called.
   */
  readonly hold: () => Promise<() => void>;
  readonly stop: () => void;
}

interface Running {
  readonly result: SyncShapesToTablesResult;
  readonly unsubscribes: readonly (() => void)[];
}

/**
 * [SY2] Readies the synced layer for `key`: with saved progress for it, sync resumes; without, the
 * synced rows of whoever synced before are dropped (the overlay and the outbox stay) and sync starts
 * from scratch. Returns whether it starts from scratch.
 */
async function prepareSubscription(db: SyncingDb, key: string): Promise<boolean> {
  await db.electric.initMetadataTables();
  return db.transaction(async (tx) => {
    const saved = await tx.query(`select 1 from ${SUBSCRIPTIONS_TABLE} where key = $1`, [key]);
    if (saved.rows.length > 0) return false;
    await tx.query(`delete from ${SUBSCRIPTIONS_TABLE}`);
    for (const [, target] of shapeTargets())
      await tx.query(`delete from ${quoteIdent(target.schema)}.${quoteIdent(target.table)}`);
    return true;
  });
}

/**
 * The wire carries bytea as Postgres text (`\x` + hex, protocol "Value parsing"); PGlite binds only
 * bytes to a bytea parameter, so a row with one (signing keys, media digests) must arrive as bytes.
 * (The client's `Parser` type only knows JSON values, hence the cast where it is passed.)
 */
const BYTEA_PARSER = {
  bytea: (value: string): Uint8Array => {
    const hex = value.startsWith('\\x') ? value.slice(2) : value;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  },
} as unknown as NonNullable<ShapeToTableOptions['shape']['parser']>;

function shapeOptions(
  origin: string,
  names: readonly string[],
  fetchClient: typeof fetch,
): Record<string, ShapeToTableOptions> {
  const targets = shapeTargets();
  const shapes: Record<string, ShapeToTableOptions> = {};
  for (const name of names) {
    const target = targets.get(name);
    if (target === undefined) throw new Error(`named shape "${name}" has no sync target (sync/targets.ts)`);
    const qualified = `${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
    shapes[name] = {
      shape: {
        url: `${origin}/api/shapes/${encodeURIComponent(name)}`,
        fetchClient,
        parser: BYTEA_PARSER,
      },
      schema: target.schema,
      table: target.table,
      primaryKey: [...target.primaryKey],
      // [SY7] A 409 (the viewer's visibility changed) empties only this synced table, in the same
      // transaction that writes the refetched rows; the overlay of pending changes stays.
      onMustRefetch: async (tx: Transaction) => {
        await tx.exec(`delete from ${qualified}`);
      },
    };
  }
  return shapes;
}

export async function startReplicaSync(db: SyncingDb, options: ReplicaSyncOptions): Promise<ReplicaSync> {
  const random = options.random ?? Math.random;
  // One budget for every subscription of this replica, so a re-subscribe never doubles it (SY10).
  const fetchClient = budgetedShapeFetch(options.fetch ?? fetch.bind(globalThis));
  const log = options.log ?? ((message, error) => console.error(message, error));
  let state: WorkerSyncState = progressState({
    fresh: false,
    initialSyncDone: false,
    shapesUpToDate: 0,
    shapesTotal: 0,
  });
  let generation = 0;
  let attempt = 0;
  let running: Running | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let syncingFor: string | null | undefined;
  let stopped = false;
  let holds = 0;
  // The latest subscribe's run, so a hold can wait until it has either subscribed (and been stopped) or given up.
  let starting: Promise<void> = Promise.resolve();

  function set(next: WorkerSyncState): void {
    state = next;
    options.publish(next);
  }

  function stopRunning(): void {
    clearTimeout(retryTimer);
    if (running === null) return;
    for (const unsubscribe of running.unsubscribes) unsubscribe();
    running.result.unsubscribe();
    running = null;
  }

  function failed(gen: number, error: unknown): void {
    if (gen !== generation || stopped) return;
    stopRunning();
    log('Hearth sync failed:', error);
    set({ phase: 'error', progress: state.progress, error: syncErrorOf(error) });
    // [SY5] Retry with backoff; a success resets the count.
    const delay = backoffDelay(attempt, random());
    attempt += 1;
    retryTimer = setTimeout(() => subscribe(syncingFor ?? null), delay);
  }

  async function run(gen: number, userId: string | null): Promise<void> {
    const names = shapeNamesFor(userId !== null);
    const key = subscriptionKey(userId);
    const fresh = await prepareSubscription(db, key);
    if (gen !== generation) return;
    let initialSyncDone = false;
    const report = () => {
      if (gen !== generation || running === null) return;
      const streams = Object.values(running.result.streams);
      const shapesUpToDate = streams.filter((stream) => stream.isUpToDate).length;
      // Resuming with nothing new, pglite-sync commits nothing and never calls onInitialSync: the
      // rows are already here, so every shape being live is enough.
      if (!fresh && shapesUpToDate === names.length) initialSyncDone = true;
      set(progressState({ fresh, initialSyncDone, shapesUpToDate, shapesTotal: names.length }));
    };
    set(progressState({ fresh, initialSyncDone, shapesUpToDate: 0, shapesTotal: names.length }));
    const result = await db.electric.syncShapesToTables({
      key,
      shapes: shapeOptions(options.origin, names, fetchClient),
      onInitialSync: () => {
        const stored = options.flush?.() ?? Promise.resolve();
        void stored
          .catch((error: unknown) => log('Hearth sync could not store the first sync yet:', error))
          .then(() => {
            initialSyncDone = true;
            attempt = 0;
            report();
          });
      },
      onError: (error) => failed(gen, error),
    });
    if (gen !== generation) {
      result.unsubscribe();
      return;
    }
    // Each stream's own subscription only counts which shapes are live, for the progress bar.
    const unsubscribes = Object.values(result.streams).map((stream) =>
      stream.subscribe(report, () => undefined),
    );
    running = { result, unsubscribes };
    report();
  }

  function subscribe(userId: string | null): void {
    if (stopped || holds > 0) return;
    generation += 1;
    const gen = generation;
    stopRunning();
    starting = run(gen, userId).catch((error: unknown) => failed(gen, error));
  }

  /**
   * [SY11] pglite-sync starts each commit without awaiting it (its stream callback fires and forgets
   * `commitUpToLsn`), and `unsubscribe()` only makes a commit still to come roll back. Every commit is
   * a `db.transaction`, and PGlite queues transactions first come, first served; so once the streams are
   * stopped and the callbacks already running have had their turn (a macrotask), an empty transaction
   * ends after the last of them.
   */
  async function quiesce(): Promise<void> {
    await starting;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    await db.transaction(() => Promise.resolve());
  }

  // [SY8] Sign-in and sign-out rewrite the identity row and then say so (`identityChanged`): the
  // sync reads the row again and follows it.
  async function readUserId(): Promise<string | null> {
    const { rows } = await db.query<{ user_id: string }>(`select user_id from ${IDENTITY_TABLE}`);
    return rows[0]?.user_id ?? null;
  }
  function onIdentity(userId: string | null): void {
    if (userId === syncingFor) return;
    syncingFor = userId;
    attempt = 0;
    subscribe(userId);
  }
  const followIdentity = () =>
    readUserId().then(onIdentity, (error: unknown) => log('Hearth sync could not read the identity:', error));
  const stopFollowing = options.identityChanged(() => void followIdentity());
  onIdentity(await readUserId());

  return {
    state: () => state,
    retryNow() {
      if (state.phase !== 'error' || stopped) return;
      subscribe(syncingFor ?? null);
    },
    async hold() {
      holds += 1;
      generation += 1;
      stopRunning();
      await quiesce();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds > 0 || stopped) return;
        // The rows and progress may all be gone (a sign-out): subscribe again whatever the identity is.
        syncingFor = undefined;
        void followIdentity();
      };
    },
    stop() {
      stopped = true;
      generation += 1;
      stopRunning();
      stopFollowing();
    },
  };
}
