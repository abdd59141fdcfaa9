import { describe, expect, it } from 'vitest';
import { chunkSlice, entryBytes, fitIntoChunk, type ChunkedEntry } from './chunking';

describe('chunking', () => {
  it('[SE26] a chunk closes after the entry that brings it to the threshold, and the next one starts empty', () => {
    expect(fitIntoChunk(4, 0, 12)).toEqual({ closes: false, chunkSize: 4 });
    expect(fitIntoChunk(4, 4, 12)).toEqual({ closes: false, chunkSize: 8 });
    expect(fitIntoChunk(4, 8, 12)).toEqual({ closes: true, chunkSize: 0 });
    expect(fitIntoChunk(50, 0, 12)).toEqual({ closes: true, chunkSize: 0 });
    expect(fitIntoChunk(0, 11, 12)).toEqual({ closes: false, chunkSize: 11 });
  });

  it('[SE26] boundaries depend only on the entries, so replaying a log gives the same chunks', () => {
    const sizes = [3000, 4000, 3500, 200, 9800, 10, 10];
    const boundaries = (): number[] => {
      let size = 0;
      const ends: number[] = [];
      sizes.forEach((s, i) => {
        const r = fitIntoChunk(s, size, 10_000);
        size = r.chunkSize;
        if (r.closes) ends.push(i);
      });
      return ends;
    };
    expect(boundaries()).toEqual([2, 4]);
    expect(boundaries()).toEqual(boundaries());
  });

  it('[SE26] entry size is the UTF-8 byte length of its JSON', () => {
    expect(entryBytes('{"a":"é"}')).toBe(10);
    expect(entryBytes('😀')).toBe(4);
  });

  it('[SE26] a read returns from after the offset to the end of that chunk; a mid-chunk offset gets the rest of it', () => {
    const e = (tx: bigint, op: number, chunkEnd = false): ChunkedEntry => ({ offset: { tx, op }, chunkEnd });
    const log = [e(0n, 0), e(0n, 1, true), e(10n, 0), e(10n, 2), e(10n, 4, true), e(11n, 0)];
    expect(chunkSlice(log, { tx: -1n, op: 0 })).toEqual([0, 2]);
    expect(chunkSlice(log, { tx: 0n, op: 1 })).toEqual([2, 5]);
    expect(chunkSlice(log, { tx: 10n, op: 0 })).toEqual([3, 5]);
    expect(chunkSlice(log, { tx: 10n, op: 1 })).toEqual([3, 5]);
    expect(chunkSlice(log, { tx: 10n, op: 4 })).toEqual([5, 6]);
    expect(chunkSlice(log, { tx: 11n, op: 0 })).toEqual([6, 6]);
  });
});
