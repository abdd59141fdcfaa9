// Log offsets `<tx_offset>_<op_offset>` (SPEC.md SE20, protocol doc §2.4). tx_offset is the commit
// LSN as an unsigned 64-bit integer, kept as bigint because LSNs pass 2^53; op_offset is the change's
// index in the transaction, or `inf` for the end of a transaction (0_inf: end of the snapshot region).

export interface LogOffset {
  readonly tx: bigint;
  readonly op: number | 'inf';
}

/** What a request may ask for: a log offset (`-1` included) or `now`, the shape's current tail. */
export type RequestOffset = LogOffset | 'now';

export const BEFORE_ALL: LogOffset = { tx: -1n, op: 0 };
export const FIRST: LogOffset = { tx: 0n, op: 0 };
/** The last virtual offset: every snapshot entry is at or before it, every real change after it. */
export const LAST_BEFORE_REAL: LogOffset = { tx: 0n, op: 'inf' };

const MAX_U64 = 2n ** 64n - 1n;
const OFFSET_PATTERN = /^(\d+)_(\d+|inf)$/;

/** Electric's 400 text for an unparsable offset: `{"errors":{"offset":["has invalid format"]}}`. */
export const INVALID_OFFSET_MESSAGE = 'has invalid format';

export function parseOffset(text: string): RequestOffset | undefined {
  if (text === '-1') return BEFORE_ALL;
  if (text === 'now') return 'now';
  const m = OFFSET_PATTERN.exec(text);
  if (!m) return undefined;
  const tx = BigInt(m[1] as string);
  const op = m[2] === 'inf' ? 'inf' : Number(m[2]);
  if (tx > MAX_U64 || (op !== 'inf' && !Number.isSafeInteger(op))) return undefined;
  return { tx, op };
}

export function formatOffset(offset: LogOffset): string {
  if (offset.tx < 0n) return '-1';
  return `${offset.tx}_${offset.op}`;
}

/** Tuple order; `inf` is above every op of the same transaction. */
export function compareOffsets(a: LogOffset, b: LogOffset): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.op === b.op) return 0;
  if (a.op === 'inf') return 1;
  if (b.op === 'inf') return -1;
  return a.op < b.op ? -1 : 1;
}

export function isBeforeAll(offset: LogOffset): boolean {
  return offset.tx < 0n;
}

/** Snapshot entries live at virtual offsets `0_n`, before any real change. */
export function isVirtual(offset: LogOffset): boolean {
  return offset.tx === 0n;
}

/**
 * Offset of the `index`-th change of the transaction committed at `commitLsn`. Electric counts
 * 0, 2, 4, … so that an update changing the primary key can become a delete at n and an insert at n+1.
 */
export function changeOffset(commitLsn: bigint, index: number): LogOffset {
  return { tx: commitLsn, op: index * 2 };
}
