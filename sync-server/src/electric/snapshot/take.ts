// The IO of a shape's initial snapshot (SPEC.md SN1, SN5, SN6): one REPEATABLE READ READ ONLY
// transaction; `pg_current_snapshot()` and WAL positions first, then the rows through a cursor in
// batches, every value in Postgres text form (the type's output function, as pgoutput prints it).
// A snapshot that shows an already streamed commit as running is taken again (electric SPEC.md SE61).
import pg from 'pg';
import Cursor from 'pg-cursor';
import { type Lsn, parseLsn } from '../replication/lsn';
import { setLocalDisplaySettingsSql } from './display-settings';
import {
  type Delivered,
  type PgSnapshot,
  type SnapshotPosition,
  parsePgSnapshot,
  runningButDelivered,
} from './visibility';

/** Column name -> Postgres text output, null for SQL NULL. */
export type Row = Record<string, string | null>;

export interface SnapshotQuery {
  readonly table: { readonly schema: string; readonly name: string };
  /** In the order rows should list them; quoted here, so any name is safe. */
  readonly columns: readonly string[];
  /**
   * A boolean SQL expression over the row, built and validated by the engine (never raw client
   * text), with `$1`… placeholders for `params`.
   */
  readonly where?: string;
  readonly params?: readonly (string | null)[];
  /** ORDER BY terms, built by the engine from parsed column names (never raw client text). */
  readonly orderBy?: string;
}

export interface SnapshotStart extends SnapshotPosition {
  /** `pg_current_wal_lsn()`, as Electric reads it beside the snapshot. */
  readonly walLsn: Lsn;
  readonly snapshot: PgSnapshot;
}

export interface SnapshotSink {
  /** Called once, before any row: the engine can start judging streamed transactions by it. */
  start(info: SnapshotStart): void | Promise<void>;
  /** Rows in batches; the next batch is fetched only after this settles, none once it says 'enough'. */
  rows(batch: readonly Row[]): RowsWanted | Promise<RowsWanted>;
}

/** What a sink says after a batch: nothing (go on), or 'enough' (a limited subset is full). */
export type RowsWanted = void | 'enough';

export interface SnapshotResult extends SnapshotStart {
  readonly rowCount: number;
}

export interface SnapshotOptions {
  /** Rows per batch handed to the sink. Default 1000. */
  readonly batchSize?: number;
  /** The transactions the stream already delivered (SE61). */
  readonly delivered?: Delivered;
  /** Told each time a snapshot is dropped because it shows delivered transactions as running (SE61). */
  readonly onWait?: (xids: readonly bigint[]) => void;
  /**
   * Asked before each new try (SE61): an error ends the wait with it. A commit held in the running set
   * for good (a synchronous standby that never answers) must not hold a stopping engine, or a shape
   * deleted meanwhile, for ever.
   */
  readonly giveUp?: () => Error | undefined;
}

/**
 * Pause before a dropped snapshot is taken again, doubling up to this (SE61). A committed backend
 * normally leaves the running set within microseconds; it lingers when it is descheduled on a busy
 * machine or waits for a synchronous standby, and Postgres offers no way to wait for that from SQL.
 */
const FIRST_RETRY_MS = 1;
const MAX_RETRY_MS = 100;

const NOTHING_DELIVERED: Delivered = { mark: () => ({ has: () => false, newest: undefined }) };

const HEAD_SQL = `select pg_current_snapshot()::text as snapshot, pg_current_wal_lsn()::text as wal_lsn,
       pg_current_wal_insert_lsn()::text as insert_lsn`;

interface Head {
  snapshot: string;
  wal_lsn: string;
  insert_lsn: string;
}

/** Every value comes back as the text Postgres sent: no type parsing at all. */
const TEXT_TYPES: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

export function snapshotSql(query: SnapshotQuery): string {
  if (query.columns.length === 0) throw new RangeError('A snapshot needs at least one column.');
  const columns = query.columns.map((c) => pg.escapeIdentifier(c)).join(', ');
  const table = `${pg.escapeIdentifier(query.table.schema)}.${pg.escapeIdentifier(query.table.name)}`;
  const where = query.where ? ` where ${query.where}` : '';
  return `select ${columns} from ${table}${where}${query.orderBy ? ` order by ${query.orderBy}` : ''}`;
}

/**
 * Takes the snapshot on a connection of its own from `pool` (held until the last batch is handled).
 * Memory holds one batch at a time, whatever the table's size.
 */
export async function takeSnapshot(
  pool: pg.Pool,
  query: SnapshotQuery,
  sink: SnapshotSink,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const batchSize = options.batchSize ?? 1000;
  const sql = snapshotSql(query);
  const client = await pool.connect();
  let broken = false;
  try {
    let info: SnapshotStart | undefined;
    for (let pause = FIRST_RETRY_MS; ; pause = Math.min(pause * 2, MAX_RETRY_MS)) {
      // Taken before the snapshot: what the stream delivered before the shape could buffer it.
      const deliveredBefore = (options.delivered ?? NOTHING_DELIVERED).mark();
      await client.query('begin isolation level repeatable read read only');
      await client.query(setLocalDisplaySettingsSql());
      // The transaction's snapshot is taken by this first statement; the insert LSN is read after it.
      const { rows } = await client.query<Head>(HEAD_SQL);
      const head = rows[0] as Head;
      const snapshot = parsePgSnapshot(head.snapshot);
      const running = runningButDelivered(snapshot, deliveredBefore);
      if (running.length === 0) {
        info = { snapshot, walLsn: parseLsn(head.wal_lsn), horizonLsn: parseLsn(head.insert_lsn) };
        break;
      }
      // Such a snapshot misses commits the stream may have delivered already (SE61): take it again.
      await client.query('rollback');
      options.onWait?.(running);
      await new Promise((resolve) => setTimeout(resolve, pause));
      const reason = options.giveUp?.();
      if (reason) throw reason;
    }
    await sink.start(info);

    const names = query.columns;
    const cursor = client.query(
      new Cursor<(string | null)[]>(sql, [...(query.params ?? [])], { rowMode: 'array', types: TEXT_TYPES }),
    );
    let rowCount = 0;
    try {
      for (;;) {
        const values = await cursor.read(batchSize);
        if (values.length === 0) break;
        rowCount += values.length;
        // fromEntries keeps a column named `__proto__` as a plain key.
        const wanted = await sink.rows(
          values.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null]))),
        );
        if (wanted === 'enough') break;
      }
    } finally {
      await cursor.close();
    }
    await client.query('commit');
    return { ...info, rowCount };
  } catch (error) {
    broken = true;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}
