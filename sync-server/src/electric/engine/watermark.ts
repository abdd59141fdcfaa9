// The global watermark and the slot acknowledgement (SPEC.md SE35, Invariant 4), pure: transactions
// are tracked in stream order and count as delivered once every shape they touch holds them durably
// (or they touch none). The watermark is the commit LSN of the last transaction of the delivered
// prefix, so it never passes a transaction still undelivered to some shape, however the appends
// finish out of order. The same prefix is what the replication slot may confirm.

export interface Ticket {
  readonly lsn: bigint;
  done: boolean;
}

export class CommitTracker {
  private readonly queue: Ticket[] = [];
  private head = 0;
  private mark: bigint;

  constructor(initial = 0n) {
    this.mark = initial;
  }

  /** Commit LSN up to which every transaction is in every shape log it belongs to. */
  get watermark(): bigint {
    return this.mark;
  }

  /** Transactions tracked and not yet part of the delivered prefix. */
  get outstanding(): number {
    return this.queue.length - this.head;
  }

  /** Tracks a transaction, in stream order (a replayed duplicate is tracked again: harmless). */
  begin(lsn: bigint): Ticket {
    const ticket: Ticket = { lsn, done: false };
    this.queue.push(ticket);
    return ticket;
  }

  /**
   * Marks a transaction delivered. Returns the new watermark when the delivered prefix grew past the
   * old one (then acknowledge the slot up to it), undefined otherwise.
   */
  finish(ticket: Ticket): bigint | undefined {
    ticket.done = true;
    let advanced: bigint | undefined;
    while (this.head < this.queue.length && (this.queue[this.head] as Ticket).done) {
      const lsn = (this.queue[this.head] as Ticket).lsn;
      this.head++;
      if (lsn > this.mark) {
        this.mark = lsn;
        advanced = lsn;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return advanced;
  }
}

interface Waiting {
  readonly lsn: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Callers waiting for a watermark to reach an LSN (SE57): a response holding data at X is sent only
 * once the announced watermark is at X. Kept sorted by LSN: waits come in near stream order, so an
 * insert is almost always at the end, and an advance releases a prefix.
 */
export class WatermarkWaits {
  private waiting: Waiting[] = [];

  get size(): number {
    return this.waiting.length;
  }

  /** Resolves once `advanced` reports a watermark at or past `lsn`. */
  wait(lsn: bigint): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { lsn, resolve, reject };
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1] as Waiting).lsn > lsn) at--;
      if (at === this.waiting.length) this.waiting.push(entry);
      else this.waiting.splice(at, 0, entry);
    });
  }

  /** The watermark moved to `mark`: every wait at or below it is released, in LSN order. */
  advanced(mark: bigint): void {
    let released = 0;
    while (released < this.waiting.length && (this.waiting[released] as Waiting).lsn <= mark) released++;
    if (released === 0) return;
    const ready = this.waiting.slice(0, released);
    this.waiting = this.waiting.slice(released);
    for (const w of ready) w.resolve();
  }

  /** Nothing will advance any more (the engine stops): every wait fails with `error`. */
  close(error: Error): void {
    const all = this.waiting;
    this.waiting = [];
    for (const w of all) w.reject(error);
  }
}
