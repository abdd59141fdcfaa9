// The shape log store: per shape its metadata, snapshot entries, then one append per transaction,
// each entry kept as its exact encoded JSON at its offset (SPEC.md SE32, SE39–SE47). Two
// implementations pass one contract suite: `MemoryShapeLogStore` and `DiskShapeLogStore`.
import type { LogOffset } from '../offset';
import { ShapeStoreError, STORAGE_REASONS } from './errors';

/** `pg_current_snapshot()` of the shape's initial snapshot, as xid8 values. */
export interface SnapshotXids {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xip: readonly bigint[];
}

/** What the engine knows when it creates a shape; stored as given and returned by `info`/`list`. */
export interface NewShape {
  /** `<hash>-<µs>` (SE5); names the shape's folder, so only `[A-Za-z0-9_-]`. */
  readonly handle: string;
  /** Canonical definition key and its short hash (SE5): a request matches iff the keys are equal. */
  readonly definitionKey: string;
  readonly definitionHash: string;
  /** Opaque text the engine rebuilds the shape from after a restart (e.g. its request params as JSON). */
  readonly definition: string;
  /** The `electric-schema` header value for the shape's columns (SE37), served as stored. */
  readonly schemaHeader: string;
  /** Milliseconds since the epoch, from the caller's clock. */
  readonly createdAt: number;
}

export interface ShapeInfo extends NewShape {
  /** Set by `setSnapshot` when the snapshot's transaction started. */
  readonly snapshot: SnapshotXids | undefined;
  /** Set by `completeSnapshot`; a shape found incomplete after a restart should be rotated. */
  readonly snapshotComplete: boolean;
  /** Offset of the last visible entry; `-1` (BEFORE_ALL) while the log is empty. */
  readonly tail: LogOffset;
  /** Commit LSN of the last transaction in the log, 0n when it holds none (replay filter, RP9). */
  readonly lastLsn: bigint;
  /** Last `read` or `waitForChange` (or creation), in the store's clock: eviction is LRU by it. */
  readonly lastAccess: number;
}

/** One log entry: where it sits and the JSON text served for it (from `messages.ts`). */
export interface StoredEntry {
  readonly offset: LogOffset;
  readonly json: string;
}

export interface ReadResult {
  /** Entries after `since` up to the end of that offset's chunk (or the tail), in offset order. */
  readonly entries: readonly string[];
  /** Offset of the last entry returned (the `electric-offset`), or `since` when none was. */
  readonly lastOffset: LogOffset;
  /** The shape's tail when the read was planned. */
  readonly tail: LogOffset;
  /** Whether the response reaches the tail (then an up-to-date may follow, SE25). */
  readonly upToDate: boolean;
}

/**
 * An append's two moments (SE42): readers see it, then it survives a crash. A live client may be
 * answered from the first; the replication slot may be acknowledged only past the second.
 */
export interface Appended {
  /** Settles once readers see the entries and their waiters are queued to wake; never rejects. */
  readonly visible: Promise<void>;
  /** Resolves once the entries survive a crash; rejects when the append failed (then none is kept). */
  readonly durable: Promise<void>;
}

/** An append that is visible when it is durable (or failed), as in a store without a disk. */
export function visibleWhenDurable(durable: Promise<void>): Appended {
  return { visible: durable.then(settled, settled), durable };
}

/** An append refused before anything of it was planned: never visible, `durable` says why. */
export function refusedAppend(error: unknown): Appended {
  return visibleWhenDurable(Promise.reject(error instanceof Error ? error : new Error(String(error))));
}

function settled(): void {}

export type WaitOutcome = 'changed' | 'timeout' | 'deleted' | 'aborted';

/** What ends a wait early (its client left, the server is closing). An AbortSignal is one. */
/** An abort listener as an object (AbortSignal takes these too): no closure per held wait. */
export interface AbortListener {
  handleEvent(): void;
}

export interface WaitSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: AbortListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

/** Told how a held wait ended: an object with a method, so a held request makes no closure. */
export interface WaitListener {
  settled(outcome: WaitOutcome): void;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: WaitSignal | undefined;
}

export interface Eviction {
  /** Shapes removed, chosen and gone from the store before `evictIdle` returned. */
  readonly handles: readonly string[];
  /** Resolves once their files are deleted. */
  readonly done: Promise<void>;
}

export interface ShapeLogStore {
  /** Creates an empty shape; durable when it resolves. `shape_exists` if the handle is taken. */
  create(shape: NewShape): Promise<ShapeInfo>;
  /** Records the snapshot's xids (before its rows); durable when it resolves. */
  setSnapshot(handle: string, xids: SnapshotXids): Promise<void>;
  /** Snapshot entries at virtual offsets `0_n` (SE20), in order, in as many calls as batches. */
  appendSnapshot(handle: string, entries: readonly StoredEntry[]): Promise<void>;
  /** Marks the snapshot whole, after its entries (snapshot-end included) are durable. */
  completeSnapshot(handle: string): Promise<void>;
  /**
   * The shape's entries of the transaction committed at `lsn`, all-or-none after a crash: readers see
   * them when `visible` settles, a crash keeps them once `durable` resolves (SE42). Calls made together
   * (one transaction's shapes, or while a write is in flight) share one fsync. Don't await it inside
   * the replication handler: collect the promises (or `flush()`) and acknowledge the slot only once
   * they are durable.
   */
  appendTransaction(handle: string, lsn: bigint, entries: readonly StoredEntry[]): Appended;
  /** Resolves once every append issued before the call is durable and visible. */
  flush(): Promise<void>;
  /** The entries after `since` (exclusive) to the end of its chunk (SE26); `shape_not_found` if unknown. */
  read(handle: string, since: LogOffset): Promise<ReadResult>;
  /**
   * Resolves `changed` as soon as the tail is past `since` (at once if it already is), `timeout` after
   * `timeoutMs`, `deleted` if the shape goes away, `aborted` when the signal fires.
   */
  waitForChange(handle: string, since: LogOffset, options: WaitOptions): Promise<WaitOutcome>;
  /**
   * `waitForChange` without a promise (SE64): an outcome known at once is returned and `listener` is
   * never called; else `listener.settled` is called once, later (a wake-up from inside the scheduler's
   * turn, so what it writes goes out in that turn). `shape_not_found` if unknown.
   */
  watch(
    handle: string,
    since: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined;
  /**
   * What `read` would return, synchronously, when every segment it needs is in memory (what an append
   * just published always is); undefined when some must be read from disk, or the shape is unknown.
   */
  readCached(handle: string, since: LogOffset): ReadResult | undefined;
  info(handle: string): ShapeInfo | undefined;
  /** The tail alone, without copying the shape's metadata: every live request asks for it. */
  tail(handle: string): LogOffset | undefined;
  list(): ShapeInfo[];
  /**
   * Removes the shape at once (reads and appends then fail with `shape_not_found`, waiters get
   * `deleted`); resolves when its files are gone. False if there was no such shape.
   */
  delete(handle: string): Promise<boolean>;
  /** Removes least recently read shapes past `maxShapes`, skipping shapes being read, waited on or written. */
  evictIdle(): Eviction;
  /** Waits for pending appends, makes everything durable and releases files. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** SHAPE_CHUNK_BYTES: a chunk closes after the entry that brings it to this many JSON bytes (SE26). */
  readonly chunkBytes: number;
  /** Shapes kept before `evictIdle` removes the least recently read ones; default unlimited. */
  readonly maxShapes?: number;
  /** Milliseconds per event-loop turn that wake-ups of held requests may take (SE58); default 50. */
  readonly wakeBudgetMs?: number;
  /** The clock for `lastAccess`; default `Date.now`. */
  readonly now?: () => number;
}

const HANDLE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function checkHandle(handle: string): void {
  if (!HANDLE_PATTERN.test(handle)) {
    throw new ShapeStoreError(
      STORAGE_REASONS.invalidHandle,
      `Shape handle ${JSON.stringify(handle)} cannot name a shape folder: use 1-128 letters, digits, "-" or "_", starting with a letter or digit.`,
    );
  }
}

export function notFound(handle: string): ShapeStoreError {
  return new ShapeStoreError(
    STORAGE_REASONS.shapeNotFound,
    `No shape with handle ${JSON.stringify(handle)}: it was deleted, evicted or never created; request the shape again from offset -1.`,
  );
}

export function shapeExists(handle: string): ShapeStoreError {
  return new ShapeStoreError(
    STORAGE_REASONS.shapeExists,
    `A shape with handle ${JSON.stringify(handle)} already exists: handles are never reused, make a new one.`,
  );
}

export function closedError(): ShapeStoreError {
  return new ShapeStoreError(STORAGE_REASONS.closed, 'The shape log store is closed; open it again.');
}
