// Byte formats of the disk store (SPEC.md SE42–SE44), pure: a shape's log holds one line per entry,
// `<offset> <json>\n`; its index holds one 40-byte record per segment; the journal holds
// length + CRC framed group commits. Every framed record carries a CRC-32, so a torn tail shows.
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { formatOffset, parseOffset, type LogOffset } from '../offset';
import { ShapeStoreError, STORAGE_REASONS } from './errors';
import type { SegmentRecord } from './shape-index';
import type { ShapeInfo, SnapshotXids, StoredEntry } from './store';

// ---- log lines ----

export function encodeLines(entries: readonly StoredEntry[], from: number, to: number): Buffer {
  let text = '';
  for (let i = from; i < to; i++) {
    const entry = entries[i] as StoredEntry;
    text += `${formatOffset(entry.offset)} ${entry.json}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/** A segment read back: entry offsets and JSON texts, in order. */
export interface DecodedSegment {
  readonly offsets: readonly LogOffset[];
  readonly jsons: readonly string[];
}

export function decodeLines(bytes: Buffer, where: string): DecodedSegment {
  const text = bytes.toString('utf8');
  const offsets: LogOffset[] = [];
  const jsons: string[] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const space = text.indexOf(' ', at);
    const offset = space < 0 ? undefined : parseOffset(text.slice(at, space));
    if (newline < 0 || space < 0 || space > newline || offset === undefined || offset === 'now') {
      throw corrupt(`${where}: the log does not hold whole "<offset> <json>" lines at byte ${at}.`);
    }
    offsets.push(offset);
    jsons.push(text.slice(space + 1, newline));
    at = newline + 1;
  }
  return { offsets, jsons };
}

// ---- index records ----

export const INDEX_RECORD_BYTES = 40;

export function encodeIndexRecords(records: readonly SegmentRecord[]): Buffer {
  const buf = Buffer.alloc(records.length * INDEX_RECORD_BYTES);
  records.forEach((r, i) => {
    const at = i * INDEX_RECORD_BYTES;
    buf.writeBigUInt64LE(r.last.tx, at);
    buf.writeDoubleLE(r.last.op === 'inf' ? Infinity : r.last.op, at + 8);
    buf.writeDoubleLE(r.end, at + 16);
    buf.writeDoubleLE(r.chunkBytesAfter, at + 24);
    buf.writeUInt32LE(r.chunkEnd ? 1 : 0, at + 32);
    buf.writeUInt32LE(crc32(buf.subarray(at, at + 36)), at + 36);
  });
  return buf;
}

/** Records up to the first torn or damaged one; `validBytes` is where the index should end. */
export function decodeIndexRecords(buf: Buffer): { records: SegmentRecord[]; validBytes: number } {
  const records: SegmentRecord[] = [];
  let at = 0;
  while (at + INDEX_RECORD_BYTES <= buf.length) {
    if (crc32(buf.subarray(at, at + 36)) !== buf.readUInt32LE(at + 36)) break;
    const op = buf.readDoubleLE(at + 8);
    records.push({
      last: { tx: buf.readBigUInt64LE(at), op: op === Infinity ? 'inf' : op },
      end: buf.readDoubleLE(at + 16),
      chunkBytesAfter: buf.readDoubleLE(at + 24),
      chunkEnd: buf.readUInt32LE(at + 32) === 1,
    });
    at += INDEX_RECORD_BYTES;
  }
  return { records, validBytes: at };
}

// ---- journal ----

/** One shape's part of a group commit: bytes to write at fixed positions of its log and index. */
export interface JournalItem {
  readonly handle: string;
  readonly logPosition: number;
  readonly logBytes: Buffer;
  readonly indexPosition: number;
  readonly indexBytes: Buffer;
}

const JOURNAL_MAGIC = 0x314a5248; // "HRJ1"
export const JOURNAL_HEADER_BYTES = 12;

export function encodeJournalRecord(items: readonly JournalItem[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32LE(items.length);
  parts.push(count);
  for (const item of items) {
    const handle = Buffer.from(item.handle, 'utf8');
    const head = Buffer.alloc(2 + handle.length + 24);
    head.writeUInt16LE(handle.length, 0);
    handle.copy(head, 2);
    let at = 2 + handle.length;
    head.writeDoubleLE(item.logPosition, at);
    head.writeUInt32LE(item.logBytes.length, at + 8);
    head.writeDoubleLE(item.indexPosition, at + 12);
    head.writeUInt32LE(item.indexBytes.length, at + 20);
    at += 24;
    parts.push(head, item.logBytes, item.indexBytes);
  }
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(JOURNAL_HEADER_BYTES);
  header.writeUInt32LE(JOURNAL_MAGIC, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([header, payload]);
}

/**
 * Whole records from the start of a journal file; stops at the first torn one (short, bad magic or
 * CRC). `validBytes` is where the torn tail starts (the file's length when there is none).
 */
export function decodeJournal(buf: Buffer): { records: JournalItem[][]; validBytes: number } {
  const records: JournalItem[][] = [];
  let at = 0;
  while (at + JOURNAL_HEADER_BYTES <= buf.length) {
    if (buf.readUInt32LE(at) !== JOURNAL_MAGIC) break;
    const length = buf.readUInt32LE(at + 4);
    const end = at + JOURNAL_HEADER_BYTES + length;
    if (end > buf.length) break;
    const payload = buf.subarray(at + JOURNAL_HEADER_BYTES, end);
    if (crc32(payload) !== buf.readUInt32LE(at + 8)) break;
    records.push(decodeJournalPayload(payload));
    at = end;
  }
  return { records, validBytes: at };
}

function decodeJournalPayload(payload: Buffer): JournalItem[] {
  const items: JournalItem[] = [];
  const count = payload.readUInt32LE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const handleLength = payload.readUInt16LE(at);
    const handle = payload.toString('utf8', at + 2, at + 2 + handleLength);
    at += 2 + handleLength;
    const logPosition = payload.readDoubleLE(at);
    const logLength = payload.readUInt32LE(at + 8);
    const indexPosition = payload.readDoubleLE(at + 12);
    const indexLength = payload.readUInt32LE(at + 20);
    at += 24;
    const logBytes = payload.subarray(at, at + logLength);
    at += logLength;
    const indexBytes = payload.subarray(at, at + indexLength);
    at += indexLength;
    items.push({ handle, logPosition, logBytes, indexPosition, indexBytes });
  }
  return items;
}

// ---- metadata ----

/** The immutable-ish part of ShapeInfo kept in `meta.json` (the rest comes from the log). */
export type ShapeMeta = Omit<ShapeInfo, 'tail' | 'lastLsn' | 'lastAccess'>;

const bigintText = z.string().regex(/^\d+$/).transform(BigInt);
const metaSchema = z.object({
  version: z.literal(1),
  handle: z.string(),
  definitionKey: z.string(),
  definitionHash: z.string(),
  definition: z.string(),
  schemaHeader: z.string(),
  createdAt: z.number(),
  snapshot: z.object({ xmin: bigintText, xmax: bigintText, xip: z.array(bigintText) }).nullable(),
  snapshotComplete: z.boolean(),
});

export function encodeMeta(meta: ShapeMeta): string {
  const snapshot: SnapshotXids | undefined = meta.snapshot;
  return `${JSON.stringify({
    version: 1,
    handle: meta.handle,
    definitionKey: meta.definitionKey,
    definitionHash: meta.definitionHash,
    definition: meta.definition,
    schemaHeader: meta.schemaHeader,
    createdAt: meta.createdAt,
    snapshot:
      snapshot === undefined
        ? null
        : { xmin: String(snapshot.xmin), xmax: String(snapshot.xmax), xip: snapshot.xip.map(String) },
    snapshotComplete: meta.snapshotComplete,
  })}\n`;
}

export function decodeMeta(text: string, where: string): ShapeMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(`${where} is not JSON: ${(error as Error).message}`);
  }
  const parsed = metaSchema.safeParse(json);
  if (!parsed.success) throw corrupt(`${where} is not shape metadata: ${parsed.error.message}`);
  const m = parsed.data;
  return {
    handle: m.handle,
    definitionKey: m.definitionKey,
    definitionHash: m.definitionHash,
    definition: m.definition,
    schemaHeader: m.schemaHeader,
    createdAt: m.createdAt,
    snapshot: m.snapshot === null ? undefined : m.snapshot,
    snapshotComplete: m.snapshotComplete,
  };
}

export function corrupt(message: string): ShapeStoreError {
  return new ShapeStoreError(STORAGE_REASONS.corrupt, message);
}
