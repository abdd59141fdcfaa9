// When the leader stores the replica to IndexedDB (rules RB1, RB2 in ./SPEC.md). PGlite asks for a flush
// after every statement, and each IDBFS flush walks the whole data directory; so automatic flushes wait
// for a quiet moment, bounded, while the explicit ones (writes that must last) run at once. Pure: time
// and timers come in through `FlushClock`.

export interface FlushClock {
  readonly now: () => number;
  readonly setTimer: (ms: number, run: () => void) => unknown;
  readonly clearTimer: (timer: unknown) => void;
}

export interface FlushScheduleOptions {
  /** Stores everything committed so far; at most one runs at a time. */
  readonly store: () => Promise<void>;
  /** An automatic flush waits until no statement has run for this long… */
  readonly quietMs: number;
  /** …but never longer than this after the first change it has not stored. */
  readonly maxDelayMs: number;
  /** Where an automatic flush's failure goes (nobody awaits it). */
  readonly onError: (error: unknown) => void;
  readonly clock?: FlushClock;
}

export interface FlushSchedule {
  /** A statement ran: its changes get stored by a later automatic flush. */
  readonly changed: () => void;
  /** Stores everything committed before this call; resolves once it is in storage. */
  readonly flushNow: () => Promise<void>;
  /** Whether a change waits for an automatic flush. */
  readonly pending: () => boolean;
}

const realClock: FlushClock = {
  now: () => performance.now(),
  setTimer: (ms, run) => setTimeout(run, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export function flushSchedule(options: FlushScheduleOptions): FlushSchedule {
  const clock = options.clock ?? realClock;
  let unstoredSince: number | null = null;
  let timer: unknown = null;
  let queue: Promise<void> = Promise.resolve();

  /** Runs a flush after the ones already queued (IDBFS flushes must not overlap). */
  function enqueue(): Promise<void> {
    const run = queue.then(options.store);
    queue = run.catch(() => undefined);
    return run;
  }

  function cancelTimer(): void {
    if (timer !== null) clock.clearTimer(timer);
    timer = null;
  }

  function fire(): void {
    timer = null;
    unstoredSince = null;
    enqueue().catch(options.onError);
  }

  return {
    changed() {
      const now = clock.now();
      unstoredSince ??= now;
      cancelTimer();
      const due = Math.min(now + options.quietMs, unstoredSince + options.maxDelayMs);
      timer = clock.setTimer(Math.max(0, due - now), fire);
    },
    flushNow() {
      // [RB2] This flush stores whatever the pending automatic one would have.
      cancelTimer();
      unstoredSince = null;
      return enqueue();
    },
    pending: () => unstoredSince !== null,
  };
}
