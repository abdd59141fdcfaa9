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
