// Pure checks of the disk store's byte formats (SPEC.md SE43, SE44): whatever byte a crash cuts a
// file at, decoding keeps exactly the whole records before the cut.
import { describe, expect, it } from 'vitest';
import {
  decodeIndexRecords,
  decodeJournal,
  decodeLines,
  decodeMeta,
  encodeIndexRecords,
  encodeJournalRecord,
  encodeLines,
  encodeMeta,
  type JournalItem,
} from './codec';
import type { SegmentRecord } from './shape-index';
import { newShape, transaction } from './store-contract';

const item = (handle: string, n: number): JournalItem => ({
  handle,
  logPosition: n * 100,
  logBytes: encodeLines(transaction(BigInt(n), 2), 0, 2),
  indexPosition: n * 40,
  indexBytes: encodeIndexRecords([
    { last: { tx: BigInt(n), op: 2 }, end: n * 100 + 50, chunkBytesAfter: 9, chunkEnd: false },
  ]),
});

describe('disk formats', () => {
  it('[SE43] a journal cut at any byte keeps exactly the whole group commits before the cut', () => {
    const records = [[item('a-1', 1)], [item('a-1', 2), item('b-1', 2)], [item('c-1', 3)]];
    const encoded = records.map(encodeJournalRecord);
    const file = Buffer.concat(encoded);
    const ends = encoded.map((_, i) => encoded.slice(0, i + 1).reduce((sum, b) => sum + b.length, 0));
    for (let cut = 0; cut <= file.length; cut++) {
      const whole = ends.filter((end) => end <= cut).length;
      const decoded = decodeJournal(file.subarray(0, cut));
      expect(decoded.records).toHaveLength(whole);
      expect(decoded.validBytes).toBe(whole === 0 ? 0 : ends[whole - 1]);
    }
    expect(decodeJournal(file).records).toEqual(records);
  });

  it('[SE43] a journal record with a flipped byte is treated as torn', () => {
    const file = encodeJournalRecord([item('a-1', 1)]);
    file.writeUInt8(file.readUInt8(file.length - 3) ^ 0xff, file.length - 3);
    expect(decodeJournal(file)).toEqual({ records: [], validBytes: 0 });
  });

  it('[SE44] index records round-trip (64-bit LSNs, inf) and stop at a torn or damaged one', () => {
    const records: SegmentRecord[] = [
      { last: { tx: 0n, op: 4 }, end: 120, chunkBytesAfter: 0, chunkEnd: true },
      { last: { tx: 2n ** 64n - 1n, op: 'inf' }, end: 2 ** 40, chunkBytesAfter: 77, chunkEnd: false },
    ];
    const buf = encodeIndexRecords(records);
    expect(decodeIndexRecords(buf)).toEqual({ records, validBytes: 80 });
    expect(decodeIndexRecords(buf.subarray(0, 79))).toEqual({ records: records.slice(0, 1), validBytes: 40 });
    const damaged = Buffer.from(buf);
    damaged.writeUInt8(damaged.readUInt8(45) ^ 1, 45);
    expect(decodeIndexRecords(damaged).records).toEqual(records.slice(0, 1));
  });

  it('[SE44] log lines and metadata round-trip; damaged ones are a corrupt error naming the file', () => {
    const entries = transaction(5n, 3);
    expect(decodeLines(encodeLines(entries, 0, 3), 'x')).toEqual({
      offsets: entries.map((e) => e.offset),
      jsons: entries.map((e) => e.json),
    });
    expect(() => decodeLines(Buffer.from('5_0 {"a":1}'), 'shape s')).toThrow(/shape s/);
    const meta = {
      ...newShape('m-1'),
      snapshot: { xmin: 1n, xmax: 2n ** 63n, xip: [5n] },
      snapshotComplete: true,
    };
    expect(decodeMeta(encodeMeta(meta), 'meta.json')).toEqual(meta);
    expect(() => decodeMeta('{"version":2}', '/d/meta.json')).toThrow(/\/d\/meta.json/);
  });
});
