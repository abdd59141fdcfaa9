import { describe, expect, it } from 'vitest';
import { displaySettingsOptions, setLocalDisplaySettingsSql } from './display-settings';
import {
  DeliveredXids,
  isInSnapshot,
  isVisibleInSnapshot,
  parsePgSnapshot,
  runningButDelivered,
  widenXid,
} from './visibility';

const EPOCH = 2n ** 32n;

describe('parsePgSnapshot', () => {
  it('[SN2] reads xmin:xmax:xip', () => {
    expect(parsePgSnapshot('10:20:12,15')).toEqual({ xmin: 10n, xmax: 20n, xip: [12n, 15n] });
    expect(parsePgSnapshot('10:10:')).toEqual({ xmin: 10n, xmax: 10n, xip: [] });
    expect(parsePgSnapshot(`${5n * EPOCH + 3n}:${5n * EPOCH + 9n}:`).xmax).toBe(5n * EPOCH + 9n);
  });

  it('[SN2] rejects text that is not a consistent snapshot, with the text in the message', () => {
    expect(() => parsePgSnapshot('10:20')).toThrow(/"10:20" is not a pg_snapshot/);
    expect(() => parsePgSnapshot('10:20:25')).toThrow(/consistent/);
    expect(() => parsePgSnapshot('30:20:')).toThrow(/consistent/);
  });
});

describe('isVisibleInSnapshot', () => {
  const snapshot = parsePgSnapshot('100:110:103,107');

  it('[SN2] below xmin is visible', () => {
    expect(isVisibleInSnapshot(99, snapshot)).toBe(true);
  });
  it('[SN2] at or above xmax is not visible', () => {
    expect(isVisibleInSnapshot(110, snapshot)).toBe(false);
    expect(isVisibleInSnapshot(500, snapshot)).toBe(false);
  });
  it('[SN2] in progress (xip) is not visible, finished between xmin and xmax is', () => {
    expect(isVisibleInSnapshot(103, snapshot)).toBe(false);
    expect(isVisibleInSnapshot(107, snapshot)).toBe(false);
    expect(isVisibleInSnapshot(100, snapshot)).toBe(true);
    expect(isVisibleInSnapshot(104, snapshot)).toBe(true);
  });
  it('[SN2] a 64-bit xid is compared as is', () => {
    expect(isVisibleInSnapshot(99n, snapshot)).toBe(true);
    expect(isVisibleInSnapshot(103n, snapshot)).toBe(false);
  });
});

describe('xid wraparound', () => {
  it('[SN4] a 32-bit xid widens to the epoch nearest the reference', () => {
    expect(widenXid(5, 3n * EPOCH + 10n)).toBe(3n * EPOCH + 5n);
    // Just before an epoch boundary, a small xid is the next epoch's; just after, a large one the last's.
    expect(widenXid(3, 3n * EPOCH - 2n)).toBe(3n * EPOCH + 3n);
    expect(widenXid(0xfffffffe, 3n * EPOCH + 2n)).toBe(3n * EPOCH - 2n);
    expect(widenXid(7, 7n)).toBe(7n);
  });

  it('[SN4] a snapshot across an epoch boundary judges 32-bit xids as Postgres does', () => {
    // xmin in epoch 4 near its end, xmax in epoch 5: pgoutput sends only the low 32 bits.
    const xmin = 5n * EPOCH - 5n;
    const xmax = 5n * EPOCH + 5n;
    const snapshot = { xmin, xmax, xip: [5n * EPOCH - 2n, 5n * EPOCH + 1n] };
    const low = (x: bigint): number => Number(x % EPOCH);
    expect(isVisibleInSnapshot(low(xmin - 1n), snapshot)).toBe(true);
    expect(isVisibleInSnapshot(low(5n * EPOCH - 3n), snapshot)).toBe(true);
    expect(isVisibleInSnapshot(low(5n * EPOCH - 2n), snapshot)).toBe(false);
    expect(isVisibleInSnapshot(low(5n * EPOCH), snapshot)).toBe(true);
    expect(isVisibleInSnapshot(low(5n * EPOCH + 1n), snapshot)).toBe(false);
    expect(isVisibleInSnapshot(low(xmax), snapshot)).toBe(false);
    expect(isVisibleInSnapshot(low(xmax + 1000n), snapshot)).toBe(false);
  });

  it('[SN4] a value outside 32 bits is refused', () => {
    expect(() => widenXid(2 ** 32, 0n)).toThrow(/32-bit/);
    expect(() => widenXid(-1, 0n)).toThrow(/32-bit/);
  });
});

describe('isInSnapshot', () => {
  const position = { snapshot: parsePgSnapshot('100:110:103'), horizonLsn: 1_000n };

  it('[SN3] a commit at or past the horizon is never in the snapshot, whatever its xid', () => {
    expect(isInSnapshot({ xid: 50, commitLsn: 1_000n }, position)).toBe(false);
    expect(isInSnapshot({ xid: 50, commitLsn: 5_000n }, position)).toBe(false);
  });

  it('[SN2] before the horizon the xid decides', () => {
    expect(isInSnapshot({ xid: 50, commitLsn: 999n }, position)).toBe(true);
    expect(isInSnapshot({ xid: 103, commitLsn: 999n }, position)).toBe(false);
    expect(isInSnapshot({ xid: 110, commitLsn: 999n }, position)).toBe(false);
  });
});

describe('display settings', () => {
  it('[SN5] the same settings go to the snapshot transaction and the replication connection', () => {
    expect(setLocalDisplaySettingsSql()).toBe(
      "set local bytea_output = 'hex'; set local DateStyle = 'ISO, DMY'; set local TimeZone = 'UTC'; " +
        "set local extra_float_digits = '1'; set local IntervalStyle = 'iso_8601'",
    );
    expect(displaySettingsOptions()).toBe(
      '-c bytea_output=hex -c DateStyle=ISO,\\ DMY -c TimeZone=UTC -c extra_float_digits=1 -c IntervalStyle=iso_8601',
    );
  });
});

describe('runningButDelivered', () => {
  const snapshot = parsePgSnapshot('100:110:103,107');
  const delivered = (...xids: number[]) => {
    const d = new DeliveredXids(8);
    for (const x of xids) d.add(x);
    return d.mark();
  };

  it('[SE61] a snapshot is usable when nothing it shows running was delivered before it', () => {
    expect(runningButDelivered(snapshot, delivered())).toEqual([]);
    expect(runningButDelivered(snapshot, delivered(99, 104, 109))).toEqual([]);
  });
  it('[SE61] a running xid the stream delivered before the snapshot makes it unusable', () => {
    expect(runningButDelivered(snapshot, delivered(103, 104))).toEqual([103n]);
  });
  it('[SE61] a delivered xid at or past xmax (never listed in xip) makes it unusable', () => {
    expect(runningButDelivered(snapshot, delivered(104, 110))).toEqual([110n]);
    expect(runningButDelivered(snapshot, delivered(120, 104))).toEqual([120n]);
  });
  it('[SE61] what the stream delivers after the mark does not count: the shape buffers it', () => {
    const d = new DeliveredXids(8);
    d.add(104);
    const before = d.mark();
    d.add(107);
    d.add(111);
    expect(runningButDelivered(snapshot, before)).toEqual([]);
    expect(runningButDelivered(snapshot, d.mark())).toEqual([107n, 111n]);
  });
  it('[SE61] xids are matched across epochs', () => {
    const late = parsePgSnapshot(`${3n * EPOCH + 5n}:${3n * EPOCH + 9n}:${3n * EPOCH + 6n}`);
    expect(runningButDelivered(late, delivered(6))).toEqual([3n * EPOCH + 6n]);
    expect(runningButDelivered(late, delivered(2 ** 32 - 3, 4))).toEqual([]);
  });
});

describe('DeliveredXids', () => {
  it('[SE61] keeps the last `capacity` xids and the newest one in circular order', () => {
    const d = new DeliveredXids(2);
    d.add(10);
    d.add(12);
    d.add(11);
    const seen = d.mark();
    expect([seen.has(10), seen.has(12), seen.has(11)]).toEqual([false, true, true]);
    expect(seen.newest).toBe(12);
    d.add(2 ** 32 - 1);
    expect(d.mark().newest).toBe(12); // 2^32 - 1 is 13 xids behind 12, across the wrap
    const w = new DeliveredXids(4);
    w.add(2 ** 32 - 2);
    w.add(3);
    expect(w.mark().newest).toBe(3);
  });
  it('[SE61] a capacity below 1 is refused', () => {
    expect(() => new DeliveredXids(0)).toThrow(/capacity of at least 1/);
  });
});
