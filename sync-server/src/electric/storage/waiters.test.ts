// Wake-ups of held requests (SPEC.md SE45, SE58): an append wakes its waiters a slice per event-loop
// turn, the first slice at once. Turns are counted with setImmediate, never with time.
import { describe, expect, it } from 'vitest';
import { ShapeWaiters, WakeScheduler } from './waiters';

const BEHIND = { tx: 0n, op: 0 };
const AHEAD = { tx: 5n, op: 0 };

/** Lets every pending promise reaction run (the wake-ups of this turn and what they chain). */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The next event-loop turn: the scheduler's turn, armed before this one, runs first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('WakeScheduler', () => {
  it('[SE58] one held request is woken in the same turn as the append that passes it', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler(100));
    let outcome: string | undefined;
    void waiters.wait(BEHIND, BEHIND, { timeoutMs: 60_000 }).then((o) => (outcome = o));
    waiters.advanced(AHEAD);
    await settleMicrotasks();
    expect(outcome).toBe('changed');
  });

  it('[SE58] many held requests wake a slice per turn, in order, all of them', async () => {
    const waiters = new ShapeWaiters(new WakeScheduler(100));
    const woken: number[] = [];
    const all = Array.from({ length: 250 }, (_, i) =>
      waiters.wait(BEHIND, BEHIND, { timeoutMs: 60_000 }).then((o) => {
        expect(o).toBe('changed');
        woken.push(i);
      }),
    );
    waiters.advanced(AHEAD);
    waiters.advanced(AHEAD); // a second append before they ran queues nobody twice
    await settleMicrotasks();
    expect(woken).toHaveLength(100);
    await nextTurn();
    expect(woken).toHaveLength(200);
    await nextTurn();
    await Promise.all(all);
    expect(woken).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(waiters.size).toBe(0);
  });

  it('[SE58] waiters of several shapes share one budget per turn', async () => {
    const wakes = new WakeScheduler(10);
    const shapes = [new ShapeWaiters(wakes), new ShapeWaiters(wakes), new ShapeWaiters(wakes)];
    let woken = 0;
    for (const shape of shapes) {
      for (let i = 0; i < 10; i++) void shape.wait(BEHIND, BEHIND, { timeoutMs: 60_000 }).then(() => woken++);
    }
    for (const shape of shapes) shape.advanced(AHEAD);
    await settleMicrotasks();
    expect(woken).toBe(10);
    expect(wakes.pending).toBe(20);
    await nextTurn();
    await nextTurn();
    await settleMicrotasks();
    expect(woken).toBe(30);
  });
});
