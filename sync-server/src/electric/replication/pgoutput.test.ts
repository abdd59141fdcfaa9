import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn';
import {
  POSTGRES_EPOCH_MICROS,
  PgoutputDecodeError,
  decodePgoutput,
  decodeWalMessage,
  encodeStandbyStatus,
} from './pgoutput';

/** Writes protocol bytes the way the walsender does, for feeding the decoder. */
class Bytes {
  private parts: Buffer[] = [];
  u8(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  char(c: string): this {
    return this.u8(c.charCodeAt(0));
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.parts.push(b);
    return this;
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    this.parts.push(b);
    return this;
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  text(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.char('t').i32(b.length).raw(b);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

describe('LSNs', () => {
  it('[RP8] an LSN round-trips between X/Y text and bigint, past 2^53', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    const big = 2n ** 60n + 5n;
    expect(parseLsn(formatLsn(big))).toBe(big);
    expect(formatLsn(0n)).toBe('0/0');
  });

  it('[RP8] a malformed LSN is a RangeError naming the text', () => {
    expect(() => parseLsn('16-B3')).toThrow(/"16-B3" is not an LSN/);
  });
});

describe('replication frames', () => {
  it('[RP3] XLogData carries its start, its end and the pgoutput payload', () => {
    const frame = new Bytes().char('w').u64(10n).u64(20n).u64(0n).raw(Buffer.from('Bxyz')).done();
    const wal = decodeWalMessage(frame);
    expect(wal).toMatchObject({ kind: 'xlogdata', start: 10n, walEnd: 20n });
    expect(wal.kind === 'xlogdata' && wal.data.toString()).toBe('Bxyz');
  });

  it('[RP8] a keepalive carries the server position and whether it wants a reply', () => {
    const frame = new Bytes()
      .char('k')
      .u64(2n ** 40n)
      .u64(0n)
      .u8(1)
      .done();
    expect(decodeWalMessage(frame)).toEqual({ kind: 'keepalive', walEnd: 2n ** 40n, replyRequested: true });
  });

  it('[RP8] a standby status update reports the same position as written, flushed and applied', () => {
    const nowMicros = POSTGRES_EPOCH_MICROS + 123n;
    const buf = encodeStandbyStatus({ written: 7n, flushed: 7n, applied: 7n }, nowMicros, true);
    expect(buf.length).toBe(34);
    expect(String.fromCharCode(buf[0] as number)).toBe('r');
    expect(buf.readBigUInt64BE(1)).toBe(7n);
    expect(buf.readBigUInt64BE(9)).toBe(7n);
    expect(buf.readBigUInt64BE(17)).toBe(7n);
    expect(buf.readBigInt64BE(25)).toBe(123n);
    expect(buf[33]).toBe(1);
  });

  it('[RP3] an unknown frame is a decode error', () => {
    expect(() => decodeWalMessage(Buffer.from('z'))).toThrow(PgoutputDecodeError);
  });
});

describe('pgoutput messages', () => {
  it('[RP3] Begin: final LSN, commit time and an unsigned 32-bit xid', () => {
    const msg = new Bytes().char('B').u64(0xabcdefn).u64(5n).u32(0xfffffff0).done();
    expect(decodePgoutput(msg)).toEqual({
      tag: 'begin',
      finalLsn: 0xabcdefn,
      commitTime: 5n,
      xid: 0xfffffff0,
    });
  });

  it('[RP8] Commit: commit LSN and end LSN', () => {
    const msg = new Bytes().char('C').u8(0).u64(100n).u64(150n).u64(9n).done();
    expect(decodePgoutput(msg)).toEqual({ tag: 'commit', commitLsn: 100n, endLsn: 150n, commitTime: 9n });
  });

  it('[RP7] Relation: names, replica identity, columns with type oids and key flags', () => {
    const msg = new Bytes()
      .char('R')
      .u32(16384)
      .cstring('public')
      .cstring('issues for "x"')
      .char('f')
      .i16(2)
      .u8(1)
      .cstring('id')
      .u32(23)
      .i32(-1)
      .u8(0)
      .cstring('has,comma')
      .u32(1043)
      .i32(14)
      .done();
    expect(decodePgoutput(msg)).toEqual({
      tag: 'relation',
      oid: 16384,
      schema: 'public',
      table: 'issues for "x"',
      replicaIdentity: 'full',
      columns: [
        { name: 'id', typeOid: 23, typeMod: -1, inReplicaIdentity: true },
        { name: 'has,comma', typeOid: 1043, typeMod: 14, inReplicaIdentity: false },
      ],
    });
  });

  it('[RP7] Type: a user type name (enums, their arrays)', () => {
    const msg = new Bytes().char('Y').u32(70000).cstring('public').cstring('_mood').done();
    expect(decodePgoutput(msg)).toEqual({ tag: 'type', oid: 70000, schema: 'public', name: '_mood' });
  });

  it('[RP4] Insert: text values kept byte for byte (unicode, quotes, newlines), null as null', () => {
    const msg = new Bytes().char('I').u32(1).char('N').i16(3).text('1').text('é "q"\n😀').char('n').done();
    expect(decodePgoutput(msg)).toEqual({
      tag: 'insert',
      relationOid: 1,
      newTuple: ['1', 'é "q"\n😀', null],
    });
  });

  it('[RP5] Update with an old row, and an unchanged TOAST value as undefined', () => {
    const msg = new Bytes()
      .char('U')
      .u32(1)
      .char('O')
      .i16(2)
      .text('1')
      .text('big')
      .char('N')
      .i16(2)
      .text('2')
      .char('u')
      .done();
    expect(decodePgoutput(msg)).toEqual({
      tag: 'update',
      relationOid: 1,
      oldTuple: ['1', 'big'],
      newTuple: ['2', undefined],
    });
  });

  it('[RP5] Delete with the whole old row', () => {
    const msg = new Bytes().char('D').u32(1).char('O').i16(1).text('1').done();
    expect(decodePgoutput(msg)).toEqual({ tag: 'delete', relationOid: 1, oldTuple: ['1'] });
  });

  it('[RP6] Truncate: every relation and its options', () => {
    const msg = new Bytes().char('T').i32(2).u8(3).u32(1).u32(2).done();
    expect(decodePgoutput(msg)).toEqual({
      tag: 'truncate',
      relationOids: [1, 2],
      cascade: true,
      restartIdentity: true,
    });
  });

  it('[RP3] a truncated message or an unknown tag is a decode error, never a wrong value', () => {
    expect(() => decodePgoutput(new Bytes().char('B').u64(1n).done())).toThrow(/truncated/);
    expect(() => decodePgoutput(Buffer.from('S'))).toThrow(/unknown pgoutput message 'S'/);
    const binary = new Bytes().char('I').u32(1).char('N').i16(1).char('b').i32(1).u8(0).done();
    expect(() => decodePgoutput(binary)).toThrow(/binary/);
  });
});
