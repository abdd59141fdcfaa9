// The in-memory ShapeLogStore (SPEC.md SE39): the same rules as the disk store, nothing survives the
// process. For tests of the layers above and for a server run without a DATA_DIR worth keeping.
import type { LogOffset } from '../offset';
import type { DecodedSegment } from './codec';
import { checkAppend, planSegments, type AppendKind } from './shape-index';
import { assembleRead, infoOf, metaOf, newShapeState, ShapeTable, type ShapeState } from './shape-table';
import {
  checkHandle,
  closedError,
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
import { waitFor, WakeScheduler } from './waiters';

interface MemoryShape extends ShapeState {
  readonly segments: DecodedSegment[];
  bytes: number;
}

export class MemoryShapeLogStore implements ShapeLogStore {
  private readonly shapes = new ShapeTable<MemoryShape>();
  private readonly now: () => number;
  private readonly wakes: WakeScheduler;
  private closed = false;

  constructor(private readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
    this.wakes = new WakeScheduler({ budgetMs: options.wakeBudgetMs });
  }

  create(shape: NewShape): Promise<ShapeInfo> {
    return this.run(() => {
      checkHandle(shape.handle);
      if (this.shapes.has(shape.handle)) throw shapeExists(shape.handle);
      const state: MemoryShape = {
        ...newShapeState(metaOf(shape), this.now(), this.wakes),
        segments: [],
        bytes: 0,
      };
      this.shapes.add(shape.handle, state);
      return infoOf(state);
    });
  }

  setSnapshot(handle: string, xids: SnapshotXids): Promise<void> {
    return this.run(() => {
      const state = this.shapes.get(handle);
      state.meta = { ...state.meta, snapshot: { xmin: xids.xmin, xmax: xids.xmax, xip: [...xids.xip] } };
    });
  }

  appendSnapshot(handle: string, entries: readonly StoredEntry[]): Promise<void> {
    return this.run(() => this.append(handle, entries, { kind: 'snapshot' }));
  }

  completeSnapshot(handle: string): Promise<void> {
    return this.run(() => {
      const state = this.shapes.get(handle);
      state.meta = { ...state.meta, snapshotComplete: true };
    });
  }

  appendTransaction(handle: string, lsn: bigint, entries: readonly StoredEntry[]): Appended {
    return visibleWhenDurable(this.run(() => this.append(handle, entries, { kind: 'transaction', lsn })));
  }

  flush(): Promise<void> {
    return this.run(() => undefined);
  }

  read(handle: string, since: LogOffset): Promise<ReadResult> {
    return this.run(() => this.readNow(this.shapes.get(handle), handle, since));
  }

  readCached(handle: string, since: LogOffset): ReadResult | undefined {
    const state = this.shapes.find(handle);
    return state === undefined || this.closed ? undefined : this.readNow(state, handle, since);
  }

  watch(
    handle: string,
    since: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined {
    if (this.closed) throw closedError();
    const state = this.shapes.get(handle);
    this.shapes.touch(handle, state, this.now());
    return state.waiters.watch(since, state.index.tail, options, listener);
  }

  waitForChange(handle: string, since: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    return waitFor((listener) => this.watch(handle, since, options, listener));
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

  delete(handle: string): Promise<boolean> {
    return this.run(() => this.shapes.remove(handle) !== undefined);
  }

  evictIdle(): Eviction {
    if (this.closed) throw closedError();
    const handles = this.shapes.evictionCandidates(this.options.maxShapes ?? Infinity);
    for (const handle of handles) this.shapes.remove(handle);
    return { handles, done: Promise.resolve() };
  }

  close(): Promise<void> {
    this.closed = true;
    for (const [, state] of this.shapes.states()) state.waiters.closed();
    return Promise.resolve();
  }

  private readNow(state: MemoryShape, handle: string, since: LogOffset): ReadResult {
    this.shapes.touch(handle, state, this.now());
    const [first, end] = state.index.sliceSince(since);
    return assembleRead(since, state.index.tail, state.segments.slice(first, end));
  }

  private append(handle: string, entries: readonly StoredEntry[], kind: AppendKind): void {
    const state = this.shapes.get(handle);
    checkAppend(handle, state.index.tail, entries, kind);
    for (const segment of planSegments(entries, state.index.openChunkBytes, this.options.chunkBytes)) {
      const part = entries.slice(segment.from, segment.to);
      state.bytes += part.reduce((sum, e) => sum + e.json.length, 0);
      state.segments.push({ offsets: part.map((e) => e.offset), jsons: part.map((e) => e.json) });
      state.index.push({
        last: segment.last,
        end: state.bytes,
        chunkBytesAfter: segment.chunkBytesAfter,
        chunkEnd: segment.chunkEnd,
      });
    }
    state.plannedTail = state.index.tail;
    state.plannedChunkBytes = state.index.openChunkBytes;
    if (entries.length > 0) state.waiters.advanced(state.index.tail);
  }

  /** Every call answers asynchronously, as the disk store does, and fails once closed. */
  private run<T>(body: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
