// Pure bookkeeping of what the slot may confirm (SPEC.md RP8–RP10). The slot moves only on explicit
// acknowledgements, so a restart resumes at the oldest transaction the consumer has not made durable;
// Postgres then sends again what was not acknowledged and the consumer drops what it already holds.
import { type Lsn, ZERO_LSN, maxLsn } from './lsn';

/**
 * The replay filter for a consumer (RP9): after a reconnect or a restart the stream starts again at
 * the slot's confirmed position, so transactions the consumer already applied can arrive again.
 * Keep a transaction only when its commit LSN is past the highest one applied (durable or not).
 */
export function isNewTransaction(commitLsn: Lsn, appliedLsn: Lsn | undefined): boolean {
  return appliedLsn === undefined || commitLsn > appliedLsn;
}

interface Delivered {
  readonly commitLsn: Lsn;
  readonly endLsn: Lsn;
}

export class AckTracker {
  /** Delivered to the consumer, not yet acknowledged, in stream order (duplicates after a replay). */
  private readonly pending: Delivered[] = [];
  private flushedLsn: Lsn;

  constructor(initialFlushed: Lsn = ZERO_LSN) {
    this.flushedLsn = initialFlushed;
  }

  /** What the standby status update reports as flushed: the slot's `confirmed_flush_lsn` to be. */
  get flushed(): Lsn {
    return this.flushedLsn;
  }

  get outstanding(): number {
    return this.pending.length;
  }

  /** The slot already confirmed `lsn` (read at connect): never report less. */
  atLeast(lsn: Lsn): void {
    this.flushedLsn = maxLsn(this.flushedLsn, lsn);
  }

  delivered(transaction: Delivered): void {
    this.pending.push(transaction);
  }

  /**
   * Every delivered transaction with a commit LSN at or below `lsn` is durable. The slot may confirm
   * up to the end of the last such commit record (the end, not the start: a slot confirmed at a
   * commit's start LSN sends that transaction again). Returns whether the flushed position moved.
   */
  ack(lsn: Lsn): boolean {
    let end: Lsn | undefined;
    let keep = 0;
    for (const entry of this.pending) {
      if (entry.commitLsn <= lsn) end = end === undefined ? entry.endLsn : maxLsn(end, entry.endLsn);
      else this.pending[keep++] = entry;
    }
    this.pending.length = keep;
    if (end === undefined || end <= this.flushedLsn) return false;
    this.flushedLsn = end;
    return true;
  }

  /**
   * A keepalive reports that the walsender has decoded up to `walEnd`, and every transaction that
   * committed before it was sent ahead of the keepalive. When nothing is outstanding (no transaction
   * open, queued, being handled or unacknowledged: `streamIdle`), confirming `walEnd` loses nothing
   * and lets Postgres recycle WAL written by other databases and unpublished tables.
   */
  keepalive(walEnd: Lsn, streamIdle: boolean): boolean {
    if (!streamIdle || this.pending.length > 0 || walEnd <= this.flushedLsn) return false;
    this.flushedLsn = walEnd;
    return true;
  }
}

/** Reconnect delay after `attempt` consecutive failures: exponential, capped, with jitter in [½, 1]. */
export function backoffDelay(
  attempt: number,
  options: { initialMs: number; maxMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}
