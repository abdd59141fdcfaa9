// The on-disk ShapeLogStore (SPEC.md SE32, SE39–SE47). Under `${DATA_DIR}/shapes/`:
//   <handle>/meta.json   metadata, replaced atomically; <handle>/log   `<offset> <json>\n` lines;
//   <handle>/index       40-byte CRC'd segment records (what `open` reads: the log is never scanned);
//   journal.<n>          group commits: one durable (O_DSYNC) write covers every shape of every append in it.
// An append is visible once its journal write is issued, durable once that write returns, and written
// to its shape's files behind the journal. A crash is repaired on open by replaying the journal at the
// positions it recorded and cutting torn tails.
import fs from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import type { LogOffset } from '../offset';
import {
  decodeIndexRecords,
  decodeJournal,
  decodeLines,
  decodeMeta,
  encodeIndexRecords,
  encodeJournalRecord,
  encodeLines,
  encodeMeta,
  INDEX_RECORD_BYTES,
  type DecodedSegment,
  type JournalItem,
  type ShapeMeta,
} from './codec';
import { ShapeStoreError, STORAGE_REASONS } from './errors';
import { fileSize, forEachLimit, fsyncDir, nextImmediate, writeFileDurable } from './fs-util';
import { Journal, journalGenerations } from './journal';
import { waitFor, WakeScheduler } from './waiters';
import { checkAppend, planSegments, ShapeIndex, type AppendKind, type SegmentRecord } from './shape-index';
import { assembleRead, infoOf, metaOf, newShapeState, ShapeTable, type ShapeState } from './shape-table';
import {
  checkHandle,
  closedError,
  notFound,
  refusedAppend,
  shapeExists,
  visibleWhenDurable,
  type Appended,
  type Eviction,
  type NewShape,
  type ReadResult,
  type ShapeInfo,
  type ShapeLogStore,
  type SnapshotXids,
  type StoredEntry,
  type StoreOptions,
  type WaitListener,
  type WaitOptions,
  type WaitOutcome,
} from './store';

export interface DiskStoreOptions extends StoreOptions {
  /** DATA_DIR: shapes live in `${dataDir}/shapes/`. */
  readonly dataDir: string;
  /** Bytes of decoded segments kept for readers (fresh appends go in too); default 64 MiB. */
  readonly cacheBytes?: number;
  /** A journal past this size is checkpointed and a new one started; default 64 MiB. */
  readonly journalMaxBytes?: number;
  /** Shapes whose two files stay open; default 256. */
  readonly maxOpenShapes?: number;
  /** Journaled bytes not yet written to shape files before commits wait for the writer; default 32 MiB. */
  readonly writeBehindBytes?: number;
  /**
   * How long journaled appends wait before the writer writes them to their shapes' files; default
   * 250 ms. A shape appended to many times meanwhile gets one write per file, not one per commit.
   */
  readonly writeBehindDelayMs?: number;
}

/** What `open` found and repaired. */
export interface RecoveryReport {
  readonly journalRecordsReplayed: number;
  /** Bytes of a group commit cut off by a crash: that commit was never acknowledged. */
  readonly tornJournalBytes: number;
  /** Shapes whose log or index had bytes past their last whole record: cut. */
  readonly repairedShapes: readonly string[];
  /** Shape folders without metadata (a create cut off by a crash): removed. */
  readonly removedIncomplete: readonly string[];
}

interface OpenFiles {
  readonly log: fs.FileHandle;
  readonly index: fs.FileHandle;
}

interface DiskShape extends ShapeState {
  readonly handle: string;
  readonly dir: string;
  files: OpenFiles | undefined;
  opening: Promise<OpenFiles> | undefined;
  fileUsers: number;
  plannedLogBytes: number;
  plannedIndexBytes: number;
  /** Journaled and visible, not yet written to the shape's files (write-behind, coalesced). */
  unwritten: JournalItem[];
  /** Log bytes already written to the file: reads past it wait for the write-behind. */
  writtenLogBytes: number;
  /** The shape's write-behind in progress: one at a time per shape. */
  writing: Promise<void>;
  /** Serializes meta.json replacements. */
  metaWrite: Promise<void>;
}

interface BatchItem {
  readonly state: DiskShape;
  readonly journal: JournalItem;
  readonly records: readonly SegmentRecord[];
  readonly decoded: readonly DecodedSegment[];
}

interface Batch {
  readonly items: BatchItem[];
  /** What every append of the batch returns. */
  readonly appended: Appended;
  /** Settles `appended.visible`. */
  shown(): void;
  resolve(): void;
  reject(error: Error): void;
}

const META = 'meta.json';
const LOG = 'log';
const INDEX = 'index';
const ACCESS = 'access.json';
const TRASH = '.trash-';
const HANDLE_DIR = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const IO_PARALLELISM = 16;
/** Unwritten bytes past which the writer starts without waiting out its delay. */
const WRITE_AT_ONCE_BYTES = 1024 * 1024;

export class DiskShapeLogStore implements ShapeLogStore {
  private readonly shapes = new ShapeTable<DiskShape>();
  private readonly creating = new Set<string>();
  private readonly cache: LRUCache<string, DecodedSegment>;
  private readonly openShapes = new Set<DiskShape>();
  private readonly background = new Set<Promise<void>>();
  private readonly now: () => number;
  /** Wakes held readers a slice per turn (SE58). */
  private readonly wakes: WakeScheduler;
  private batch: Batch | undefined;
  private readonly toWrite = new Set<DiskShape>();
  private unwrittenBytes = 0;
  private writer: Promise<void> = Promise.resolve();
  private writerRunning = false;
  private writerTimer: NodeJS.Timeout | undefined;
  /** Group commits run one after another along this chain; it never rejects. */
  private chain: Promise<void> = Promise.resolve();
  private closing = false;
  private failure: Error | undefined;

  private constructor(
    private readonly root: string,
    private readonly options: DiskStoreOptions,
    private journal: Journal<DiskShape>,
    readonly recovery: RecoveryReport,
  ) {
    this.now = options.now ?? Date.now;
    this.wakes = new WakeScheduler({ budgetMs: options.wakeBudgetMs });
    this.cache = new LRUCache<string, DecodedSegment>({
      maxSize: options.cacheBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (segment) => segment.jsons.reduce((sum, json) => sum + json.length * 2 + 64, 64),
    });
  }

  /** Opens (creating if needed) the store in `${dataDir}/shapes`, repairing what a crash left. */
  static async open(options: DiskStoreOptions): Promise<DiskShapeLogStore> {
    const root = path.join(options.dataDir, 'shapes');
    await fs.mkdir(root, { recursive: true });
    const names = await fs.readdir(root);
    for (const name of names.filter((n) => n.startsWith(TRASH))) {
      await fs.rm(path.join(root, name), { recursive: true, force: true });
    }
    const handles = new Set(names.filter((n) => HANDLE_DIR.test(n)));
    const generations = journalGenerations(names);
    const replay = await replayJournals(root, generations, handles);

    const removedIncomplete: string[] = [];
    const repairedShapes: string[] = [];
    const loaded: { handle: string; meta: ShapeMeta; index: ShapeIndex }[] = [];
    await forEachLimit(handles, IO_PARALLELISM, async (handle) => {
      const shape = await loadShape(root, handle);
      if (shape === 'incomplete') {
        removedIncomplete.push(handle);
        await fs.rm(path.join(root, handle), { recursive: true, force: true });
        return;
      }
      if (shape.repaired) repairedShapes.push(handle);
      loaded.push({ handle, meta: shape.meta, index: shape.index });
    });
    if (removedIncomplete.length > 0) await fsyncDir(root);

    const access = await readAccessTimes(path.join(root, ACCESS));
    const generation = (generations.at(-1) ?? 0) + 1;
    const journal = await Journal.create<DiskShape>(root, generation);
    const store = new DiskShapeLogStore(root, options, journal, {
      journalRecordsReplayed: replay.records,
      tornJournalBytes: replay.tornBytes,
      repairedShapes: repairedShapes.sort(),
      removedIncomplete: removedIncomplete.sort(),
    });
    const withAccess = loaded.map((s) => ({ ...s, lastAccess: access.get(s.handle) ?? s.meta.createdAt }));
    withAccess.sort((a, b) => a.lastAccess - b.lastAccess);
    for (const s of withAccess)
      store.shapes.add(s.handle, store.newState(s.handle, s.meta, s.lastAccess, s.index));
    return store;
  }

  async create(shape: NewShape): Promise<ShapeInfo> {
    this.checkOpen();
    checkHandle(shape.handle);
    if (this.shapes.has(shape.handle) || this.creating.has(shape.handle)) throw shapeExists(shape.handle);
    this.creating.add(shape.handle);
    try {
      const dir = path.join(this.root, shape.handle);
      try {
        await fs.mkdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw shapeExists(shape.handle);
        throw error;
      }
      await fs.writeFile(path.join(dir, LOG), '');
      await fs.writeFile(path.join(dir, INDEX), '');
      const meta = metaOf(shape);
      // meta.json last: a folder without it is a create cut off by a crash, removed on open.
      await writeFileDurable(path.join(dir, META), encodeMeta(meta));
      await fsyncDir(this.root);
      this.checkOpen();
      const state = this.newState(shape.handle, meta, this.now(), new ShapeIndex());
      this.shapes.add(shape.handle, state);
      return infoOf(state);
    } finally {
      this.creating.delete(shape.handle);
    }
  }

  setSnapshot(handle: string, xids: SnapshotXids): Promise<void> {
    return this.updateMeta(handle, (meta) => ({
      ...meta,
      snapshot: { xmin: xids.xmin, xmax: xids.xmax, xip: [...xids.xip] },
    }));
  }

  appendSnapshot(handle: string, entries: readonly StoredEntry[]): Promise<void> {
    return this.append(handle, entries, { kind: 'snapshot' }).durable;
  }

  async completeSnapshot(handle: string): Promise<void> {
    this.shapes.get(handle);
    await this.flush();
    await this.updateMeta(handle, (meta) => ({ ...meta, snapshotComplete: true }));
  }

  appendTransaction(handle: string, lsn: bigint, entries: readonly StoredEntry[]): Appended {
    return this.append(handle, entries, { kind: 'transaction', lsn });
  }

  async flush(): Promise<void> {
    this.checkOpen();
    await this.chain;
    if (this.failure) throw this.failed();
  }

  async read(handle: string, since: LogOffset): Promise<ReadResult> {
    this.checkOpen();
    const state = this.shapes.get(handle);
    this.shapes.touch(handle, state, this.now());
    state.busy++;
    try {
      const tail = state.index.tail;
      const [first, end] = state.index.sliceSince(since);
      return assembleRead(since, tail, await this.segments(state, first, end));
    } catch (error) {
      throw state.deleted ? notFound(handle) : error;
    } finally {
      state.busy--;
    }
  }

  waitForChange(handle: string, since: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    return waitFor((listener) => this.watch(handle, since, options, listener));
  }

  watch(
    handle: string,
    since: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined {
    this.checkOpen();
    const state = this.shapes.get(handle);
    this.shapes.touch(handle, state, this.now());
    return state.waiters.watch(since, state.index.tail, options, listener);
  }

  readCached(handle: string, since: LogOffset): ReadResult | undefined {
    const state = this.shapes.find(handle);
    if (state === undefined || this.closing || this.failure) return undefined;
    const [first, end] = state.index.sliceSince(since);
    const segments: DecodedSegment[] = [];
    for (let i = first; i < end; i++) {
      const cached = this.cache.get(segmentKey(handle, i));
      if (cached === undefined) return undefined;
      segments.push(cached);
    }
    this.shapes.touch(handle, state, this.now());
    return assembleRead(since, state.index.tail, segments);
  }

  info(handle: string): ShapeInfo | undefined {
    const state = this.shapes.find(handle);
    return state === undefined ? undefined : infoOf(state);
  }

  tail(handle: string): LogOffset | undefined {
    return this.shapes.find(handle)?.index.tail;
  }

  list(): ShapeInfo[] {
    return [...this.shapes.states()].map(([, state]) => infoOf(state));
  }

  async delete(handle: string): Promise<boolean> {
    this.checkOpen();
    const state = this.shapes.remove(handle);
    if (state === undefined) return false;
    await this.removeFiles(state);
    return true;
  }

  evictIdle(): Eviction {
    this.checkOpen();
    const handles = this.shapes.evictionCandidates(this.options.maxShapes ?? Infinity);
    const states = handles.map((h) => this.shapes.remove(h)).filter((s): s is DiskShape => s !== undefined);
    return { handles, done: Promise.all(states.map((s) => this.removeFiles(s))).then(() => undefined) };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.chain;
    clearTimeout(this.writerTimer);
    this.writerTimer = undefined;
    await this.writer;
    await Promise.all([...this.background]);
    for (const [, state] of this.shapes.states()) state.waiters.closed();
    if (this.failure === undefined) {
      await this.checkpoint(this.journal);
      const access = Object.fromEntries([...this.shapes.states()].map(([h, s]) => [h, s.lastAccess]));
      await writeFileDurable(path.join(this.root, ACCESS), `${JSON.stringify(access)}\n`);
    }
    await Promise.all([...this.openShapes].map((s) => this.closeFiles(s)));
  }

  // ---- appends and group commit ----

  // Runs synchronously up to `enqueue`, in call order; a refused append is refused in its promises.
  private append(handle: string, entries: readonly StoredEntry[], kind: AppendKind): Appended {
    let state: DiskShape;
    try {
      this.checkOpen();
      state = this.shapes.get(handle);
      checkAppend(handle, state.plannedTail, entries, kind);
    } catch (error) {
      return refusedAppend(error);
    }
    if (entries.length === 0) return visibleWhenDurable(Promise.resolve());
    const segments = planSegments(entries, state.plannedChunkBytes, this.options.chunkBytes);
    const logParts: Buffer[] = [];
    const records: SegmentRecord[] = [];
    const decoded: DecodedSegment[] = [];
    let logEnd = state.plannedLogBytes;
    for (const segment of segments) {
      const bytes = encodeLines(entries, segment.from, segment.to);
      logParts.push(bytes);
      logEnd += bytes.length;
      records.push({
        last: segment.last,
        end: logEnd,
        chunkBytesAfter: segment.chunkBytesAfter,
        chunkEnd: segment.chunkEnd,
      });
      const part = entries.slice(segment.from, segment.to);
      decoded.push({ offsets: part.map((e) => e.offset), jsons: part.map((e) => e.json) });
    }
    const indexBytes = encodeIndexRecords(records);
    const journal: JournalItem = {
      handle,
      logPosition: state.plannedLogBytes,
      logBytes: logParts.length === 1 ? (logParts[0] as Buffer) : Buffer.concat(logParts),
      indexPosition: state.plannedIndexBytes,
      indexBytes,
    };
    const last = records.at(-1) as SegmentRecord;
    state.plannedLogBytes = logEnd;
    state.plannedIndexBytes += indexBytes.length;
    state.plannedTail = last.last;
    state.plannedChunkBytes = last.chunkBytesAfter;
    state.busy++;
    return this.enqueue({ state, journal, records, decoded });
  }

  private enqueue(item: BatchItem): Appended {
    if (this.batch === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      let shown!: () => void;
      const durable = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const visible = new Promise<void>((res) => (shown = res));
      const batch: Batch = { items: [], appended: { visible, durable }, shown, resolve, reject };
      this.batch = batch;
      // Appends made while the previous commit is in flight (or in this turn) join this batch.
      this.chain = this.chain.then(nextImmediate).then(() => this.commit(batch));
    }
    this.batch.items.push(item);
    return this.batch.appended;
  }

  private async commit(batch: Batch): Promise<void> {
    if (this.batch === batch) this.batch = undefined;
    const items = batch.items.filter((item) => !item.state.deleted);
    try {
      if (this.failure) throw this.failed();
      const written =
        items.length > 0
          ? this.journal.append(encodeJournalRecord(items.map((item) => item.journal)))
          : undefined;
      // Visible once the write is issued, not once it returns (SE42): a client is not kept waiting
      // for the disk. A crash before it returns loses nothing a client can miss: the slot is acked
      // only past durable appends, so Postgres streams the transaction again, at the same offsets.
      for (const item of items) this.show(item);
      batch.shown();
      await written;
    } catch (error) {
      this.failure ??= error as Error;
      for (const item of batch.items) item.state.busy--;
      // Rejected first: whoever watches both hears of the failure before `visible` settles.
      batch.reject(this.failed());
      batch.shown();
      return;
    }
    // Durable now: the shape files are written behind, coalescing commits; the journal covers a crash.
    for (const item of items) {
      item.state.unwritten.push(item.journal);
      this.unwrittenBytes += item.journal.logBytes.length + item.journal.indexBytes.length;
      this.toWrite.add(item.state);
      this.journal.dirty.add(item.state);
    }
    for (const item of batch.items) item.state.busy--;
    batch.resolve();
    this.scheduleWriter();
    try {
      // Back-pressure: the next commit waits while too much is journaled but not yet written.
      if (this.unwrittenBytes > (this.options.writeBehindBytes ?? 32 * 1024 * 1024)) await this.writer;
      if (this.journal.bytes >= (this.options.journalMaxBytes ?? 64 * 1024 * 1024)) await this.rotate();
    } catch (error) {
      this.failure ??= error as Error;
    }
  }

  /**
   * The writer runs a while after the first unwritten append (SE42), or at once past 1 MiB unwritten:
   * under steady commits to many shapes, each shape's appends of that while share one write per file.
   */
  private scheduleWriter(): void {
    if (this.writerRunning) return;
    const delayMs = this.options.writeBehindDelayMs ?? 250;
    if (delayMs <= 0 || this.unwrittenBytes > WRITE_AT_ONCE_BYTES) {
      clearTimeout(this.writerTimer);
      this.writerTimer = undefined;
      this.startWriter();
      return;
    }
    if (this.writerTimer !== undefined) return;
    this.writerTimer = setTimeout(() => {
      this.writerTimer = undefined;
      this.startWriter();
    }, delayMs);
    // Pending writes never hold the process open: the journal has them, and close() writes them.
    this.writerTimer.unref();
  }

  /** One pass over the shapes with unwritten appends; what arrives meanwhile waits for the next. */
  private startWriter(): void {
    if (this.writerRunning) return;
    this.writerRunning = true;
    this.writer = (async () => {
      try {
        const shapes = [...this.toWrite];
        this.toWrite.clear();
        await forEachLimit(shapes, IO_PARALLELISM, (state) => this.writeShape(state));
      } catch (error) {
        this.failure ??= error as Error;
      } finally {
        this.writerRunning = false;
        if (this.toWrite.size > 0 && !this.closing) this.scheduleWriter();
      }
    })();
  }

  /** Writes everything journaled for the shape so far; one write per file, at the recorded positions. */
  private writeShape(state: DiskShape): Promise<void> {
    const run = state.writing.then(async () => {
      const items = state.unwritten.splice(0);
      if (items.length === 0) return;
      const bytes = items.reduce((sum, i) => sum + i.logBytes.length + i.indexBytes.length, 0);
      try {
        if (state.deleted) return;
        const first = items[0] as JournalItem;
        const files = await this.acquire(state);
        try {
          await Promise.all([
            files.log.writev(
              items.map((i) => i.logBytes),
              first.logPosition,
            ),
            files.index.writev(
              items.map((i) => i.indexBytes),
              first.indexPosition,
            ),
          ]);
        } finally {
          this.release(state);
        }
        const last = items.at(-1) as JournalItem;
        state.writtenLogBytes = last.logPosition + last.logBytes.length;
      } catch (error) {
        // A shape deleted meanwhile has no files left to write; anything else stops the store.
        if (!state.deleted) throw error;
      } finally {
        this.unwrittenBytes -= bytes;
      }
    });
    state.writing = run.catch(() => undefined);
    return run;
  }

  /** Readers see it, waiters wake (its bytes are in the cache, and in the files once written behind). */
  private show(item: BatchItem): void {
    const { state } = item;
    item.records.forEach((record, i) => {
      this.cache.set(segmentKey(state.handle, state.index.count), item.decoded[i]);
      state.index.push(record);
    });
    state.waiters.advanced(state.index.tail);
  }

  /** A new journal takes the appends; the old one goes once its shapes' files are fsync'd. */
  private async rotate(): Promise<void> {
    const old = this.journal;
    this.journal = await Journal.create<DiskShape>(this.root, old.generation + 1);
    this.track(this.checkpoint(old));
  }

  private async checkpoint(journal: Journal<DiskShape>): Promise<void> {
    await forEachLimit(journal.dirty, IO_PARALLELISM, async (state) => {
      await this.writeShape(state);
      if (state.deleted) return;
      const files = await this.acquire(state);
      try {
        await Promise.all([files.log.datasync(), files.index.datasync()]);
      } finally {
        this.release(state);
      }
    });
    await journal.remove();
  }

  // ---- reads ----

  private async segments(state: DiskShape, first: number, end: number): Promise<DecodedSegment[]> {
    const out: DecodedSegment[] = [];
    let i = first;
    while (i < end) {
      const cached = this.cache.get(segmentKey(state.handle, i));
      if (cached) {
        out.push(cached);
        i++;
        continue;
      }
      let runEnd = i + 1;
      while (runEnd < end && !this.cache.has(segmentKey(state.handle, runEnd))) runEnd++;
      out.push(...(await this.readRun(state, i, runEnd)));
      i = runEnd;
    }
    return out;
  }

  /** Reads segments [first, end) in one read and caches them. */
  private async readRun(state: DiskShape, first: number, end: number): Promise<DecodedSegment[]> {
    const start = state.index.start(first);
    const length = state.index.end(end - 1) - start;
    if (start + length > state.writtenLogBytes) {
      // Shown but not yet durable (its journal write in flight): written behind once it is.
      await this.chain;
      await this.writeShape(state);
    }
    const buf = Buffer.allocUnsafe(length);
    const files = await this.acquire(state);
    try {
      const { bytesRead } = await files.log.read(buf, 0, length, start);
      if (bytesRead !== length) {
        throw new ShapeStoreError(
          STORAGE_REASONS.corrupt,
          `The log of shape ${state.handle} ends at byte ${start + bytesRead}, before its index's ${start + length}; delete the shape to rebuild it.`,
        );
      }
    } finally {
      this.release(state);
    }
    const out: DecodedSegment[] = [];
    for (let i = first; i < end; i++) {
      const bytes = buf.subarray(state.index.start(i) - start, state.index.end(i) - start);
      const segment = decodeLines(bytes, `shape ${state.handle}`);
      this.cache.set(segmentKey(state.handle, i), segment);
      out.push(segment);
    }
    return out;
  }

  // ---- files ----

  private async acquire(state: DiskShape): Promise<OpenFiles> {
    state.fileUsers++;
    try {
      if (state.files === undefined) {
        state.opening ??= openShapeFiles(state.dir);
        const files = await state.opening;
        state.opening = undefined;
        state.files = files;
      }
      this.openShapes.delete(state);
      this.openShapes.add(state);
      this.trimOpenFiles();
      return state.files;
    } catch (error) {
      state.fileUsers--;
      throw error;
    }
  }

  private release(state: DiskShape): void {
    state.fileUsers--;
    if (state.deleted && state.fileUsers === 0) this.track(this.closeFiles(state));
    else this.trimOpenFiles();
  }

  private trimOpenFiles(): void {
    const max = this.options.maxOpenShapes ?? 256;
    if (this.openShapes.size <= max) return;
    for (const state of this.openShapes) {
      if (this.openShapes.size <= max) break;
      if (state.fileUsers === 0) this.track(this.closeFiles(state));
    }
  }

  private async closeFiles(state: DiskShape): Promise<void> {
    const files = state.files;
    this.openShapes.delete(state);
    if (files === undefined) return;
    state.files = undefined;
    await Promise.all([files.log.close(), files.index.close()]);
  }

  private async removeFiles(state: DiskShape): Promise<void> {
    if (state.fileUsers === 0) await this.closeFiles(state);
    const trash = path.join(this.root, `${TRASH}${state.handle}`);
    await fs.rename(state.dir, trash);
    await fsyncDir(this.root);
    await fs.rm(trash, { recursive: true, force: true });
  }

  // ---- helpers ----

  private newState(handle: string, meta: ShapeMeta, lastAccess: number, index: ShapeIndex): DiskShape {
    return {
      ...newShapeState(meta, lastAccess, this.wakes, index),
      handle,
      dir: path.join(this.root, handle),
      files: undefined,
      opening: undefined,
      fileUsers: 0,
      unwritten: [],
      writtenLogBytes: index.byteEnd,
      writing: Promise.resolve(),
      plannedLogBytes: index.byteEnd,
      plannedIndexBytes: index.count * INDEX_RECORD_BYTES,
      metaWrite: Promise.resolve(),
    };
  }

  private async updateMeta(handle: string, change: (meta: ShapeMeta) => ShapeMeta): Promise<void> {
    this.checkOpen();
    const state = this.shapes.get(handle);
    const write = state.metaWrite.then(async () => {
      if (state.deleted) throw closedOrGone(state);
      const meta = change(state.meta);
      await writeFileDurable(path.join(state.dir, META), encodeMeta(meta));
      state.meta = meta;
    });
    state.metaWrite = write.catch(() => undefined);
    return write.catch((error: unknown) => {
      throw state.deleted ? closedOrGone(state) : (error as Error);
    });
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.failure ??= error as Error;
    });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private checkOpen(): void {
    if (this.closing) throw closedError();
    if (this.failure) throw this.failed();
  }

  private failed(): ShapeStoreError {
    const cause = this.failure;
    return new ShapeStoreError(
      STORAGE_REASONS.closed,
      `The shape log store stopped after a write failed (${cause?.message ?? 'unknown error'}); restart the server to recover from disk.`,
      { cause },
    );
  }
}

function closedOrGone(state: DiskShape): ShapeStoreError {
  return new ShapeStoreError(
    STORAGE_REASONS.shapeNotFound,
    `Shape ${JSON.stringify(state.handle)} was deleted; request the shape again from offset -1.`,
  );
}

function segmentKey(handle: string, segment: number): string {
  return `${handle}#${segment}`;
}

async function openShapeFiles(dir: string): Promise<OpenFiles> {
  const log = await fs.open(path.join(dir, LOG), 'r+');
  try {
    return { log, index: await fs.open(path.join(dir, INDEX), 'r+') };
  } catch (error) {
    await log.close();
    throw error;
  }
}

/**
 * Rewrites what the journals recorded at the positions they recorded, then cuts each touched file at
 * its last recorded end: the shape files then hold exactly the acknowledged history. Journals stop at
 * the first torn record (a crash mid-write: that group commit was never acknowledged).
 */
async function replayJournals(
  root: string,
  generations: readonly number[],
  handles: ReadonlySet<string>,
): Promise<{ records: number; tornBytes: number }> {
  const touched = new Map<string, { files: OpenFiles; logEnd: number; indexEnd: number }>();
  let records = 0;
  let tornBytes = 0;
  try {
    for (const generation of generations) {
      const buf = await fs.readFile(path.join(root, `journal.${generation}`));
      const decoded = decodeJournal(buf);
      for (const record of decoded.records) {
        records++;
        for (const item of record) {
          if (!handles.has(item.handle)) continue;
          let target = touched.get(item.handle);
          if (target === undefined) {
            const files = await openShapeFilesForRepair(path.join(root, item.handle));
            if (files === undefined) continue;
            target = { files, logEnd: 0, indexEnd: 0 };
            touched.set(item.handle, target);
          }
          await target.files.log.write(item.logBytes, 0, item.logBytes.length, item.logPosition);
          await target.files.index.write(item.indexBytes, 0, item.indexBytes.length, item.indexPosition);
          target.logEnd = item.logPosition + item.logBytes.length;
          target.indexEnd = item.indexPosition + item.indexBytes.length;
        }
      }
      tornBytes += buf.length - decoded.validBytes;
      if (decoded.validBytes < buf.length) break;
    }
    await forEachLimit(touched.values(), IO_PARALLELISM, async (t) => {
      await t.files.log.truncate(t.logEnd);
      await t.files.index.truncate(t.indexEnd);
      await Promise.all([t.files.log.datasync(), t.files.index.datasync()]);
    });
  } finally {
    await Promise.all([...touched.values()].flatMap((t) => [t.files.log.close(), t.files.index.close()]));
  }
  for (const generation of generations)
    await fs.rm(path.join(root, `journal.${generation}`), { force: true });
  if (generations.length > 0) await fsyncDir(root);
  return { records, tornBytes };
}

/** A create cut off by a crash may lack its files: those shapes are removed by `loadShape`. */
async function openShapeFilesForRepair(dir: string): Promise<OpenFiles | undefined> {
  if ((await fileSize(path.join(dir, META))) === undefined) return undefined;
  try {
    return await openShapeFiles(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads a shape's metadata and index (not its log). Index records past a torn one, or pointing past
 * the log's end, are cut, and so are log bytes past the last record.
 */
async function loadShape(
  root: string,
  handle: string,
): Promise<'incomplete' | { meta: ShapeMeta; index: ShapeIndex; repaired: boolean }> {
  const dir = path.join(root, handle);
  let metaText: string;
  try {
    metaText = await fs.readFile(path.join(dir, META), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'incomplete';
    throw error;
  }
  const meta = decodeMeta(metaText, path.join(dir, META));
  if (meta.handle !== handle) {
    throw new ShapeStoreError(
      STORAGE_REASONS.corrupt,
      `${path.join(dir, META)} names handle ${meta.handle}, not its folder's ${handle}; move or delete the folder.`,
    );
  }
  const indexBuf = await fs.readFile(path.join(dir, INDEX));
  const logSize = (await fileSize(path.join(dir, LOG))) ?? 0;
  const { records } = decodeIndexRecords(indexBuf);
  let keep = records.length;
  while (keep > 0 && (records[keep - 1] as SegmentRecord).end > logSize) keep--;
  const index = new ShapeIndex();
  for (let i = 0; i < keep; i++) index.push(records[i] as SegmentRecord);
  const indexBytes = keep * INDEX_RECORD_BYTES;
  const repaired = indexBytes !== indexBuf.length || index.byteEnd !== logSize;
  if (repaired) {
    await fs.truncate(path.join(dir, INDEX), indexBytes);
    await fs.truncate(path.join(dir, LOG), index.byteEnd);
  }
  return { meta, index, repaired };
}

async function readAccessTimes(file: string): Promise<Map<string, number>> {
  try {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    if (typeof json !== 'object' || json === null) return new Map();
    return new Map(Object.entries(json).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    // A missing or damaged file only loses LRU order: shapes fall back to their creation time.
    return new Map();
  }
}
