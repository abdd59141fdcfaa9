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

/** What the stream delivered, as a snapshot check needs it (SE61). */
export interface Delivered {
  /** Whether a recent transaction with this 32-bit xid was delivered. */
  has(xid: number): boolean;
  /** The newest xid delivered (32-bit, by Postgres' circular order), if any. */
  readonly newest: number | undefined;
}

/**
 * Transactions a snapshot shows as running although they already committed (SPEC.md SE61): in `xip`,
 * the ones the commit log has as committed (`committed`, from `pg_xact_status` beside the snapshot) or
 * the stream delivered; at or past `xmax` (never listed), the newest delivered one. Postgres streams a
 * commit once its WAL is flushed, before the backend leaves the running set, so such a snapshot would
 * miss a transaction the stream delivered before the shape existed.
 */
export function runningButCommitted(
  snapshot: PgSnapshot,
  committed: readonly bigint[],
  delivered: Delivered,
): bigint[] {
  const running = snapshot.xip.filter((xid) => committed.includes(xid) || delivered.has(Number(xid % XID32)));
  if (delivered.newest !== undefined) {
    const newest = widenXid(delivered.newest, snapshot.xmax);
    if (newest >= snapshot.xmax) running.push(newest);
  }
  return running;
}

/** The 32-bit xids of the last `capacity` transactions the stream delivered, and the newest (SE61). */
export class DeliveredXids implements Delivered {
  private readonly order: number[] = [];
  private readonly counts = new Map<number, number>();
  private next = 0;
  newest: number | undefined;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`DeliveredXids needs a capacity of at least 1, not ${capacity}`);
    }
  }

  add(xid: number): void {
    if (this.order.length === this.capacity) {
      const dropped = this.order[this.next] as number;
      const left = (this.counts.get(dropped) ?? 1) - 1;
      if (left === 0) this.counts.delete(dropped);
      else this.counts.set(dropped, left);
      this.order[this.next] = xid;
    } else {
      this.order.push(xid);
    }
    this.next = (this.next + 1) % this.capacity;
    this.counts.set(xid, (this.counts.get(xid) ?? 0) + 1);
    // Postgres' TransactionIdFollows: ahead by less than 2^31, modulo 2^32.
    const ahead = this.newest === undefined ? 1 : (xid - this.newest + 2 ** 32) % 2 ** 32;
    if (ahead > 0 && ahead < 2 ** 31) this.newest = xid;
  }

  has(xid: number): boolean {
    return this.counts.has(xid);
  }
}
