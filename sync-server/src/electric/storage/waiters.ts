// Per-shape waiters for live requests (SPEC.md SE45): woken by the append that moves the tail past
// their offset, by the shape's deletion, by their timeout or by their abort signal. No polling.
import { compareOffsets, type LogOffset } from '../offset';
import type { WaitOptions, WaitOutcome } from './store';

interface Waiter {
  readonly since: LogOffset;
  settle(outcome: WaitOutcome): void;
}

export class ShapeWaiters {
  private readonly waiters = new Set<Waiter>();

  get size(): number {
    return this.waiters.size;
  }

  /** `tail` is the shape's current tail: a waiter already behind it resolves at once. */
  wait(since: LogOffset, tail: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    if (compareOffsets(tail, since) > 0) return Promise.resolve('changed');
    if (options.signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitOutcome>((resolve) => {
      const onAbort = (): void => waiter.settle('aborted');
      const timer = setTimeout(() => waiter.settle('timeout'), options.timeoutMs);
      const waiter: Waiter = {
        since,
        settle: (outcome) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      this.waiters.add(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The tail moved: wake everyone it is now past. */
  advanced(tail: LogOffset): void {
    for (const waiter of [...this.waiters]) {
      if (compareOffsets(tail, waiter.since) > 0) waiter.settle('changed');
    }
  }

  deleted(): void {
    for (const waiter of [...this.waiters]) waiter.settle('deleted');
  }

  /** The store is closing: live requests end as if their client went away. */
  closed(): void {
    for (const waiter of [...this.waiters]) waiter.settle('aborted');
  }
}
