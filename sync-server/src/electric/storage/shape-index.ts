// Pure bookkeeping of one shape's log (SPEC.md SE40, SE41, SE47): appends are checked and cut into
// segments at chunk boundaries (chunking.ts, fixed at append time), and a compact index of segments
// (last offset, byte end, chunk flag) answers "since X" without touching entries. Both stores use it.
import { entryBytes, fitIntoChunk } from '../chunking';
import { BEFORE_ALL, compareOffsets, formatOffset, type LogOffset } from '../offset';
import { ShapeStoreError, STORAGE_REASONS } from './errors';
import type { StoredEntry } from './store';

/** One run of entries from a single append that lies within one chunk. */
export interface SegmentRecord {
  readonly last: LogOffset;
  /** Byte position in the shape's log where the segment ends (its start is the previous end). */
  readonly end: number;
  /** Size of the open chunk after this segment: 0 when the segment closes its chunk. */
  readonly chunkBytesAfter: number;
  readonly chunkEnd: boolean;
}

/** An append cut at chunk boundaries: entries [from, to) of the call make one segment. */
export interface PlannedSegment {
  readonly from: number;
  readonly to: number;
  readonly last: LogOffset;
  readonly chunkEnd: boolean;
  readonly chunkBytesAfter: number;
}

// Per segment, in one Float64Array: tx high and low 32 bits (exact in a double), op (Infinity for
// `inf`), byte end, open-chunk bytes after, chunk-end flag. About 48 bytes per segment.
const STRIDE = 6;
const TWO_32 = 2n ** 32n;

export class ShapeIndex {
  private data = new Float64Array(STRIDE * 2);
  private size = 0;
  private tailOffset: LogOffset = BEFORE_ALL;

  get count(): number {
    return this.size;
  }

  /** Offset of the last entry, BEFORE_ALL while empty. */
  get tail(): LogOffset {
    return this.tailOffset;
  }

  /** JSON bytes in the open (last, unclosed) chunk: where the next append's chunking starts. */
  get openChunkBytes(): number {
    return this.size === 0 ? 0 : this.at(this.size - 1, 4);
  }

  /** Byte end of the last segment: the log's valid length. */
  get byteEnd(): number {
    return this.size === 0 ? 0 : this.at(this.size - 1, 3);
  }

  push(record: SegmentRecord): void {
    if (this.size > 0 && compareOffsets(record.last, this.tailOffset) <= 0) {
      throw new RangeError(
        `segment ${formatOffset(record.last)} is not after the tail ${formatOffset(this.tailOffset)}`,
      );
    }
    if ((this.size + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const base = this.size * STRIDE;
    this.data[base] = Number(record.last.tx / TWO_32);
    this.data[base + 1] = Number(record.last.tx % TWO_32);
    this.data[base + 2] = record.last.op === 'inf' ? Infinity : record.last.op;
    this.data[base + 3] = record.end;
    this.data[base + 4] = record.chunkEnd ? 0 : record.chunkBytesAfter;
    this.data[base + 5] = record.chunkEnd ? 1 : 0;
    this.size++;
    this.tailOffset = record.last;
  }

  segment(i: number): SegmentRecord {
    return {
      last: this.lastOffset(i),
      end: this.at(i, 3),
      chunkBytesAfter: this.at(i, 4),
      chunkEnd: this.at(i, 5) === 1,
    };
  }

  lastOffset(i: number): LogOffset {
    const op = this.at(i, 2);
    return { tx: BigInt(this.at(i, 0)) * TWO_32 + BigInt(this.at(i, 1)), op: op === Infinity ? 'inf' : op };
  }

  start(i: number): number {
    return i === 0 ? 0 : this.at(i - 1, 3);
  }

  end(i: number): number {
    return this.at(i, 3);
  }

  /**
   * Segments [first, end) holding the entries a read since `since` returns: from the first segment
   * with an entry after `since` to the segment that closes its chunk, or the last one (SE26).
   */
  sliceSince(since: LogOffset): readonly [number, number] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareLast(mid, since) <= 0) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < this.size) {
      end++;
      if (this.at(end - 1, 5) === 1) break;
    }
    return [lo, end];
  }

  private compareLast(i: number, offset: LogOffset): number {
    const hi = this.at(i, 0);
    const lo = this.at(i, 1);
    const tx = offset.tx;
    if (tx < 0n) return 1;
    const otherHi = Number(tx / TWO_32);
    const otherLo = Number(tx % TWO_32);
    if (hi !== otherHi) return hi < otherHi ? -1 : 1;
    if (lo !== otherLo) return lo < otherLo ? -1 : 1;
    const op = this.at(i, 2);
    const otherOp = offset.op === 'inf' ? Infinity : offset.op;
    return op === otherOp ? 0 : op < otherOp ? -1 : 1;
  }

  private at(i: number, field: number): number {
    return this.data[i * STRIDE + field] as number;
  }
}

export type AppendKind =
  { readonly kind: 'snapshot' } | { readonly kind: 'transaction'; readonly lsn: bigint };

/**
 * Checks an append against the shape's tail (SE41): offsets strictly increasing past the tail, all in
 * the transaction's LSN (or virtual `0_n` for the snapshot), each JSON non-empty and on one line.
 */
export function checkAppend(
  handle: string,
  tail: LogOffset,
  entries: readonly StoredEntry[],
  append: AppendKind,
): void {
  if (append.kind === 'transaction' && append.lsn <= 0n) {
    throw invalid(
      `Transaction LSN ${append.lsn} of shape ${handle} must be positive (0 is the snapshot region).`,
    );
  }
  let previous = tail;
  for (const entry of entries) {
    const { offset, json } = entry;
    const at = `${formatOffset(offset)} of shape ${handle}`;
    const expectedTx = append.kind === 'snapshot' ? 0n : append.lsn;
    if (offset.tx !== expectedTx) {
      throw invalid(
        append.kind === 'snapshot'
          ? `Snapshot entry ${at} must sit at a virtual offset 0_n.`
          : `Entry ${at} is not in the transaction committed at ${append.lsn}: its offset must start with ${append.lsn}_.`,
      );
    }
    if (offset.op !== 'inf' && (!Number.isSafeInteger(offset.op) || offset.op < 0)) {
      throw invalid(`Entry ${at} has op ${offset.op}: use a non-negative integer or "inf".`);
    }
    if (compareOffsets(offset, previous) <= 0) {
      throw invalid(
        `Entry ${at} is not after ${formatOffset(previous)}: a shape log only grows, in offset order (was this transaction applied already?).`,
      );
    }
    if (json.length === 0 || json.includes('\n')) {
      throw invalid(
        `Entry ${at} must be one line of encoded JSON (messages.ts), not empty and without newlines.`,
      );
    }
    previous = offset;
  }
}

function invalid(message: string): ShapeStoreError {
  return new ShapeStoreError(STORAGE_REASONS.invalidEntry, message);
}

/** Cuts an append into segments at the chunk boundaries the chunking rule puts between its entries. */
export function planSegments(
  entries: readonly StoredEntry[],
  openChunkBytes: number,
  threshold: number,
): PlannedSegment[] {
  const segments: PlannedSegment[] = [];
  let chunk = openChunkBytes;
  let from = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as StoredEntry;
    const fit = fitIntoChunk(entryBytes(entry.json), chunk, threshold);
    chunk = fit.chunkSize;
    if (fit.closes || i === entries.length - 1) {
      segments.push({ from, to: i + 1, last: entry.offset, chunkEnd: fit.closes, chunkBytesAfter: chunk });
      from = i + 1;
    }
  }
  return segments;
}
