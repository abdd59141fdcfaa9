// Log sequence numbers: unsigned 64-bit WAL positions, kept as bigint (they pass 2^53, protocol doc
// §2.4). Postgres prints them as `X/Y`, two hex halves; Electric's offsets print them in decimal.

export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;
const MAX_LSN: Lsn = 2n ** 64n - 1n;
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** `16/B374D848` -> bigint; throws a RangeError naming the text when it is not an LSN. */
export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an LSN: expected two hex halves like 16/B374D848`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** bigint -> `16/B374D848`, the form `pg_lsn` prints and START_REPLICATION reads. */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`${lsn} is outside the LSN range 0..2^64-1`);
  const high = (lsn >> 32n).toString(16).toUpperCase();
  const low = (lsn & 0xffffffffn).toString(16).toUpperCase();
  return `${high}/${low}`;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
