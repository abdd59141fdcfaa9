// Wake-ups of held requests (SPEC.md SE45, SE58, SE64): an append wakes its waiters in the next check
// phase, for a time budget per event-loop turn, calling each listener inside the turn. Turns are
// counted with setImmediate; the budget is read on a clock the test moves, never on real time.
import { describe, expect, it } from 'vitest';
import type { WaitListener, WaitOutcome } from './store';
import { ShapeWaiters, WakeScheduler } from './waiters';

const BEHIND = { tx: 0n, op: 0 };
const AHEAD = { tx: 5n, op: 0 };
const HELD = { timeoutMs: 60_000 };

/** Lets every pending promise reaction run. */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The next event-loop turn: the scheduler's turn, armed before this one, runs first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `body` and returns the errors thrown meanwhile outside any promise (in a turn of the scheduler). */
async function uncaughtDuring(body: () => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  const onUncaught = (error: unknown) => failures.push(error);
  process.prependListener('uncaughtException', onUncaught);
  try {
    await body();
  } finally {
    process.removeListener('uncaughtException', onUncaught);
  }
  return failures;
}

/** A clock that moves 1 ms per wake-up: a budget of n ms wakes n listeners per turn. */
function wakeClock(): { now: () => number; listener: (into: number[], id: number) => WaitListener } {
  let ms = 0;
  return {
    now: () => ms,
    listener: (into, id) => ({
      settled: (outcome: WaitOutcome) => {
        expect(outcome).toBe('changed');
        ms++;
        into.push(id);
      },
    }),
  };
}

describe('WakeScheduler', () => {
  it('[SE58] an append wakes nobody inside its own call: the wake-ups run in the next check phase', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler());
    let outcome: string | undefined;
    void waiters.wait(BEHIND, BEHIND, HELD).then((o) => (outcome = o));
    waiters.advanced(AHEAD);
    await settleMicrotasks();
    expect(outcome).toBeUndefined();
    await nextTurn();
    await settleMicrotasks();
    expect(outcome).toBe('changed');
  });

  it('[SE58] many held requests wake a budget per turn, in order, all of them', async () => {
    const clock = wakeClock();
    const waiters = new ShapeWaiters(new WakeScheduler({ budgetMs: 100, now: clock.now }));
    const woken: number[] = [];
    for (let i = 0; i < 250; i++) waiters.watch(BEHIND, BEHIND, HELD, clock.listener(woken, i));
    waiters.advanced(AHEAD);
    waiters.advanced(AHEAD); // a second append before they ran queues nobody twice
    await nextTurn();
    expect(woken).toHaveLength(100);
    await nextTurn();
    expect(woken).toHaveLength(200);
    await nextTurn();
    expect(woken).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(waiters.size).toBe(0);
  });

  it('[SE58] a turn wakes at least one, however long a wake-up takes', async () => {
    let ms = 0;
    const waiters = new ShapeWaiters(new WakeScheduler({ budgetMs: 1, now: () => ms }));
    const woken: number[] = [];
    for (let i = 0; i < 3; i++) {
      waiters.watch(BEHIND, BEHIND, HELD, { settled: () => woken.push((ms += 50)) });
    }
    waiters.advanced(AHEAD);
    await nextTurn();
    expect(woken).toHaveLength(1);
    await nextTurn();
    await nextTurn();
    expect(woken).toHaveLength(3);
  });

  it('[SE58] a wake-up queued by a listener inside a turn runs, and the turn left with nothing does no harm', async () => {
    const wakes = new WakeScheduler();
    const first = new ShapeWaiters(wakes);
    const second = new ShapeWaiters(wakes);
    const woken: string[] = [];
    second.watch(BEHIND, BEHIND, HELD, { settled: () => woken.push('second') });
    first.watch(BEHIND, BEHIND, HELD, {
      settled: () => {
        woken.push('first');
        second.advanced(AHEAD);
      },
    });
    const failures = await uncaughtDuring(async () => {
      first.advanced(AHEAD);
      for (let i = 0; i < 3; i++) await nextTurn();
    });
    expect(failures).toEqual([]);
    expect(woken).toEqual(['first', 'second']);
    expect(wakes.pending).toBe(0);
  });

  it('[SE58] a listener that throws does not keep the waiters after it from being woken', async () => {
    const wakes = new WakeScheduler();
    const waiters = new ShapeWaiters(wakes);
    const woken: number[] = [];
    waiters.watch(BEHIND, BEHIND, HELD, {
      settled: () => {
        throw new Error('listener failed');
      },
    });
    for (let i = 0; i < 3; i++) waiters.watch(BEHIND, BEHIND, HELD, { settled: () => woken.push(i) });
    const failures = await uncaughtDuring(async () => {
      waiters.advanced(AHEAD);
      for (let i = 0; i < 4; i++) await nextTurn();
    });
    expect(woken).toEqual([0, 1, 2]);
    expect(failures).toEqual([new Error('listener failed')]);
  });

  it('[SE58] waiters of several shapes share one budget per turn', async () => {
    const clock = wakeClock();
    const wakes = new WakeScheduler({ budgetMs: 10, now: clock.now });
    const shapes = [new ShapeWaiters(wakes), new ShapeWaiters(wakes), new ShapeWaiters(wakes)];
    const woken: number[] = [];
    for (const shape of shapes) {
      for (let i = 0; i < 10; i++) shape.watch(BEHIND, BEHIND, HELD, clock.listener(woken, i));
    }
    for (const shape of shapes) shape.advanced(AHEAD);
    await nextTurn();
    expect(woken).toHaveLength(10);
    expect(wakes.pending).toBe(20);
    await nextTurn();
    await nextTurn();
    expect(woken).toHaveLength(30);
  });
});

describe('ShapeWaiters.watch', () => {
  it('[SE64] listeners are called inside the wake-up turn, one after another, before any promise reaction', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler());
    const order: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      waiters.watch(BEHIND, BEHIND, HELD, {
        settled: () => {
          order.push(id);
          // Queued from the first listener: it runs only once the whole turn is done.
          if (id === 'a') queueMicrotask(() => order.push('microtask'));
        },
      });
    }
    waiters.advanced(AHEAD);
    await nextTurn();
    expect(order).toEqual(['a', 'b', 'c', 'microtask']);
  });

  it('[SE64] an outcome known at once is returned and the listener never called', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler());
    const settled: WaitOutcome[] = [];
    const listener = { settled: (o: WaitOutcome) => settled.push(o) };
    expect(waiters.watch(BEHIND, AHEAD, HELD, listener)).toBe('changed');
    const aborted = { aborted: true, addEventListener: () => {}, removeEventListener: () => {} };
    expect(waiters.watch(BEHIND, BEHIND, { ...HELD, signal: aborted }, listener)).toBe('aborted');
    await nextTurn();
    expect(settled).toEqual([]);
    expect(waiters.size).toBe(0);
  });

  it('[SE45] a held watch ends once: by its timeout, its signal or the shape going away', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler());
    const settled: WaitOutcome[] = [];
    const listener = { settled: (o: WaitOutcome) => settled.push(o) };
    expect(waiters.watch(BEHIND, BEHIND, { timeoutMs: 1 }, listener)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const abort = new AbortController();
    waiters.watch(BEHIND, BEHIND, { ...HELD, signal: abort.signal }, listener);
    abort.abort();
    waiters.watch(BEHIND, BEHIND, HELD, listener);
    waiters.deleted();
    waiters.advanced(AHEAD);
    await nextTurn();
    expect(settled).toEqual(['timeout', 'aborted', 'deleted']);
    expect(waiters.size).toBe(0);
  });
});
