// What both stores keep per shape and how they choose what to evict (SPEC.md SE46): a Map in
// least-recently-read order (a read moves its shape to the end), so eviction walks from the front.
import { compareOffsets, type LogOffset } from '../offset';
import type { DecodedSegment, ShapeMeta } from './codec';
import { ShapeIndex } from './shape-index';
import { notFound, type NewShape, type ReadResult, type ShapeInfo } from './store';
import { ShapeWaiters, type WakeScheduler } from './waiters';

export interface ShapeState {
  meta: ShapeMeta;
  /** Visible segments (SE42: durable, or their journal write in flight). */
  readonly index: ShapeIndex;
  readonly waiters: ShapeWaiters;
  lastAccess: number;
  /** Reads and appends in flight: such a shape is not idle and is never evicted. */
  busy: number;
  deleted: boolean;
  /** Tail and open-chunk size including appends accepted but not yet visible. */
  plannedTail: LogOffset;
  plannedChunkBytes: number;
}

export function newShapeState(
  meta: ShapeMeta,
  lastAccess: number,
  wakes: WakeScheduler,
  index = new ShapeIndex(),
): ShapeState {
  return {
    meta,
    index,
    waiters: new ShapeWaiters(wakes),
    lastAccess,
    busy: 0,
    deleted: false,
    plannedTail: index.tail,
    plannedChunkBytes: index.openChunkBytes,
  };
}

/** The metadata of a new shape: exactly the NewShape fields, whatever else the object carries. */
export function metaOf(shape: NewShape): ShapeMeta {
  return {
    handle: shape.handle,
    definitionKey: shape.definitionKey,
    definitionHash: shape.definitionHash,
    definition: shape.definition,
    schemaHeader: shape.schemaHeader,
    createdAt: shape.createdAt,
    snapshot: undefined,
    snapshotComplete: false,
  };
}

export function infoOf(state: ShapeState): ShapeInfo {
  const tail = state.index.tail;
  return { ...state.meta, tail, lastLsn: tail.tx > 0n ? tail.tx : 0n, lastAccess: state.lastAccess };
}

export class ShapeTable<S extends ShapeState> {
  private readonly shapes = new Map<string, S>();

  get size(): number {
    return this.shapes.size;
  }

  has(handle: string): boolean {
    return this.shapes.has(handle);
  }

  find(handle: string): S | undefined {
    return this.shapes.get(handle);
  }

  get(handle: string): S {
    const state = this.shapes.get(handle);
    if (state === undefined) throw notFound(handle);
    return state;
  }

  /** Adds in access order: shapes loaded at open must be added oldest access first. */
  add(handle: string, state: S): void {
    this.shapes.set(handle, state);
  }

  remove(handle: string): S | undefined {
    const state = this.shapes.get(handle);
    if (state === undefined) return undefined;
    this.shapes.delete(handle);
    state.deleted = true;
    state.waiters.deleted();
    return state;
  }

  touch(handle: string, state: S, now: number): void {
    state.lastAccess = now;
    this.shapes.delete(handle);
    this.shapes.set(handle, state);
  }

  states(): IterableIterator<[string, S]> {
    return this.shapes.entries();
  }

  /** Least recently read idle shapes beyond `max` (no reads, appends or waiters in flight). */
  evictionCandidates(max: number): string[] {
    const excess = this.shapes.size - max;
    const victims: string[] = [];
    if (excess <= 0) return victims;
    for (const [handle, state] of this.shapes) {
      if (victims.length >= excess) break;
      if (state.busy === 0 && state.waiters.size === 0) victims.push(handle);
    }
    return victims;
  }
}

/**
 * The read answer from the segments [first, end) that `sliceSince` chose, decoded in order: entries of
 * the first segment at or before `since` are dropped (a mid-segment offset).
 */
export function assembleRead(
  since: LogOffset,
  tail: LogOffset,
  segments: readonly DecodedSegment[],
): ReadResult {
  const entries: string[] = [];
  let lastOffset = since;
  for (const segment of segments) {
    for (let i = 0; i < segment.offsets.length; i++) {
      const offset = segment.offsets[i] as LogOffset;
      if (compareOffsets(offset, since) <= 0) continue;
      entries.push(segment.jsons[i] as string);
      lastOffset = offset;
    }
  }
  const upToDate =
    entries.length === 0 ? compareOffsets(since, tail) >= 0 : compareOffsets(lastOffset, tail) >= 0;
  return { entries, lastOffset, tail, upToDate };
}
