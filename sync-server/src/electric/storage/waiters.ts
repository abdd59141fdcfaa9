// Per-shape waiters for live requests (SPEC.md SE45): woken by the append that moves the tail past
// their offset, by the shape's deletion, by their timeout or by their abort signal. No polling.
// Wake-ups for appends go through one WakeScheduler per store (SE58): at most `perTurn` held requests
// wake per event-loop turn, so a thousand woken clients do not block replication and new requests.
import { compareOffsets, type LogOffset } from '../offset';
import type { WaitOptions, WaitOutcome, WaitSignal } from './store';

/** What the scheduler wakes: an object with a method, so a wake-up makes no closure. */
export interface Wakeable {
  wake(): void;
}

/**
 * Spaces out wake-ups (SE58): the first `perTurn` of a turn run at once (one client waits no longer
 * than before), the rest in later turns (setImmediate), `perTurn` at a time, in arrival order. The
 * requests a turn wakes run their reads and writes before I/O is polled again; between turns the
 * replication stream and new requests get the loop.
 */
export class WakeScheduler {
  private queue: Wakeable[] = [];
  private head = 0;
  private used = 0;
  private armed = false;

  /** 300: measured against 100 and 1,000 (SPEC.md SE58). */
  constructor(private readonly perTurn = 300) {}

  /** Wakes queued and not yet run. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  wake(target: Wakeable): void {
    if (this.head === this.queue.length && this.used < this.perTurn) {
      this.used++;
      this.arm();
      target.wake();
      return;
    }
    this.queue.push(target);
    this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.armed = false;
    this.used = 0;
    while (this.head < this.queue.length && this.used < this.perTurn) {
      const target = this.queue[this.head++] as Wakeable;
      this.used++;
      target.wake();
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    // Another turn: to run what is left, or to start the next turn's budget afresh.
    if (this.used > 0) this.arm();
  };
}

/**
 * One held wait, settled once: by an append past `since` (through the scheduler), the shape's
 * deletion, its timeout or its signal. Its methods are the timer's callback argument, the signal's
 * listener object and the scheduler's target: at a thousand held requests per append, the closures
 * (each named by tsx on creation) showed in profiles.
 */
class Waiter implements Wakeable {
  queued = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly since: LogOffset,
    private readonly waiting: Set<Waiter>,
    private readonly resolve: (outcome: WaitOutcome) => void,
    private readonly signal: WaitSignal | undefined,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(timedOut, timeoutMs, this);
    signal?.addEventListener('abort', this, { once: true });
  }

  /** The signal aborted (an EventListener object). */
  handleEvent(): void {
    this.settle('aborted');
  }

  wake(): void {
    this.settle('changed');
  }

  settle(outcome: WaitOutcome): void {
    if (!this.waiting.delete(this)) return;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.resolve(outcome);
  }
}

function timedOut(waiter: Waiter): void {
  waiter.settle('timeout');
}

export class ShapeWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly wakes: WakeScheduler) {}

  get size(): number {
    return this.waiters.size;
  }

  /** `tail` is the shape's current tail: a waiter already behind it resolves at once. */
  wait(since: LogOffset, tail: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    if (compareOffsets(tail, since) > 0) return Promise.resolve('changed');
    if (options.signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitOutcome>((resolve) => {
      this.waiters.add(new Waiter(since, this.waiters, resolve, options.signal, options.timeoutMs));
    });
  }

  /** The tail moved: wake everyone it is now past, through the scheduler. */
  advanced(tail: LogOffset): void {
    for (const waiter of this.waiters) {
      if (waiter.queued || compareOffsets(tail, waiter.since) <= 0) continue;
      waiter.queued = true;
      this.wakes.wake(waiter);
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
