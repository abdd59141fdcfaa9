// What the engine needs to know about a table, read from the catalogue by the IO shell and passed in.
// Column order is the table's attribute order; row values are Postgres TEXT output (or null).

export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

export interface TableColumn {
  readonly name: string;
  /** `pg_type.typname`: `int4`, `text`, `timestamptz`, `_int4` (array), or a user type such as `mood`. */
  readonly type: string;
  /** A user-defined enum: usable in a where clause only as `col::text` (SE9). */
  readonly isEnum?: boolean;
}

export interface TableSchema extends TableRef {
  readonly columns: readonly TableColumn[];
  /** Primary-key columns in key order; empty when the table has none (then every column keys a row). */
  readonly primaryKey: readonly string[];
}

/** A row as pgoutput delivers it: column name -> text form, null for SQL NULL. */
export type Row = Readonly<Record<string, string | null>>;

/** `"schema"."name"` with embedded double quotes doubled: how Electric names a relation in messages. */
export function quoteRelation(table: TableRef): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
