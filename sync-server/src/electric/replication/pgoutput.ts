// Pure decoder of the streaming replication protocol and of pgoutput `proto_version '1'` messages:
// bytes in, typed messages out, no IO. Formats: postgresql.org/docs/current/protocol-replication.html
// (XLogData, keepalive, standby status) and protocol-logicalrep-message-formats.html (pgoutput).
import type { Lsn } from './lsn';

export class PgoutputDecodeError extends Error {}

/** One CopyData frame the walsender sends. */
export type WalMessage =
  | { readonly kind: 'xlogdata'; readonly start: Lsn; readonly walEnd: Lsn; readonly data: Buffer }
  | { readonly kind: 'keepalive'; readonly walEnd: Lsn; readonly replyRequested: boolean };

/**
 * One tuple column: its text form, `null` for SQL NULL, `undefined` for an unchanged TOAST value
 * (pgoutput's 'u': the value did not change and is not in the WAL; see Transactions for the fill).
 */
export type TupleValue = string | null | undefined;
export type Tuple = readonly TupleValue[];

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface RelationColumnMessage {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  /** Part of the replica identity: with REPLICA IDENTITY FULL every column is. */
  readonly inReplicaIdentity: boolean;
}

export type PgoutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: Lsn; readonly commitTime: bigint; readonly xid: number }
  | {
      readonly tag: 'commit';
      readonly commitLsn: Lsn;
      readonly endLsn: Lsn;
      readonly commitTime: bigint;
    }
  | { readonly tag: 'origin'; readonly lsn: Lsn; readonly name: string }
  | {
      readonly tag: 'relation';
      readonly oid: number;
      readonly schema: string;
      readonly table: string;
      readonly replicaIdentity: ReplicaIdentity;
      readonly columns: readonly RelationColumnMessage[];
    }
  | { readonly tag: 'type'; readonly oid: number; readonly schema: string; readonly name: string }
  | { readonly tag: 'insert'; readonly relationOid: number; readonly newTuple: Tuple }
  | {
      readonly tag: 'update';
      readonly relationOid: number;
      /** 'O': the whole old row (REPLICA IDENTITY FULL); 'K': only the key columns, others null. */
      readonly oldTuple?: Tuple;
      readonly keyTuple?: Tuple;
      readonly newTuple: Tuple;
    }
  | {
      readonly tag: 'delete';
      readonly relationOid: number;
      readonly oldTuple?: Tuple;
      readonly keyTuple?: Tuple;
    }
  | {
      readonly tag: 'truncate';
      readonly relationOids: readonly number[];
      readonly cascade: boolean;
      readonly restartIdentity: boolean;
    }
  | {
      readonly tag: 'message';
      readonly transactional: boolean;
      readonly prefix: string;
      readonly content: Buffer;
    };

export type RelationMessage = Extract<PgoutputMessage, { tag: 'relation' }>;

/** Microseconds between the Unix epoch and Postgres' epoch (2000-01-01 UTC). */
export const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      throw new PgoutputDecodeError(`message truncated: needs ${bytes} more bytes at offset ${this.pos}`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new PgoutputDecodeError(`unterminated string at offset ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  text(n: number): string {
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  rest(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }
}

/** Decodes a CopyData payload from the walsender: 'w' XLogData or 'k' primary keepalive. */
export function decodeWalMessage(frame: Buffer): WalMessage {
  const r = new Reader(frame);
  const kind = r.u8();
  if (kind === 0x77 /* w */) {
    const start = r.u64();
    const walEnd = r.u64();
    r.i64(); // send time
    return { kind: 'xlogdata', start, walEnd, data: r.rest() };
  }
  if (kind === 0x6b /* k */) {
    const walEnd = r.u64();
    r.i64(); // send time
    return { kind: 'keepalive', walEnd, replyRequested: r.u8() === 1 };
  }
  throw new PgoutputDecodeError(
    `unknown replication frame '${String.fromCharCode(kind)}' (0x${kind.toString(16)})`,
  );
}

/**
 * The standby status update ('r'). Positions are "last byte + 1" of what the standby holds; for a
 * logical slot `flushed` becomes `confirmed_flush_lsn`, the point a restart resumes from.
 */
export function encodeStandbyStatus(
  position: { written: Lsn; flushed: Lsn; applied: Lsn },
  nowUnixMicros: bigint,
  replyRequested = false,
): Buffer {
  const buf = Buffer.alloc(34);
  buf.writeUInt8(0x72 /* r */, 0);
  buf.writeBigUInt64BE(position.written, 1);
  buf.writeBigUInt64BE(position.flushed, 9);
  buf.writeBigUInt64BE(position.applied, 17);
  buf.writeBigInt64BE(nowUnixMicros - POSTGRES_EPOCH_MICROS, 25);
  buf.writeUInt8(replyRequested ? 1 : 0, 33);
  return buf;
}

function readTuple(r: Reader): Tuple {
  const count = r.i16();
  const values: TupleValue[] = new Array<TupleValue>(count);
  for (let i = 0; i < count; i++) {
    const kind = r.u8();
    if (kind === 0x74 /* t */) values[i] = r.text(r.i32());
    else if (kind === 0x6e /* n */) values[i] = null;
    else if (kind === 0x75 /* u */) values[i] = undefined;
    else if (kind === 0x62 /* b */) {
      throw new PgoutputDecodeError('binary tuple data: the stream must run without the binary option');
    } else throw new PgoutputDecodeError(`unknown tuple value kind '${String.fromCharCode(kind)}'`);
  }
  return values;
}

function readReplicaIdentity(code: number): ReplicaIdentity {
  switch (code) {
    case 0x64:
      return 'default';
    case 0x6e:
      return 'nothing';
    case 0x66:
      return 'full';
    case 0x69:
      return 'index';
    default:
      throw new PgoutputDecodeError(`unknown replica identity '${String.fromCharCode(code)}'`);
  }
}

function expectTag(r: Reader, expected: number, what: string): void {
  const got = r.u8();
  if (got !== expected) {
    throw new PgoutputDecodeError(
      `${what}: expected '${String.fromCharCode(expected)}', got '${String.fromCharCode(got)}'`,
    );
  }
}

/** Decodes one pgoutput message (the payload of an XLogData frame). */
export function decodePgoutput(data: Buffer): PgoutputMessage {
  const r = new Reader(data);
  const tag = r.u8();
  switch (tag) {
    case 0x42 /* B */: {
      const finalLsn = r.u64();
      const commitTime = r.i64();
      return { tag: 'begin', finalLsn, commitTime, xid: r.u32() };
    }
    case 0x43 /* C */: {
      r.u8(); // flags, unused
      const commitLsn = r.u64();
      const endLsn = r.u64();
      return { tag: 'commit', commitLsn, endLsn, commitTime: r.i64() };
    }
    case 0x4f /* O */: {
      const lsn = r.u64();
      return { tag: 'origin', lsn, name: r.cstring() };
    }
    case 0x52 /* R */: {
      const oid = r.u32();
      const schema = r.cstring();
      const table = r.cstring();
      const replicaIdentity = readReplicaIdentity(r.u8());
      const count = r.i16();
      const columns: RelationColumnMessage[] = [];
      for (let i = 0; i < count; i++) {
        const flags = r.u8();
        const name = r.cstring();
        const typeOid = r.u32();
        const typeMod = r.i32();
        columns.push({ name, typeOid, typeMod, inReplicaIdentity: (flags & 1) === 1 });
      }
      // An empty namespace means pg_catalog (protocol-logicalrep-message-formats).
      return {
        tag: 'relation',
        oid,
        schema: schema === '' ? 'pg_catalog' : schema,
        table,
        replicaIdentity,
        columns,
      };
    }
    case 0x59 /* Y */: {
      const oid = r.u32();
      const schema = r.cstring();
      return { tag: 'type', oid, schema: schema === '' ? 'pg_catalog' : schema, name: r.cstring() };
    }
    case 0x49 /* I */: {
      const relationOid = r.u32();
      expectTag(r, 0x4e /* N */, 'insert');
      return { tag: 'insert', relationOid, newTuple: readTuple(r) };
    }
    case 0x55 /* U */: {
      const relationOid = r.u32();
      const sub = r.u8();
      if (sub === 0x4e /* N */) return { tag: 'update', relationOid, newTuple: readTuple(r) };
      if (sub !== 0x4f /* O */ && sub !== 0x4b /* K */) {
        throw new PgoutputDecodeError(`update: unknown tuple kind '${String.fromCharCode(sub)}'`);
      }
      const before = readTuple(r);
      expectTag(r, 0x4e /* N */, 'update');
      const newTuple = readTuple(r);
      return sub === 0x4f
        ? { tag: 'update', relationOid, oldTuple: before, newTuple }
        : { tag: 'update', relationOid, keyTuple: before, newTuple };
    }
    case 0x44 /* D */: {
      const relationOid = r.u32();
      const sub = r.u8();
      if (sub === 0x4f /* O */) return { tag: 'delete', relationOid, oldTuple: readTuple(r) };
      if (sub === 0x4b /* K */) return { tag: 'delete', relationOid, keyTuple: readTuple(r) };
      throw new PgoutputDecodeError(`delete: unknown tuple kind '${String.fromCharCode(sub)}'`);
    }
    case 0x54 /* T */: {
      const count = r.i32();
      const options = r.u8();
      const relationOids: number[] = [];
      for (let i = 0; i < count; i++) relationOids.push(r.u32());
      return {
        tag: 'truncate',
        relationOids,
        cascade: (options & 1) !== 0,
        restartIdentity: (options & 2) !== 0,
      };
    }
    case 0x4d /* M */: {
      const flags = r.u8();
      r.u64(); // message LSN
      const prefix = r.cstring();
      return { tag: 'message', transactional: (flags & 1) === 1, prefix, content: r.bytes(r.i32()) };
    }
    default:
      throw new PgoutputDecodeError(
        `unknown pgoutput message '${String.fromCharCode(tag)}' (0x${tag.toString(16)}): ` +
          `the stream must run with proto_version '1' and no streaming option`,
      );
  }
}
