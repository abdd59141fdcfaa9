// An in-memory replica: the second implementation of `LocalReader` (the client's is PGlite), used to
// run optimistic applies without a database and to lay their changes over rows.
import { tableByName, type TableName } from '../catalogue';
import type { LocalReader, ReplicaRow, RowChange } from './define';

export type ReplicaRows = { [N in TableName]?: readonly ReplicaRow<N>[] };

type AnyRow = Readonly<Record<string, unknown>>;

function keyColumn(table: TableName): string {
  const key = tableByName(table)?.primaryKey[0];
  if (key === undefined) throw new Error(`unknown table "${table}"`);
  return key;
}

export class MemoryReplica implements LocalReader {
  readonly #tables = new Map<TableName, Map<unknown, AnyRow>>();

  constructor(rows: ReplicaRows = {}) {
    for (const [table, list] of Object.entries(rows) as [TableName, readonly AnyRow[]][]) {
      for (const row of list) this.#put(table, row);
    }
  }

  #table(table: TableName): Map<unknown, AnyRow> {
    let rows = this.#tables.get(table);
    if (!rows) {
      rows = new Map();
      this.#tables.set(table, rows);
    }
    return rows;
  }

  #put(table: TableName, row: AnyRow): void {
    this.#table(table).set(row[keyColumn(table)], row);
  }

  get<N extends TableName>(table: N, key: string): Promise<ReplicaRow<N> | undefined> {
    return Promise.resolve(this.#table(table).get(key) as ReplicaRow<N> | undefined);
  }

  find<N extends TableName>(table: N, where: Partial<ReplicaRow<N>>): Promise<ReplicaRow<N>[]> {
    const wanted = Object.entries(where);
    const rows = [...this.#table(table).values()].filter((row) =>
      wanted.every(([column, value]) => row[column] === value),
    );
    return Promise.resolve(rows as ReplicaRow<N>[]);
  }

  /** Lays changes over the rows, in order: an upsert replaces by primary key, a delete removes. */
  apply(changes: readonly RowChange[]): void {
    for (const change of changes) {
      const row = change.row as AnyRow;
      if (change.op === 'upsert') this.#put(change.table, row);
      else this.#table(change.table).delete(row[keyColumn(change.table)]);
    }
  }

  rows<N extends TableName>(table: N): ReplicaRow<N>[] {
    return [...this.#table(table).values()] as ReplicaRow<N>[];
  }
}
