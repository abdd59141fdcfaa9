// Rules RB1, RB2 (./SPEC.md) of when the leader stores the replica, on a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { flushSchedule, type FlushClock } from './flush-schedule';

/** A clock whose timers run only when `advance` passes them. */
function manualClock(): FlushClock & { advance: (ms: number) => void } {
  let now = 0;
  let timers: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    setTimer(ms, run) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimer(timer) {
      timers = timers.filter((t) => t !== timer);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (next === undefined) break;
        timers = timers.filter((t) => t !== next);
        now = next.at;
        next.run();
      }
      now = until;
    },
  };
}

/** A store that records when each flush began and ends only when told to. */
function recordingStore(clock: FlushClock) {
  const began: number[] = [];
  const running: (() => void)[] = [];
  return {
    began,
    finishNext: () => running.shift()?.(),
    store: () =>
      new Promise<void>((resolve) => {
        began.push(clock.now());
        running.push(resolve);
      }),
  };
}

/** Lets the promise chains the last step started run to their end (no time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('flush schedule', () => {
  it('[RB1] a burst of statements is stored by one flush once they go quiet', async () => {
    const clock = manualClock();
    const store = recordingStore(clock);
    const schedule = flushSchedule({
      store: store.store,
      quietMs: 300,
      maxDelayMs: 2000,
      onError: () => {},
      clock,
    });
    for (let i = 0; i < 5; i++) {
      schedule.changed();
      clock.advance(100);
    }
    await settle();
    expect(store.began).toEqual([]);
    expect(schedule.pending()).toBe(true);
    clock.advance(200);
    await settle();
    expect(store.began).toEqual([700]);
    expect(schedule.pending()).toBe(false);
  });

  it('[RB1] statements that never go quiet are stored no later than the bound after the first', async () => {
    const clock = manualClock();
    const store = recordingStore(clock);
    const schedule = flushSchedule({
      store: store.store,
      quietMs: 300,
      maxDelayMs: 2000,
      onError: () => {},
      clock,
    });
    for (let i = 0; i < 30; i++) {
      schedule.changed();
      clock.advance(100);
      await settle();
    }
    expect(store.began).toEqual([2000]);
  });

  it('[RB2] an explicit flush runs at once and takes over the pending automatic one', async () => {
    const clock = manualClock();
    const store = recordingStore(clock);
    const schedule = flushSchedule({
      store: store.store,
      quietMs: 300,
      maxDelayMs: 2000,
      onError: () => {},
      clock,
    });
    schedule.changed();
    clock.advance(50);
    let stored = false;
    const flushed = schedule.flushNow().then(() => {
      stored = true;
    });
    await settle();
    expect(store.began).toEqual([50]);
    expect(stored).toBe(false);
    store.finishNext();
    await flushed;
    expect(stored).toBe(true);
    clock.advance(5000);
    await settle();
    expect(store.began).toEqual([50]);
  });

  it('[RB2] flushes never overlap: one asked while another runs starts after it ends', async () => {
    const clock = manualClock();
    const store = recordingStore(clock);
    const schedule = flushSchedule({
      store: store.store,
      quietMs: 300,
      maxDelayMs: 2000,
      onError: () => {},
      clock,
    });
    const first = schedule.flushNow();
    await settle();
    clock.advance(10);
    schedule.changed();
    const second = schedule.flushNow();
    await settle();
    expect(store.began).toEqual([0]);
    clock.advance(10);
    store.finishNext();
    await first;
    await settle();
    expect(store.began).toEqual([0, 20]);
    store.finishNext();
    await second;
  });

  it('[RB1] a failed automatic flush is reported, and the next change is flushed again', async () => {
    const clock = manualClock();
    const errors: unknown[] = [];
    let calls = 0;
    const schedule = flushSchedule({
      store: () => (++calls === 1 ? Promise.reject(new Error('quota')) : Promise.resolve()),
      quietMs: 300,
      maxDelayMs: 2000,
      onError: (error) => errors.push(error),
      clock,
    });
    schedule.changed();
    clock.advance(300);
    await settle();
    expect(errors).toHaveLength(1);
    schedule.changed();
    clock.advance(300);
    await settle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
