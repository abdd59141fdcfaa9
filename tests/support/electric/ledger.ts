// A ledger workload for the engine's recovery tests: one writer commits transactions back to back
// (each inserts 1–3 rows and updates the first row of the previous one) and keeps the list of what
// committed; `expectDelivered` checks that a client got exactly those transactions, once each, whole
// and in commit order, after the snapshot it started from.
import { expect } from 'vitest';
import type pg from 'pg';
import {
  isChangeMessage,
  type ChangeMessage,
  type Message,
  type Row,
  type ShapeStream,
} from '@electric-sql/client';
import { isUpToDate } from './clients';

export const LEDGER_DDL = 'create table ledger (seq int primary key, batch int not null, body text not null)';

/** One committed transaction: its changes to `ledger` as `"<operation> <seq>"`, in statement order. */
export interface Committed {
  readonly batch: number;
  readonly ops: readonly string[];
}

export interface LedgerWriterOptions {
  /**
   * Called when a transaction fails (the database went away): resolves once it is back. The writer
   * then learns whether the commit went through before trying the transaction again.
   */
  readonly databaseBack?: () => Promise<void>;
  /** Awaited before each transaction: keeps the writer a bounded distance ahead of its readers. */
  readonly pace?: () => Promise<void>;
}

export class LedgerWriter {
  readonly committed: Committed[] = [];
  /** Transactions that failed (the database went away) and were retried. */
  interruptions = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private nextSeq = 1;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: LedgerWriterOptions = {},
  ) {}

  start(): void {
    this.loop = this.run();
    this.loop.catch(() => undefined); // reported by stop()
  }

  /** Resolves once `count` transactions have committed in all. */
  committedAtLeast(count: number): Promise<void> {
    if (this.committed.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Finishes the transaction under way and stops; rejects if the writer failed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private async run(): Promise<void> {
    for (let batch = 1; ; batch++) {
      await this.options.pace?.();
      if (this.stopping) return;
      const size = 1 + (batch % 3);
      const first = this.nextSeq;
      const previous = this.committed.at(-1);
      const updated = previous ? Number(previous.ops.find((op) => op.startsWith('insert'))?.slice(7)) : null;
      const ops = [
        ...(updated !== null ? [`update ${updated}`] : []),
        ...Array.from({ length: size }, (_, i) => `insert ${first + i}`),
      ];
      const sql = [
        'begin',
        ...(updated !== null ? [`update ledger set body = 'seen by ${batch}' where seq = ${updated}`] : []),
        `insert into ledger select s, ${batch}, 'row ' || s from generate_series(${first}, ${first + size - 1}) s`,
        'commit',
      ].join('; ');
      for (;;) {
        try {
          await this.pool.query(sql);
          break;
        } catch (error) {
          if (!this.options.databaseBack) throw error;
          this.interruptions++;
          await this.options.databaseBack();
          // The commit may have gone through before the connection broke.
          const { rowCount } = await this.pool.query('select 1 from ledger where seq = $1', [first]);
          if (rowCount === 1) break;
        }
      }
      this.nextSeq = first + size;
      this.committed.push({ batch, ops });
      this.waiters = this.waiters.filter((w) => {
        if (this.committed.length < w.count) return true;
        w.resolve();
        return false;
      });
    }
  }
}

/**
 * Every message a stream delivers, and waits on up-to-date batches. Reading `maxSeq` costs O(1): a
 * writer paced on a collector leaves a waiter per transaction, and rescanning every message for each
 * waiter at each batch once held the test's event loop for tens of seconds (issue 7).
 */
export class Collector {
  readonly messages: Message<Row>[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private unsubscribe: () => void;
  private highestSeq = 0;

  /**
   * `requests`: the controller whose signal the stream was made with. `stop()` aborts it: the
   * client's `unsubscribeAll` alone leaves the stream polling (client 1.5).
   */
  constructor(
    readonly stream: ShapeStream<Row>,
    private readonly requests?: AbortController,
  ) {
    this.unsubscribe = stream.subscribe((batch) => {
      for (const message of batch) {
        this.messages.push(message); // one by one: a catch-up batch can exceed the spread's argument limit
        if (isChangeMessage(message) && message.headers.operation === 'insert') {
          this.highestSeq = Math.max(this.highestSeq, Number(message.value.seq));
        }
      }
      if (!isUpToDate(batch.at(-1))) return;
      this.waiters = this.waiters.filter((w) => {
        if (!w.check()) return true;
        w.resolve();
        return false;
      });
    });
  }

  get changes(): ChangeMessage<Row>[] {
    return this.messages.filter((m) => isChangeMessage(m));
  }

  /** Highest `seq` seen in an insert. */
  get maxSeq(): number {
    return this.highestSeq;
  }

  /** Resolves at the first up-to-date (now, if the last batch was one) after which `check` holds. */
  upToDateWhen(check: () => boolean): Promise<void> {
    if (isUpToDate(this.messages.at(-1)) && check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  seenSeq(seq: number): Promise<void> {
    return this.upToDateWhen(() => this.maxSeq >= seq);
  }

  /** Stops the stream: its handle and offset are where a resuming client starts. */
  stop(): { handle: string; offset: ShapeStream['lastOffset'] } {
    const where = { handle: this.stream.shapeHandle as string, offset: this.stream.lastOffset };
    this.unsubscribe();
    this.stream.unsubscribeAll();
    this.requests?.abort();
    return where;
  }
}

/**
 * The client's log (its sessions' messages in order) is a snapshot of the first k committed
 * transactions, then each later one exactly once, whole (one `lsn` per transaction), in commit order.
 */
export function expectDelivered(messages: readonly Message<Row>[], committed: readonly Committed[]): void {
  const changes = messages.filter((m) => isChangeMessage(m));
  expect(
    messages.filter((m) => 'control' in m.headers && m.headers.control === 'must-refetch'),
    'no must-refetch: the shape survived',
  ).toEqual([]);
  const snapshot = changes.filter((m) => m.headers.lsn === undefined);
  const live = changes.filter((m) => m.headers.lsn !== undefined);
  expect(snapshot.every((m) => m.headers.operation === 'insert')).toBe(true);
  const snapshotSeqs = snapshot.map((m) => Number(m.value.seq)).sort((a, b) => a - b);
  const inSnapshot = committed.findIndex((c) =>
    c.ops.some((op) => op === `insert ${snapshotSeqs.length + 1}`),
  );
  const k0 = inSnapshot < 0 ? committed.length : inSnapshot;
  expect(snapshotSeqs, 'the snapshot is a prefix of the committed transactions').toEqual(
    Array.from({ length: snapshotSeqs.length }, (_, i) => i + 1),
  );
  const groups: string[][] = [];
  let lsn: unknown;
  for (const m of live) {
    if (m.headers.lsn !== lsn || groups.length === 0) groups.push([]);
    lsn = m.headers.lsn;
    (groups.at(-1) as string[]).push(`${m.headers.operation} ${Number(m.value.seq)}`);
  }
  // Compared around the first difference: a diff of thousands of transactions says nothing.
  const expected = committed.slice(k0).map((c) => [...c.ops]);
  const at = expected.findIndex((ops, i) => JSON.stringify(ops) !== JSON.stringify(groups[i]));
  if (at >= 0) {
    expect(
      groups.slice(Math.max(0, at - 1), at + 3),
      `every later transaction once, whole, in order: #${at} of ${expected.length} after the snapshot`,
    ).toEqual(expected.slice(Math.max(0, at - 1), at + 3));
  }
  expect(groups.length, 'nothing after the last committed transaction').toBe(expected.length);
}
