// The shape engine's live core (SPEC.md SE30–SE35, SE48–SE53): one replication stream feeds every
// shape. Each committed transaction is routed to the shapes it touches (router.ts), encoded per shape
// (messages.ts) and appended to their logs (storage/); the global watermark moves once every touched
// log shows it, the slot is acknowledged once every one holds it durably. Shapes are created on first
// request: registered for live changes first, then snapshotted, then the buffered changes not visible
// in the snapshot are appended, so nothing falls between snapshot and log.
import pg from 'pg';
import type { Logger } from '../../log';
import {
  encodeChange,
  encodeSnapshotRow,
  shapeEncoding,
  snapshotEndMessage,
  type LogEntry,
  type ShapeEncoding,
} from '../messages';
import { compareOffsets, type LogOffset } from '../offset';
import { isNewTransaction } from '../replication/acknowledgement';
import { ReplicationClient, type ReplicationEvent } from '../replication/client';
import {
  ensurePublication,
  replicationNames,
  setUpReplication,
  type PublishedTable,
  type ReplicationNames,
} from '../replication/setup';
import type { Relation, RelationStatus, Row, Transaction } from '../replication/transactions';
import { ShapeRouter, type RouteKind } from '../router';
import { makeHandle, validateShapeDefinition, type ShapeDefinition } from '../shape-request';
import { takeSnapshot } from '../snapshot/take';
import { isInSnapshot, DeliveredXids, type SnapshotPosition } from '../snapshot/visibility';
import { isShapeNotFound, ShapeStoreError, STORAGE_REASONS } from '../storage/errors';
import type {
  Appended,
  ReadResult,
  ShapeLogStore,
  StoredEntry,
  WaitListener,
  WaitOptions,
  WaitOutcome,
} from '../storage/store';
import type { TableRef } from '../table-schema';
import { parseRelation } from '../identifiers';
import { compileWhere, rowMatches, type RowPredicate } from '../where-eval';
import { loadTable, sameColumns, sameTable, schemaHeader, type TableInfo } from './catalog';
import { snapshotQuery } from './snapshot-query';
import { takeSubset, type SubsetSnapshot } from './subset-query';
import type { Subset } from '../subset';
import { decodeDefinition, encodeDefinition } from './stored-definition';
import { CommitTracker, WatermarkWaits, type Ticket } from './watermark';
import { ENGINE_REASONS, ShapeEngineError } from './errors';

export interface ShapeEngineOptions {
  /** Regular queries: catalogue reads, publication changes. */
  readonly pool: pg.Pool;
  /** The replication connection and the snapshot connections are opened from it. */
  readonly databaseUrl: string;
  /**
   * The replication connection's URL when it should differ from `databaseUrl`: TCP rather than a Unix
   * socket. The walsender writes each message on its own, and a Unix socket charges every small write
   * a whole buffer slot, so only ~12 KB of a backlog is ever in flight: the engine then reads one or
   * two transactions per turn, each its own group commit waking every client (3.5x the CPU per change
   * in `pnpm bench sync` ingest). Over TCP a backlog arrives in large reads and is appended together.
   */
  readonly replicationUrl?: string;
  readonly store: ShapeLogStore;
  readonly log: Logger;
  readonly names?: Partial<ReplicationNames>;
  /** Published at start, before any shape asks (schema's `syncedTables`). */
  readonly tables?: readonly PublishedTable[];
  /** Snapshots running at once (each holds a connection). Default 4. */
  readonly snapshotConnections?: number;
  /** Shape creations waiting or running before new ones are refused as overload (503). Default 64. */
  readonly maxPendingCreations?: number;
  /** Rows fetched per snapshot batch. Default 1000. */
  readonly snapshotBatchSize?: number;
  readonly now?: () => number;
}

/** What the HTTP layer sees of a ready shape. */
export interface ShapeView {
  readonly handle: string;
  readonly definition: ShapeDefinition;
  readonly schemaHeader: string;
}

interface Work {
  readonly index: number;
  readonly kind: RouteKind;
  readonly oldRow: Row | null;
  readonly newRow: Row | null;
}

interface ShapeWork {
  readonly changes: Work[];
  truncated: boolean;
}

interface Pending {
  readonly transaction: Transaction;
  readonly work: ShapeWork;
  readonly resolve: () => void;
}

interface LiveShape extends ShapeView {
  readonly tableKey: string;
  readonly encoding: ShapeEncoding;
  readonly predicate: RowPredicate | null;
  /**
   * creating: the snapshot runs, transactions are buffered in `pending`; draining: the buffered
   * transactions are being appended (new ones append directly, after them); ready: served.
   */
  status: 'creating' | 'draining' | 'ready';
  /** Set once the snapshot started (or from the store after a restart). */
  position: SnapshotPosition | undefined;
  /** Highest commit LSN routed to this shape (appended, buffered or dropped): the replay filter (RP9). */
  appliedLsn: bigint | undefined;
  /** Transactions that arrived while the snapshot ran, in stream order. */
  pending: Pending[];
  removed: boolean;
  /** Whether the store holds it (created), so removal must delete it there. */
  stored: boolean;
  readonly ready: Promise<void>;
  /** Resolves once the store holds it and its snapshot runs (SE65); never rejects. */
  readonly started: Promise<void>;
  /** Resolves `started`. */
  markStarted: () => void;
}

/** Transactions handed to the store and not yet durable before the stream pauses. */
const MAX_OUTSTANDING = 4096;

/** Delivered xids a new snapshot is checked against (SE61). */
const RECENT_XIDS = 16_384;

const SNAPSHOT_END_PREFIX = '{"headers":{"control":"snapshot-end"';

/** How long a read of a shape being created waits for its snapshot's next rows before it looks again. */
const SNAPSHOT_WAIT_MS = 5_000;

/** Whether a read's last entry is `snapshot-end`: the end of the snapshot region (SE49). */
function endsSnapshot(result: ReadResult): boolean {
  return result.entries.at(-1)?.startsWith(SNAPSHOT_END_PREFIX) === true;
}

export function tableKey(table: TableRef): string {
  return `${table.schema}\u0000${table.name}`;
}

export class ShapeEngine {
  private readonly names: ReplicationNames;
  private readonly router = new ShapeRouter();
  private readonly shapes = new Map<string, LiveShape>();
  private readonly byKey = new Map<string, LiveShape>();
  private readonly byTable = new Map<string, Set<LiveShape>>();
  private readonly tableCache = new Map<string, Promise<TableInfo | undefined>>();
  private readonly relationNames = new Map<number, string>();
  private readonly published = new Map<string, Promise<void>>();
  /** What the replication slot may confirm: every touched log holds it, shapes being built included. */
  private readonly tracker = new CommitTracker();
  /**
   * What responses announce (SE35): every servable log holds it. A shape still being built does not
   * hold it back, since nobody reads that shape before its buffered transactions are in its log; so
   * one slow build never freezes what every other client is told.
   */
  private readonly announced = new CommitTracker();
  /** Responses holding data past the announced watermark, waiting for it (SE57). */
  private readonly announcedWaits = new WatermarkWaits();
  private readonly drained: (() => void)[] = [];
  /** Transactions the stream delivered: a snapshot showing one as running is taken again (SE61). */
  private readonly deliveredXids = new DeliveredXids(RECENT_XIDS);
  private readonly snapshotPool: pg.Pool;
  private readonly now: () => number;
  private replication: ReplicationClient | undefined;
  private lastHandleMicros = 0n;
  private creations = 0;
  /** Subset snapshots waiting for or reading on a snapshot connection (SE38). */
  private subsets = 0;
  private streaming = false;
  private stopped = false;
  /** Bumped on every schema change seen: callers caching validated definitions key on it. */
  schemaVersion = 0;

  constructor(private readonly options: ShapeEngineOptions) {
    this.names = replicationNames(options.names);
    this.now = options.now ?? Date.now;
    this.snapshotPool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.snapshotConnections ?? 4,
    });
    this.snapshotPool.on('error', (error) =>
      options.log.warn({ err: error }, 'idle snapshot connection failed'),
    );
  }

  /** Whether the stream runs: shapes can be served (`/v1/health` says active). */
  get ready(): boolean {
    return this.streaming && !this.stopped;
  }

  /** `global_last_seen_lsn`: every transaction committed at or before it is in every shape log (SE35). */
  get watermark(): bigint {
    return this.announced.watermark;
  }

  /**
   * Resolves once the announced watermark is at or past `lsn` (at once if it is): a response that
   * carries an LSN is sent only then, so no client sees an LSN the watermark has not reached (SE57).
   * Rejects with `starting` when the engine stops first.
   */
  announcedAtLeast(lsn: bigint): Promise<void> {
    if (this.announced.watermark >= lsn) return Promise.resolve();
    if (this.stopped) return Promise.reject(stoppedError());
    return this.announcedWaits.wait(lsn);
  }

  get shapeCount(): number {
    return this.shapes.size;
  }

  /** Publication, slot, shapes found on disk, then the stream; resolves once it streams. */
  async start(): Promise<void> {
    const { pool, log } = this.options;
    const setup = await setUpReplication(pool, { names: this.names, tables: this.options.tables ?? [] });
    for (const table of this.options.tables ?? []) {
      this.published.set(tableKey({ schema: table.schema ?? 'public', name: table.name }), Promise.resolve());
    }
    await this.reopenShapes(setup.slot.status !== 'existing');
    log.info(
      { slot: this.names.slot, slotStatus: setup.slot.status, shapes: this.shapes.size },
      'shape engine starting replication',
    );
    this.replication = new ReplicationClient({
      connection: this.options.replicationUrl ?? this.options.databaseUrl,
      pool,
      names: this.names,
      log,
      handler: (event) => this.handle(event),
    });
    await this.replication.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.announcedWaits.close(stoppedError());
    await this.replication?.stop();
    await this.snapshotPool.end();
    await this.options.store.close();
  }

  /** The table's catalogue entry (cached until a schema change is seen); undefined if none. */
  table(ref: TableRef): Promise<TableInfo | undefined> {
    const key = tableKey(ref);
    let found = this.tableCache.get(key);
    if (!found) {
      found = loadTable(this.options.pool, ref);
      this.tableCache.set(key, found);
      // Unknown tables and failures are not cached: the table may be created later.
      found.then(
        (info) => {
          if (!info && this.tableCache.get(key) === found) this.tableCache.delete(key);
        },
        () => {
          if (this.tableCache.get(key) === found) this.tableCache.delete(key);
        },
      );
    }
    return found;
  }

  /** A ready shape by handle; undefined when unknown, rotated or still being created. */
  find(handle: string): ShapeView | undefined {
    const shape = this.shapes.get(handle);
    return shape && shape.status === 'ready' && !shape.removed ? shape : undefined;
  }

  /**
   * A subset snapshot of a ready shape (SE38), read on a snapshot connection; the shape's log is not
   * touched. ShapeStoreError (shape_not_found) when the handle names no ready shape; ShapeEngineError
   * (503) when too many are being read or the query fails.
   */
  async querySubset(handle: string, subset: Subset, snapshotMark: number): Promise<SubsetSnapshot> {
    const shape = this.shapes.get(handle);
    if (!shape || shape.status !== 'ready' || shape.removed) {
      throw new ShapeStoreError(STORAGE_REASONS.shapeNotFound, `No shape ${handle}.`);
    }
    // Each holds a snapshot connection or waits for one: bounded like creations (SE55).
    const max = this.options.maxPendingCreations ?? 64;
    if (this.subsets >= max) {
      throw new ShapeEngineError(
        ENGINE_REASONS.overloaded,
        `${this.subsets} subset snapshots are being read already (the limit is ${max}); retry shortly.`,
      );
    }
    this.subsets++;
    try {
      return await takeSubset(this.snapshotPool, shape, subset, snapshotMark);
    } catch (error) {
      throw new ShapeEngineError(
        ENGINE_REASONS.snapshotFailed,
        `The subset snapshot failed: ${(error as Error).message}. Retry; if it persists, check the database.`,
        { cause: error },
      );
    } finally {
      this.subsets--;
    }
  }

  /** Handle of the definition's current shape (ready or being created), if any. */
  currentHandle(definition: ShapeDefinition): string | undefined {
    return this.byKey.get(definition.key)?.handle;
  }

  /** The ready shape for a definition, created (snapshot and all) if there is none (SE48). */
  shapeFor(definition: ShapeDefinition): Promise<ShapeView> {
    return this.shapeOnce(definition, (shape) => shape.ready);
  }

  /**
   * The shape for a definition as soon as its snapshot runs, created if there is none (SE65): its
   * `-1` request is answered from the first chunk the snapshot closes (`read` waits for it).
   */
  shapeStarted(definition: ShapeDefinition): Promise<ShapeView> {
    return this.shapeOnce(definition, (shape) => Promise.race([shape.started, shape.ready]));
  }

  /** The definition's shape once `reached` resolves for it; a shape rotated meanwhile is made again. */
  private async shapeOnce(
    definition: ShapeDefinition,
    reached: (shape: LiveShape) => Promise<void>,
  ): Promise<ShapeView> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const shape = this.byKey.get(definition.key) ?? this.create(definition);
      await reached(shape);
      if (!shape.removed) return shape;
      await shape.ready;
    }
    throw new ShapeEngineError(
      ENGINE_REASONS.rotatedWhileCreating,
      'The shape was rotated three times while it was being created (its table keeps being truncated or altered); retry.',
    );
  }

  /** A shape whose snapshot still runs, for catch-up reads of the chunks it has closed (SE65). */
  findStarted(handle: string): ShapeView | undefined {
    const shape = this.shapes.get(handle);
    return shape && shape.stored && !shape.removed ? shape : undefined;
  }

  /** Tail of a ready shape's log. */
  tail(handle: string): LogOffset | undefined {
    return this.options.store.tail(handle);
  }

  /**
   * The log after `since` to the end of its chunk (SE26). In the snapshot region the read stops at
   * `snapshot-end`, so the `-1` response never changes once made (SE49).
   */
  async read(handle: string, since: LogOffset): Promise<ReadResult> {
    const shape = this.shapes.get(handle);
    if (shape !== undefined && shape.status !== 'ready') return await this.readWhileCreating(shape, since);
    return throughSnapshotEnd(await this.options.store.read(handle, since), since);
  }

  /**
   * SE65: a shape being created serves its snapshot chunk by chunk. A read that ends on a chunk the
   * snapshot has closed, before `snapshot-end`, is final (boundaries are fixed when entries are
   * appended, SE26), so it is answered while the snapshot runs. One that would end at the log's end
   * waits for more of the snapshot; one that reaches `snapshot-end`, or starts past it, waits until the
   * shape is ready: the transactions buffered meanwhile are in its log only then, and an up-to-date
   * before them would tell the client it holds what it does not.
   */
  private async readWhileCreating(shape: LiveShape, since: LogOffset): Promise<ReadResult> {
    const { store } = this.options;
    while (shape.status !== 'ready' && !shape.removed && since.tx <= 0n && shape.stored) {
      const result = throughSnapshotEnd(await store.read(shape.handle, since), since);
      if (endsSnapshot(result)) break;
      if (!result.upToDate) return result;
      await this.snapshotAppendOrReady(shape, result.tail);
    }
    await shape.ready;
    if (shape.removed) {
      throw new ShapeStoreError(
        STORAGE_REASONS.shapeNotFound,
        `Shape ${shape.handle} was rotated while it was being created; request it again.`,
      );
    }
    return throughSnapshotEnd(await store.read(shape.handle, since), since);
  }

  /** Resolves on the next append past `tail`, or once the shape is ready (or gone). */
  private async snapshotAppendOrReady(shape: LiveShape, tail: LogOffset): Promise<void> {
    const settled = new AbortController();
    const stop = (): void => settled.abort();
    shape.ready.then(stop, stop);
    try {
      await this.options.store.waitForChange(shape.handle, tail, {
        timeoutMs: SNAPSHOT_WAIT_MS,
        signal: settled.signal,
      });
    } finally {
      stop();
    }
  }

  /** `read`, synchronously, when the store holds every entry it needs in memory (SE64). */
  readCached(handle: string, since: LogOffset): ReadResult | undefined {
    const result = this.options.store.readCached(handle, since);
    return result && throughSnapshotEnd(result, since);
  }

  waitForChange(handle: string, since: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    return this.options.store.waitForChange(handle, since, options);
  }

  /** `waitForChange` with a listener instead of a promise (SE64); see ShapeLogStore.watch. */
  watch(
    handle: string,
    since: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined {
    return this.options.store.watch(handle, since, options, listener);
  }

  /** DELETE /v1/shape: rotates the shape; its handle answers 409 from now on (SE34). */
  deleteShape(handle: string): boolean {
    const shape = this.shapes.get(handle);
    if (!shape || shape.removed) return false;
    this.rotate(shape, 'deleted by request');
    return true;
  }

  private newHandle(hash: string): string {
    let micros = BigInt(this.now()) * 1000n;
    if (micros <= this.lastHandleMicros) micros = this.lastHandleMicros + 1n;
    this.lastHandleMicros = micros;
    return makeHandle(hash, micros);
  }

  private register(shape: LiveShape): void {
    this.shapes.set(shape.handle, shape);
    this.byKey.set(shape.definition.key, shape);
    let set = this.byTable.get(shape.tableKey);
    if (!set) this.byTable.set(shape.tableKey, (set = new Set()));
    set.add(shape);
    this.router.add(shape.handle, shape.definition.table, shape.definition.where);
  }

  private newShape(
    definition: ShapeDefinition,
    handle: string,
    header: string,
    ready: Promise<void>,
  ): LiveShape {
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    return {
      started,
      markStarted,
      handle,
      definition,
      schemaHeader: header,
      tableKey: tableKey(definition.table),
      encoding: shapeEncoding(definition.table, definition.columns, definition.replica),
      predicate: definition.where ? compileWhere(definition.where) : null,
      status: 'creating',
      position: undefined,
      appliedLsn: undefined,
      pending: [],
      removed: false,
      stored: false,
      ready,
    };
  }

  private create(definition: ShapeDefinition): LiveShape {
    if (!this.ready) {
      throw new ShapeEngineError(
        ENGINE_REASONS.starting,
        'The shape engine is still starting; retry shortly.',
      );
    }
    const max = this.options.maxPendingCreations ?? 64;
    if (this.creations >= max) {
      throw new ShapeEngineError(
        ENGINE_REASONS.overloaded,
        `${this.creations} shapes are being created already (the limit is ${max}); retry shortly.`,
      );
    }
    let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const handle = this.newHandle(definition.hash);
    const shape = this.newShape(definition, handle, '', ready);
    // Registered before the snapshot starts: every transaction from here on is buffered for it (SE48).
    this.register(shape);
    this.creations++;
    this.build(shape).then(
      () => settle?.resolve(),
      (error: unknown) => {
        // Rotated meanwhile (truncate, schema change, delete): shapeFor makes a new one.
        if (shape.removed) return settle?.resolve();
        this.options.log.error({ err: error, handle }, 'shape creation failed');
        this.rotate(shape, 'creation failed');
        settle?.reject(
          error instanceof ShapeEngineError
            ? error
            : new ShapeEngineError(
                ENGINE_REASONS.snapshotFailed,
                `The shape's snapshot failed: ${(error as Error).message}. Retry; if it persists, check the database.`,
                { cause: error },
              ),
        );
      },
    );
    ready.catch(() => undefined); // awaited by shapeFor; unobserved when nobody waits
    void ready.finally(() => this.creations--).catch(() => undefined);
    return shape;
  }

  private async build(shape: LiveShape): Promise<void> {
    const { store } = this.options;
    const definition = shape.definition;
    await this.publish(definition.table);
    const info = await this.table(definition.table);
    if (!info) throw new ShapeEngineError(ENGINE_REASONS.tableGone, 'The table no longer exists.');
    // A definition validated before a schema change must not build a shape on the new table (SE50).
    if (!sameTable(info.schema, definition.table)) {
      throw new ShapeEngineError(
        ENGINE_REASONS.schemaChanged,
        `The table ${definition.table.schema}.${definition.table.name} changed since the request was validated; request the shape again.`,
      );
    }
    (shape as { schemaHeader: string }).schemaHeader = schemaHeader(info, definition.columns);
    let n = 0;
    await takeSnapshot(
      this.snapshotPool,
      snapshotQuery(definition),
      {
        start: async (position) => {
          shape.position = position;
          if (shape.removed) throw aborted();
          await store.create({
            handle: shape.handle,
            definitionKey: definition.key,
            definitionHash: definition.hash,
            definition: encodeDefinition(definition, position.horizonLsn),
            schemaHeader: shape.schemaHeader,
            createdAt: this.now(),
          });
          shape.stored = true;
          await store.setSnapshot(shape.handle, {
            xmin: position.snapshot.xmin,
            xmax: position.snapshot.xmax,
            xip: position.snapshot.xip,
          });
          shape.markStarted();
        },
        rows: async (batch) => {
          if (shape.removed) throw aborted();
          const entries: StoredEntry[] = [];
          for (const row of batch) {
            if (!rowMatches(shape.predicate, row)) continue;
            entries.push(stored(encodeSnapshotRow(shape.encoding, row, { tx: 0n, op: n++ })));
          }
          if (entries.length > 0) await store.appendSnapshot(shape.handle, entries);
        },
      },
      {
        batchSize: this.options.snapshotBatchSize ?? 1000,
        delivered: this.deliveredXids,
        onWait: (xids) =>
          this.options.log.debug(
            { handle: shape.handle, xids: xids.map(String) },
            'snapshot waits for committed transactions to become visible',
          ),
        giveUp: () => (this.stopped ? stoppedError() : shape.removed ? aborted() : undefined),
      },
    );
    if (shape.removed) throw aborted();
    const position = shape.position as SnapshotPosition;
    await store.appendSnapshot(shape.handle, [
      {
        offset: { tx: 0n, op: n },
        json: snapshotEndMessage({
          xmin: position.snapshot.xmin,
          xmax: position.snapshot.xmax,
          xipList: position.snapshot.xip,
        }),
      },
    ]);
    await store.completeSnapshot(shape.handle);
    if (shape.removed) throw aborted();
    // From here to the end no await: buffered transactions go to the log before any newer one.
    shape.status = 'draining';
    const pending = shape.pending;
    shape.pending = [];
    const drained: Promise<void>[] = [];
    for (const p of pending) {
      const appended = this.apply(shape, p.transaction, p.work);
      if (appended) drained.push(appended.durable.then(p.resolve));
      else p.resolve();
    }
    // Served only once its buffered transactions are durable: the announced watermark may already
    // be past them (they did not hold it back), so a read before this would miss them.
    await Promise.all(drained);
    if (shape.removed) throw aborted();
    shape.status = 'ready';
    this.options.log.debug({ handle: shape.handle, rows: n }, 'shape created');
    this.evict();
  }

  /** Puts a table a shape asks for into the publication with REPLICA IDENTITY FULL (once). */
  private publish(table: TableRef): Promise<void> {
    const key = tableKey(table);
    let done = this.published.get(key);
    if (!done) {
      done = ensurePublication(this.options.pool, this.names.publication, [
        { schema: table.schema, name: table.name },
      ]).then(() => undefined);
      this.published.set(key, done);
      done.catch(() => {
        if (this.published.get(key) === done) this.published.delete(key);
      });
    }
    return done;
  }

  private evict(): void {
    let eviction;
    try {
      eviction = this.options.store.evictIdle();
    } catch (error) {
      this.options.log.warn({ err: error }, 'shape eviction failed');
      return;
    }
    for (const handle of eviction.handles) {
      const shape = this.shapes.get(handle);
      if (shape) {
        shape.stored = false; // the store removed it already
        this.rotate(shape, 'evicted');
      }
    }
    eviction.done.catch((error: unknown) =>
      this.options.log.warn({ err: error }, 'evicted shape files remain'),
    );
  }

  /** Removes a shape: out of the router, its log deleted; its handle is never used again (SE34). */
  private rotate(shape: LiveShape, reason: string): void {
    if (shape.removed) return;
    shape.removed = true;
    this.router.remove(shape.handle);
    this.shapes.delete(shape.handle);
    if (this.byKey.get(shape.definition.key) === shape) this.byKey.delete(shape.definition.key);
    this.byTable.get(shape.tableKey)?.delete(shape);
    for (const p of shape.pending) p.resolve();
    shape.pending = [];
    this.options.log.info({ handle: shape.handle, reason }, 'shape rotated');
    if (shape.stored) {
      this.options.store.delete(shape.handle).catch((error: unknown) => {
        if (!isShapeNotFound(error))
          this.options.log.warn({ err: error, handle: shape.handle }, 'shape delete failed');
      });
    }
  }

  // ---- restart ----

  private async reopenShapes(slotIsNew: boolean): Promise<void> {
    const { store, log } = this.options;
    const infos = store.list().sort((a, b) => b.createdAt - a.createdAt);
    const drop = async (handle: string, why: string): Promise<void> => {
      log.info({ handle, why }, 'dropping stored shape');
      await store.delete(handle).catch(() => false);
    };
    for (const info of infos) {
      if (slotIsNew) {
        await drop(info.handle, 'the replication slot is new: changes may be missing');
        continue;
      }
      const stored = decodeDefinition(info.definition);
      if (!stored || !info.snapshotComplete || !info.snapshot) {
        await drop(info.handle, 'incomplete snapshot or unreadable definition');
        continue;
      }
      const relation = parseRelation(stored.input.table ?? '');
      const table = relation.ok ? await this.table(relation.value) : undefined;
      const definition = validateShapeDefinition(stored.input, () => table?.schema);
      if (
        !definition.ok ||
        definition.value.key !== info.definitionKey ||
        this.byKey.has(info.definitionKey)
      ) {
        await drop(info.handle, 'its table changed, or a newer shape has the same definition');
        continue;
      }
      const shape = this.newShape(definition.value, info.handle, info.schemaHeader, Promise.resolve());
      shape.status = 'ready';
      shape.stored = true;
      shape.markStarted();
      shape.position = { snapshot: info.snapshot, horizonLsn: stored.horizonLsn };
      shape.appliedLsn = info.lastLsn > 0n ? info.lastLsn : undefined;
      await this.publish(definition.value.table);
      this.register(shape);
    }
  }

  // ---- the stream ----

  private handle(event: ReplicationEvent): void | Promise<void> {
    // Appends run behind the handler; past this many undelivered transactions the stream waits.
    if (this.tracker.outstanding >= MAX_OUTSTANDING) {
      return new Promise<void>((resolve) => this.drained.push(resolve)).then(() => this.handle(event));
    }
    switch (event.type) {
      case 'streaming':
        // Every transaction committed before the confirmed position is in every log already.
        if (event.startLsn > 0n) {
          this.tracker.finish(this.tracker.begin(event.startLsn - 1n));
          this.announce(this.announced.begin(event.startLsn - 1n));
        }
        this.streaming = true;
        return;
      case 'relation':
        this.onRelation(event.relation, event.status);
        return;
      case 'transaction':
        this.onTransaction(event.transaction);
        return;
      case 'disconnected':
        return;
      case 'slot-lost':
        this.options.log.error({ slot: event.slot }, 'replication slot lost: every shape rotates');
        for (const shape of [...this.shapes.values()]) this.rotate(shape, 'replication slot lost');
        return;
    }
  }

  /** A schema change (or a rename) rotates the shapes built on the old table (SE50). */
  private onRelation(relation: Relation, status: RelationStatus): void {
    const key = tableKey({ schema: relation.schema, name: relation.table });
    const previousKey = this.relationNames.get(relation.oid);
    this.relationNames.set(relation.oid, key);
    const renamedFrom = previousKey !== undefined && previousKey !== key ? previousKey : undefined;
    let rotated = false;
    for (const shape of [...(this.byTable.get(key) ?? [])]) {
      if (!sameColumns(shape.definition.table, relation)) {
        rotated = true;
        this.rotate(shape, 'schema change');
      }
    }
    if (renamedFrom !== undefined) {
      for (const shape of [...(this.byTable.get(renamedFrom) ?? [])]) this.rotate(shape, 'table renamed');
      this.tableCache.delete(renamedFrom);
    }
    if (rotated || renamedFrom !== undefined || status !== 'same') {
      this.tableCache.delete(key);
      this.schemaVersion++;
    }
  }

  private onTransaction(transaction: Transaction): void {
    this.deliveredXids.add(transaction.xid);
    const ticket = this.tracker.begin(transaction.commitLsn);
    const announcement = this.announced.begin(transaction.commitLsn);
    const touched = new Map<LiveShape, ShapeWork>();
    const workOf = (shape: LiveShape): ShapeWork => {
      let work = touched.get(shape);
      if (!work) touched.set(shape, (work = { changes: [], truncated: false }));
      return work;
    };
    transaction.changes.forEach((change, index) => {
      const ref = { schema: change.relation.schema, name: change.relation.table };
      if (change.kind === 'truncate') {
        for (const shape of this.byTable.get(tableKey(ref)) ?? []) workOf(shape).truncated = true;
        return;
      }
      const oldRow = change.kind === 'insert' ? null : (change.oldRow ?? null);
      const newRow = change.kind === 'delete' ? null : change.newRow;
      let routed;
      try {
        routed = this.router.route(ref, oldRow, newRow);
      } catch (error) {
        // A value the evaluator cannot read must not wedge the stream: the table's shapes rotate.
        this.options.log.error(
          { err: error, table: ref },
          "routing a change failed: the table's shapes rotate",
        );
        for (const shape of [...(this.byTable.get(tableKey(ref)) ?? [])])
          this.rotate(shape, 'routing failed');
        return;
      }
      for (const r of routed) {
        const shape = this.shapes.get(r.shapeId);
        if (shape) workOf(shape).changes.push({ index, kind: r.kind, oldRow, newRow });
      }
    });
    const visible: Promise<void>[] = [];
    const durable: Promise<void>[] = [];
    for (const [shape, work] of touched) {
      if (!isNewTransaction(transaction.commitLsn, shape.appliedLsn)) continue;
      shape.appliedLsn = transaction.commitLsn;
      if (shape.status === 'creating') {
        durable.push(new Promise((resolve) => shape.pending.push({ transaction, work, resolve })));
        continue;
      }
      const appended = this.apply(shape, transaction, work);
      if (appended) {
        visible.push(appended.visible);
        durable.push(appended.durable);
      }
    }
    // Announced once every servable shape shows it (SE35); the slot is acked once every shape holds
    // it durably, a shape still being built included.
    if (visible.length === 0) this.announce(announcement);
    else void Promise.all(visible).then(() => this.announce(announcement));
    if (durable.length === 0) this.finish(ticket);
    else void Promise.all(durable).then(() => this.finish(ticket));
  }

  private announce(announcement: Ticket): void {
    const advanced = this.announced.finish(announcement);
    if (advanced !== undefined) this.announcedWaits.advanced(advanced);
  }

  private finish(ticket: Ticket): void {
    const advanced = this.tracker.finish(ticket);
    if (advanced !== undefined) this.replication?.ack(advanced);
    if (this.drained.length > 0 && this.tracker.outstanding < MAX_OUTSTANDING / 2) {
      for (const resume of this.drained.splice(0)) resume();
    }
  }

  /**
   * Appends one transaction's entries to a ready shape; undefined when nothing is appended. Neither
   * promise rejects: a failed append rotates the shape.
   */
  private apply(shape: LiveShape, transaction: Transaction, work: ShapeWork): Appended | undefined {
    if (shape.removed) return undefined;
    if (shape.position && isInSnapshot(transaction, shape.position)) return undefined;
    if (work.truncated) {
      this.rotate(shape, 'truncate');
      return undefined;
    }
    let entries: StoredEntry[];
    try {
      entries = encodeWork(shape, transaction, work.changes);
    } catch (error) {
      this.options.log.error(
        { err: error, handle: shape.handle },
        'encoding a change failed: the shape rotates',
      );
      this.rotate(shape, 'encoding failed');
      return undefined;
    }
    if (entries.length === 0) return undefined;
    const { visible, durable } = this.options.store.appendTransaction(
      shape.handle,
      transaction.commitLsn,
      entries,
    );
    return {
      visible,
      durable: durable.catch((error: unknown) => {
        if (isShapeNotFound(error)) return;
        this.options.log.error(
          { err: error, handle: shape.handle },
          'shape append failed: the shape rotates',
        );
        this.rotate(shape, 'append failed');
      }),
    };
  }
}

function stored(entry: LogEntry): StoredEntry {
  return { offset: entry.offset, json: entry.json };
}

function stoppedError(): ShapeEngineError {
  return new ShapeEngineError(ENGINE_REASONS.starting, 'The shape engine stopped; retry shortly.');
}

function aborted(): ShapeEngineError {
  return new ShapeEngineError(
    ENGINE_REASONS.rotatedWhileCreating,
    'The shape was rotated while it was being created.',
  );
}

/**
 * A transaction's changes for one shape as log entries (SE22–SE24): op positions are the change's
 * index in the transaction × 2; `last: true` goes on the shape's last entry of the transaction, also
 * when the last routed change encodes to nothing (an update of unselected columns).
 */
export function encodeWork(
  shape: { readonly encoding: ShapeEncoding },
  transaction: Pick<Transaction, 'commitLsn' | 'xid'>,
  changes: readonly Work[],
): StoredEntry[] {
  const encode = (w: Work, last: boolean): LogEntry[] =>
    encodeChange(shape.encoding, w.kind, w.oldRow, w.newRow, {
      lsn: transaction.commitLsn,
      opPosition: w.index * 2,
      txid: transaction.xid,
      last,
    });
  const perChange = changes.map((w) => encode(w, false));
  let lastIndex = perChange.length - 1;
  while (lastIndex >= 0 && (perChange[lastIndex] as LogEntry[]).length === 0) lastIndex--;
  if (lastIndex < 0) return [];
  perChange[lastIndex] = encode(changes[lastIndex] as Work, true);
  return perChange.flat().map(stored);
}

export type { Work as RoutedWork };

/**
 * A read of the snapshot region stops at `snapshot-end` (SE49). Snapshot entries sit at 0_0, 0_1, …:
 * the i-th entry after `since` is at 0_(first + i).
 */
function throughSnapshotEnd(result: ReadResult, since: LogOffset): ReadResult {
  if (since.tx > 0n || result.entries.length < 2) return result;
  const end = result.entries.findIndex((e) => e.startsWith(SNAPSHOT_END_PREFIX));
  if (end < 0 || end === result.entries.length - 1) return result;
  const first = since.tx < 0n ? 0 : (since.op as number) + 1;
  const lastOffset: LogOffset = { tx: 0n, op: first + end };
  return {
    entries: result.entries.slice(0, end + 1),
    lastOffset,
    tail: result.tail,
    upToDate: compareOffsets(lastOffset, result.tail) >= 0,
  };
}
