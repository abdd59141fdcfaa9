import { describe, expect, it } from 'vitest';
import {
  BEFORE_ALL,
  changeOffset,
  compareOffsets,
  formatOffset,
  LAST_BEFORE_REAL,
  parseOffset,
  type LogOffset,
} from './offset';

const at = (tx: bigint, op: number | 'inf'): LogOffset => ({ tx, op });

describe('offsets', () => {
  it('[SE20] -1, now, <tx>_<op> and <tx>_inf parse; anything else is "has invalid format"', () => {
    expect(parseOffset('-1')).toEqual(BEFORE_ALL);
    expect(parseOffset('now')).toBe('now');
    expect(parseOffset('26800584_4')).toEqual(at(26800584n, 4));
    expect(parseOffset('0_inf')).toEqual(LAST_BEFORE_REAL);
    expect(parseOffset('0_02')).toEqual(at(0n, 2));
    for (const bad of ['10', '1_2_3', '1_2 ', '10_32.1', '-2_0', 'abc', '', '18446744073709551616_0']) {
      expect(parseOffset(bad), bad).toBeUndefined();
    }
  });

  it('[SE20] LSNs beyond 2^53 survive parse and format unchanged', () => {
    const text = '18446744073709551615_12';
    const parsed = parseOffset(text) as LogOffset;
    expect(parsed.tx).toBe(2n ** 64n - 1n);
    expect(formatOffset(parsed)).toBe(text);
    expect(formatOffset(BEFORE_ALL)).toBe('-1');
    expect(formatOffset(LAST_BEFORE_REAL)).toBe('0_inf');
  });

  it('[SE20] offsets compare as (tx, op) tuples, inf above every op, -1 below everything', () => {
    const ordered = [
      BEFORE_ALL,
      at(0n, 0),
      at(0n, 7),
      LAST_BEFORE_REAL,
      at(9007199254740993n, 0),
      at(9007199254740993n, 2),
      at(9007199254740993n, 'inf'),
      at(9007199254740994n, 0),
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareOffsets(ordered[i] as LogOffset, ordered[j] as LogOffset))).toBe(
          Math.sign(i - j),
        );
      }
    }
  });

  it('[SE20] change offsets count 0, 2, 4 in a transaction, leaving room for a key change split', () => {
    expect(changeOffset(100n, 0)).toEqual(at(100n, 0));
    expect(changeOffset(100n, 3)).toEqual(at(100n, 6));
  });
});
