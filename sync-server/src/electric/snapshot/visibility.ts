// Pure visibility of a streamed transaction in a shape's snapshot (SPEC.md SN2–SN4, protocol doc
// §2.11.3): a transaction the snapshot already shows is dropped from the shape's log.
// The snapshot comes from `pg_current_snapshot()` (64-bit xid8: epoch << 32 | xid), the stream's xid
// from pgoutput's Begin (32 bits, epoch dropped), so the stream's xid is first widened to 64 bits.
import type { Lsn } from '../replication/lsn';

/** `pg_current_snapshot()`: xids below xmin are finished, xids at or above xmax had not started. */
export interface PgSnapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  /** In progress when the snapshot was taken (xmin <= xip < xmax). */
  readonly xip: readonly bigint[];
}

export interface SnapshotPosition {
  readonly snapshot: PgSnapshot;
  /**
   * `pg_current_wal_insert_lsn()` read after the snapshot: a visible transaction's commit record
   * started before it, so a commit at or past it is never visible (SN3). This also bounds the xids
   * the widening must handle to those that started before the snapshot.
   */
  readonly horizonLsn: Lsn;
}

const SNAPSHOT_TEXT = /^(\d+):(\d+):((?:\d+(?:,\d+)*)?)$/;
const XID32 = 2n ** 32n;
const HALF = 2n ** 31n;

/** Parses the text form of pg_snapshot, `xmin:xmax:xip,xip`; throws a RangeError naming the text. */
export function parsePgSnapshot(text: string): PgSnapshot {
  const match = SNAPSHOT_TEXT.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a pg_snapshot: expected xmin:xmax:xip,xip,...`);
  const xmin = BigInt(match[1] as string);
  const xmax = BigInt(match[2] as string);
  const xip = match[3] ? match[3].split(',').map((x) => BigInt(x)) : [];
  if (xmin > xmax || xip.some((x) => x < xmin || x >= xmax)) {
    throw new RangeError(`"${text}" is not a consistent pg_snapshot: needs xmin <= xip < xmax`);
  }
  return { xmin, xmax, xip };
}

/**
 * The 64-bit xid whose low 32 bits are `xid` and which lies nearest to `reference` (within 2^31),
 * the rule Postgres' own xid comparison follows. Exact for any transaction that started fewer than
 * 2^31 xids before or after the reference, which wraparound protection guarantees for a transaction
 * that was running or finished when the snapshot was taken.
 */
export function widenXid(xid: number, reference: bigint): bigint {
  if (!Number.isInteger(xid) || xid < 0 || xid >= 2 ** 32) {
    throw new RangeError(`${xid} is not a 32-bit transaction id`);
  }
  const candidate = (reference & ~(XID32 - 1n)) | BigInt(xid);
  if (candidate > reference + HALF && candidate >= XID32) return candidate - XID32;
  if (candidate + HALF < reference) return candidate + XID32;
  return candidate;
}

/**
 * Postgres' rule (XidInMVCCSnapshot): below xmin visible, at or above xmax not, in xip not,
 * otherwise visible. A 32-bit xid is widened against xmax first.
 */
export function isVisibleInSnapshot(xid: number | bigint, snapshot: PgSnapshot): boolean {
  const full = typeof xid === 'bigint' ? xid : widenXid(xid, snapshot.xmax);
  if (full < snapshot.xmin) return true;
  if (full >= snapshot.xmax) return false;
  return !snapshot.xip.includes(full);
}

/** Whether a streamed transaction is already in the snapshot, so its changes must be dropped. */
export function isInSnapshot(
  transaction: { xid: number; commitLsn: Lsn },
  position: SnapshotPosition,
): boolean {
  if (transaction.commitLsn >= position.horizonLsn) return false;
  return isVisibleInSnapshot(transaction.xid, position.snapshot);
}

/** What the stream had delivered at one moment (SE61): taken before a snapshot, checked against it. */
export interface DeliveredBefore {
  /** Whether a recent transaction with this 32-bit xid had been delivered by then. */
  has(xid: number): boolean;
  /** The newest xid delivered by then (32-bit, by Postgres' circular order), if any. */
  readonly newest: number | undefined;
}

/** What the stream delivered, as a snapshot check needs it (SE61). */
export interface Delivered {
  /** What has been delivered so far; later deliveries do not show in it. */
  mark(): DeliveredBefore;
}

/**
 * Transactions a snapshot shows as running although the stream delivered them before it was taken
 * (SPEC.md SE61): in `xip`, or at or past `xmax` (never listed), the newest delivered. Postgres streams
 * a commit once its WAL is flushed, before the backend leaves the running set, so such a snapshot
 * would miss a transaction the stream delivered before the shape existed. Transactions delivered
 * after the mark reach the shape through its buffer, so they do not count: under steady writes,
 * counting them would retake snapshots without end.
 */
export function runningButDelivered(snapshot: PgSnapshot, delivered: DeliveredBefore): bigint[] {
  const running = snapshot.xip.filter((xid) => delivered.has(Number(xid % XID32)));
  if (delivered.newest !== undefined) {
    const newest = widenXid(delivered.newest, snapshot.xmax);
    if (newest >= snapshot.xmax) running.push(newest);
  }
  return running;
}

/** The 32-bit xids of the last `capacity` transactions the stream delivered, and the newest (SE61). */
export class DeliveredXids implements Delivered {
  /** Ring of the last `capacity` deliveries: each xid with its delivery number. */
  private readonly ring: { xid: number; seq: number }[] = [];
  /** The latest delivery number of each xid in the ring. */
  private readonly seqOf = new Map<number, number>();
  private next = 0;
  private delivered = 0;
  private newest: number | undefined;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`DeliveredXids needs a capacity of at least 1, not ${capacity}`);
    }
  }

  add(xid: number): void {
    const seq = this.delivered++;
    const entry = { xid, seq };
    if (this.ring.length === this.capacity) {
      const dropped = this.ring[this.next] as { xid: number; seq: number };
      if (this.seqOf.get(dropped.xid) === dropped.seq) this.seqOf.delete(dropped.xid);
      this.ring[this.next] = entry;
    } else {
      this.ring.push(entry);
    }
    this.next = (this.next + 1) % this.capacity;
    this.seqOf.set(xid, seq);
    // Postgres' TransactionIdFollows: ahead by less than 2^31, modulo 2^32.
    const ahead = this.newest === undefined ? 1 : (xid - this.newest + 2 ** 32) % 2 ** 32;
    if (ahead > 0 && ahead < 2 ** 31) this.newest = xid;
  }

  mark(): DeliveredBefore {
    const before = this.delivered;
    const newest = this.newest;
    return {
      has: (xid) => {
        const seq = this.seqOf.get(xid);
        return seq !== undefined && seq < before;
      },
      newest,
    };
  }
}
