// Test support for the stream's pg tests: records events and waits for them (never for time).
import type { ReplicationEvent } from './client';
import type { Change, Transaction } from './transactions';

export class EventLog {
  readonly events: ReplicationEvent[] = [];
  private readonly wakers = new Set<() => void>();

  /** Pass as (or call from) the client's handler. */
  readonly record = (event: ReplicationEvent): void => {
    this.events.push(event);
    for (const wake of this.wakers) wake();
  };

  transactions(): Transaction[] {
    return this.events.flatMap((e) => (e.type === 'transaction' ? [e.transaction] : []));
  }

  /** Resolves with `find()`'s first defined result, checked now and after every event. */
  until<T>(find: () => T | undefined): Promise<T> {
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const wake = (): void => {
        const found = find();
        if (found === undefined) return;
        this.wakers.delete(wake);
        resolve(found);
      };
      this.wakers.add(wake);
    });
  }

  /** The first event of `type` at or after index `from`. */
  event<K extends ReplicationEvent['type']>(
    type: K,
    from = 0,
  ): Promise<Extract<ReplicationEvent, { type: K }>> {
    return this.until(
      () =>
        this.events.slice(from).find((e) => e.type === type) as
          Extract<ReplicationEvent, { type: K }> | undefined,
    );
  }

  /** The first transaction with a change matching `match`. */
  transactionWith(match: (change: Change) => boolean): Promise<Transaction> {
    return this.until(() => this.transactions().find((t) => t.changes.some(match)));
  }
}

/** A change inserting into `table` a row whose `column` is `value`. */
export function inserted(table: string, column: string, value: string): (change: Change) => boolean {
  return (c) => c.kind === 'insert' && c.relation.table === table && c.newRow[column] === value;
}
