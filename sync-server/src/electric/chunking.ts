// Deterministic chunk boundaries (SPEC.md SE26, protocol doc §2.8): a chunk ends after the entry that
// brings its size to SHAPE_CHUNK_BYTES or more, so a given (handle, offset) always answers the same
// bytes and a CDN can cache it. Boundaries are decided when entries are appended, never when read.
import { compareOffsets, type LogOffset } from './offset';

export const DEFAULT_CHUNK_BYTES = 10 * 1024 * 1024;

/** Size that counts toward the threshold: the entry's JSON text in UTF-8. */
export function entryBytes(json: string): number {
  return Buffer.byteLength(json, 'utf8');
}

/**
 * Adds one entry to the open chunk. Returns whether the chunk closes after it, and the open chunk's
 * size afterwards (0 once closed). Empty entries never close a chunk (Electric's LogChunker).
 */
export function fitIntoChunk(
  entrySize: number,
  chunkSize: number,
  threshold: number,
): { readonly closes: boolean; readonly chunkSize: number } {
  if (entrySize === 0) return { closes: false, chunkSize };
  const size = chunkSize + entrySize;
  return size >= threshold ? { closes: true, chunkSize: 0 } : { closes: false, chunkSize: size };
}

/** A stored entry as the reader sees it: its offset and whether a chunk ends after it. */
export interface ChunkedEntry {
  readonly offset: LogOffset;
  readonly chunkEnd: boolean;
}

/**
 * The entries a read "since `offset`" (exclusive) returns: from the first entry after it to the end
 * of that entry's chunk, or to the tail. A mid-chunk offset gets the rest of that chunk, so the next
 * request lands on a boundary again. Returns [start, end) indexes into the offset-sorted `entries`.
 */
export function chunkSlice(entries: readonly ChunkedEntry[], since: LogOffset): readonly [number, number] {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareOffsets((entries[mid] as ChunkedEntry).offset, since) <= 0) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < entries.length) {
    end++;
    if ((entries[end - 1] as ChunkedEntry).chunkEnd) break;
  }
  return [lo, end];
}
