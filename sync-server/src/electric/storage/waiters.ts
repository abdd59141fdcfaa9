// Per-shape waiters for live requests (SPEC.md SE45): woken by the append that moves the tail past
// their offset, by the shape's deletion, by their timeout or by their abort signal. No polling.
// Wake-ups for appends go through one WakeScheduler per store (SE58): they run in the next check phase,
// after the append's commit has run its course, for at most `budgetMs` (50 ms) per event-loop turn, so a
// thousand woken clients do not block replication and new requests. A listener is called inside that
// turn (SE64): a woken long poll writes its answer there, with no promise between the two.
import { compareOffsets, type LogOffset } from '../offset';
import type { WaitListener, WaitOptions, WaitOutcome, WaitSignal } from './store';

/** What the scheduler wakes: an object with a method, so a wake-up makes no closure. */
export interface Wakeable {
  wake(): void;
}

export interface WakeSchedulerOptions {
  /** Milliseconds of wake-ups per turn before the rest wait for the next; default 50. */
  readonly budgetMs?: number | undefined;
  /** The clock the budget is read on; default `performance.now`. */
  readonly now?: () => number;
}

/**
 * Runs wake-ups in the check phase (setImmediate), in arrival order, for at most `budgetMs` of a turn
 * (at least one), the rest in later turns. Never at once: the append that passes a waiter is still
 * committing, and its watermark is announced by the microtasks after it; woken in the next check
 * phase, requests find the entries announced and in memory, and answer without a read. Between turns
 * the replication stream and new requests get the loop. A time budget, not a count: the work of a
 * wake-up (a written answer) is done inside the turn, so the budget is what the loop is held for.
 */
export class WakeScheduler {
  private queue: (Wakeable | undefined)[] = [];
  private head = 0;
  private armed = false;
  private readonly budgetMs: number;
  private readonly now: () => number;

  /** 50 ms: measured against 16, 25 and 32 ms and a count of 300 per turn (SPEC.md SE58). */
  constructor(options: WakeSchedulerOptions = {}) {
    this.budgetMs = options.budgetMs ?? 50;
    this.now = options.now ?? performance.now.bind(performance);
  }

  /** Wakes queued and not yet run. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  wake(target: Wakeable): void {
    this.queue.push(target);
    this.arm();
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(this.turn);
  }

  /**
   * Wakes in order until the budget is spent (at least one). What a wake-up queues meanwhile joins
   * this turn's queue; a wake-up that throws ends the turn, and the rest get the next one (the error
   * still reaches the process as uncaught).
   */
  private readonly turn = (): void => {
    this.armed = false;
    const deadline = this.now() + this.budgetMs;
    try {
      while (this.head < this.queue.length) {
        const target = this.queue[this.head] as Wakeable;
        // Let go as it runs: a turn writes a thousand answers, and a scavenge inside it must not find
        // the requests already answered still held here. It did: 5 MB survived each scavenge instead
        // of 1, and scavenges took 8–10 ms instead of 3 (SE64).
        this.queue[this.head++] = undefined;
        target.wake();
        if (this.now() >= deadline) break;
      }
    } finally {
      if (this.head < this.queue.length) {
        this.arm();
      } else {
        this.queue = [];
        this.head = 0;
      }
    }
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
    private readonly listener: WaitListener,
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
    this.listener.settled(outcome);
  }
}

function timedOut(waiter: Waiter): void {
  waiter.settle('timeout');
}

/** A promise's resolve as a WaitListener. */
class Resolver implements WaitListener {
  constructor(readonly settled: (outcome: WaitOutcome) => void) {}
}

/**
 * A watch as a promise: `waitForChange` is `watch` through this. A watch that throws (an unknown
 * shape, a closed store) rejects it.
 */
export function waitFor(watch: (listener: WaitListener) => WaitOutcome | undefined): Promise<WaitOutcome> {
  return new Promise<WaitOutcome>((resolve) => {
    const known = watch(new Resolver(resolve));
    if (known !== undefined) resolve(known);
  });
}

export class ShapeWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly wakes: WakeScheduler) {}

  get size(): number {
    return this.waiters.size;
  }

  /**
   * `tail` is the shape's current tail. An outcome known at once (the tail is already past `since`,
   * the signal already aborted) is returned and the listener never called; else the listener is
   * called once, later, never from inside this call.
   */
  watch(
    since: LogOffset,
    tail: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined {
    if (compareOffsets(tail, since) > 0) return 'changed';
    if (options.signal?.aborted) return 'aborted';
    this.waiters.add(new Waiter(since, this.waiters, listener, options.signal, options.timeoutMs));
    return undefined;
  }

  /** `watch` as a promise. */
  wait(since: LogOffset, tail: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    return waitFor((listener) => this.watch(since, tail, options, listener));
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
