import { describe, expect, it } from 'vitest';
import { CommitTracker, WatermarkWaits } from './watermark';

describe('CommitTracker', () => {
  it('[SE35] the watermark never passes a transaction still undelivered, whatever order appends finish in', () => {
    const tracker = new CommitTracker();
    const a = tracker.begin(100n);
    const b = tracker.begin(200n);
    const c = tracker.begin(300n);
    expect(tracker.finish(c)).toBeUndefined();
    expect(tracker.finish(b)).toBeUndefined();
    expect(tracker.watermark).toBe(0n);
    expect(tracker.finish(a)).toBe(300n);
    expect(tracker.watermark).toBe(300n);
    expect(tracker.outstanding).toBe(0);
  });

  it('[SE35] a replayed transaction tracked again never moves the watermark back', () => {
    const tracker = new CommitTracker(500n);
    const replay = tracker.begin(400n);
    expect(tracker.finish(replay)).toBeUndefined();
    expect(tracker.watermark).toBe(500n);
    const next = tracker.begin(600n);
    expect(tracker.finish(next)).toBe(600n);
  });

  it('[SE35] a long run of finished transactions is compacted without losing order', () => {
    const tracker = new CommitTracker();
    const tickets = Array.from({ length: 5000 }, (_, i) => tracker.begin(BigInt(i + 1)));
    const held = tickets[2500];
    for (const t of tickets) if (t !== held) tracker.finish(t);
    expect(tracker.watermark).toBe(2500n);
    expect(tracker.finish(held as (typeof tickets)[number])).toBe(5000n);
  });
});

describe('WatermarkWaits', () => {
  it('[SE57] a wait is released once the watermark reaches its LSN, in LSN order, never before', async () => {
    const waits = new WatermarkWaits();
    const released: bigint[] = [];
    const all = [300n, 100n, 200n, 300n].map((lsn) => waits.wait(lsn).then(() => released.push(lsn)));
    waits.advanced(99n);
    await Promise.resolve();
    expect(released).toEqual([]);
    waits.advanced(200n);
    await Promise.all(all.slice(1, 3));
    expect(released).toEqual([100n, 200n]);
    expect(waits.size).toBe(2);
    waits.advanced(300n);
    await Promise.all(all);
    expect(released).toEqual([100n, 200n, 300n, 300n]);
    expect(waits.size).toBe(0);
  });

  it('[SE57] closing fails every wait with the given error', async () => {
    const waits = new WatermarkWaits();
    const pending = waits.wait(5n);
    waits.close(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    expect(waits.size).toBe(0);
  });
});
