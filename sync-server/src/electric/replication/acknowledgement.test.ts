import { describe, expect, it } from 'vitest';
import { AckTracker, backoffDelay, isNewTransaction } from './acknowledgement';

describe('AckTracker', () => {
  it('[RP8] nothing is confirmed before an acknowledgement', () => {
    const acks = new AckTracker();
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    expect(acks.flushed).toBe(0n);
    expect(acks.outstanding).toBe(1);
  });

  it('[RP8] an ack confirms up to the END of the last acknowledged commit record', () => {
    const acks = new AckTracker();
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    acks.delivered({ commitLsn: 200n, endLsn: 230n });
    expect(acks.ack(100n)).toBe(true);
    expect(acks.flushed).toBe(120n);
    expect(acks.outstanding).toBe(1);
    expect(acks.ack(150n)).toBe(false);
    expect(acks.ack(200n)).toBe(true);
    expect(acks.flushed).toBe(230n);
  });

  it('[RP8] one ack covers every earlier transaction', () => {
    const acks = new AckTracker();
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    acks.delivered({ commitLsn: 200n, endLsn: 230n });
    acks.ack(999n);
    expect(acks.flushed).toBe(230n);
    expect(acks.outstanding).toBe(0);
  });

  it('[RP8] an ack never moves the position back, and a stray ack changes nothing', () => {
    const acks = new AckTracker(500n);
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    expect(acks.ack(100n)).toBe(false);
    expect(acks.flushed).toBe(500n);
    expect(new AckTracker().ack(100n)).toBe(false);
  });

  it('[RP8] a keepalive is confirmed only when nothing is outstanding', () => {
    const acks = new AckTracker();
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    expect(acks.keepalive(300n, true)).toBe(false);
    acks.ack(100n);
    expect(acks.keepalive(300n, false)).toBe(false);
    expect(acks.keepalive(300n, true)).toBe(true);
    expect(acks.flushed).toBe(300n);
    expect(acks.keepalive(200n, true)).toBe(false);
  });

  it('[RP9] a transaction sent again after a replay can be acknowledged again', () => {
    const acks = new AckTracker();
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    acks.delivered({ commitLsn: 100n, endLsn: 120n });
    acks.ack(100n);
    expect(acks.outstanding).toBe(0);
    expect(acks.flushed).toBe(120n);
  });
});

describe('isNewTransaction', () => {
  it('[RP9] drops transactions at or below what the consumer already applied', () => {
    expect(isNewTransaction(100n, undefined)).toBe(true);
    expect(isNewTransaction(100n, 99n)).toBe(true);
    expect(isNewTransaction(100n, 100n)).toBe(false);
    expect(isNewTransaction(50n, 100n)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('[RP12] grows exponentially from the initial delay, capped, with jitter in [half, full]', () => {
    const options = { initialMs: 100, maxMs: 1_000 };
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(0, options, () => 0)).toBe(50);
    expect(backoffDelay(3, options, () => 1)).toBe(800);
    expect(backoffDelay(4, options, () => 1)).toBe(1_000);
    expect(backoffDelay(1_000, options, () => 0.5)).toBe(750);
  });
});
