// Reads what a shape needs to know about its table from the Postgres catalogue (SPEC.md SE1, SE37,
// SE50): columns in attribute order with their type names, the primary key, and the `electric-schema`
// header. The pure part (`schemaHeader`, `sameColumns`) is split out so it is tested without IO.
import type pg from 'pg';
import type { TableRef, TableSchema } from '../table-schema';
import type { Relation } from '../replication/transactions';

/** One column as the catalogue describes it. */
export interface CatalogColumn {
  readonly name: string;
  /** `pg_type.typname` of the column: `_int4` for int4[], `mood` for an enum. */
  readonly typeName: string;
  /** For arrays, the element's typname (`int4`); otherwise the column's own. */
  readonly elementType: string;
  readonly isArray: boolean;
  readonly isEnum: boolean;
  /** `pg_attribute.attndims`: declared dimensions of an array column (0 when not declared). */
  readonly dims: number;
  readonly notNull: boolean;
  /** `pg_attribute.atttypmod`, -1 when none. */
  readonly typeMod: number;
}

export interface TableInfo {
  readonly oid: number;
  readonly schema: TableSchema;
  readonly columns: readonly CatalogColumn[];
}

interface ColumnRow {
  oid: string;
  attname: string;
  typname: string;
  typtype: string;
  is_array: boolean;
  elemname: string | null;
  elemtype: string | null;
  attndims: number;
  attnotnull: boolean;
  atttypmod: number;
  pk_position: number | null;
}

/** The table's columns and key; undefined when no ordinary or partitioned table has that name. */
export async function loadTable(db: Pick<pg.Pool, 'query'>, ref: TableRef): Promise<TableInfo | undefined> {
  const { rows } = await db.query<ColumnRow>(
    `select c.oid::int8::text as oid, a.attname, t.typname, t.typtype,
            (t.typcategory = 'A' and t.typelem <> 0) as is_array,
            e.typname as elemname, e.typtype as elemtype,
            a.attndims, a.attnotnull, a.atttypmod,
            array_position(i.indkey::int2[], a.attnum) as pk_position
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
       join pg_type t on t.oid = a.atttypid
       left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
       left join pg_index i on i.indrelid = c.oid and i.indisprimary
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')
      order by a.attnum`,
    [ref.schema, ref.name],
  );
  const first = rows[0];
  if (!first) return undefined;
  const columns: CatalogColumn[] = rows.map((r) => ({
    name: r.attname,
    typeName: r.typname,
    elementType: r.is_array ? (r.elemname ?? r.typname) : r.typname,
    isArray: r.is_array,
    isEnum: r.typtype === 'e',
    dims: r.attndims,
    notNull: r.attnotnull,
    typeMod: r.atttypmod,
  }));
  const primaryKey = rows
    .filter((r) => r.pk_position !== null)
    .sort((a, b) => (a.pk_position as number) - (b.pk_position as number))
    .map((r) => r.attname);
  return {
    oid: Number(first.oid),
    columns,
    schema: {
      schema: ref.schema,
      name: ref.name,
      primaryKey,
      columns: columns.map((c) => ({
        name: c.name,
        type: c.typeName,
        ...(c.isEnum ? { isEnum: true } : {}),
      })),
    },
  };
}

/**
 * `electric-schema` for the selected columns (SE37), as Electric writes it: `type` (the element type
 * for arrays) and `dims`, `pk_index`, `not_null: true`, and the type modifiers Postgres keeps in
 * `atttypmod` (`max_length`, `length`, `precision`, `scale`, `fields`, else `type_mod`).
 * Non-ASCII characters (column and enum names) are `\uXXXX`-escaped: an HTTP header holds no UTF-8,
 * and the client reads the same names back with JSON.parse.
 */
export function schemaHeader(table: TableInfo, selected: readonly string[]): string {
  const wanted = new Set(selected);
  const out: Record<string, Record<string, unknown>> = {};
  for (const column of table.columns) {
    if (!wanted.has(column.name)) continue;
    const entry: Record<string, unknown> = { type: column.elementType };
    if (column.isArray) entry.dims = Math.max(column.dims, 1);
    const pkIndex = table.schema.primaryKey.indexOf(column.name);
    if (pkIndex >= 0) entry.pk_index = pkIndex;
    if (column.notNull) entry.not_null = true;
    Object.assign(entry, typeModifiers(column.elementType, column.typeMod));
    out[column.name] = entry;
  }
  return JSON.stringify(out).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const INTERVAL_FIELDS: Readonly<Record<number, string>> = {
  // Postgres' INTERVAL_MASK bits (datetime.h): YEAR 4, MONTH 2, DAY 3, HOUR 10, MINUTE 11, SECOND 12.
  [1 << 2]: 'YEAR',
  [1 << 1]: 'MONTH',
  [1 << 3]: 'DAY',
  [1 << 10]: 'HOUR',
  [1 << 11]: 'MINUTE',
  [1 << 12]: 'SECOND',
  [(1 << 2) | (1 << 1)]: 'YEAR TO MONTH',
  [(1 << 3) | (1 << 10)]: 'DAY TO HOUR',
  [(1 << 3) | (1 << 10) | (1 << 11)]: 'DAY TO MINUTE',
  [(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12)]: 'DAY TO SECOND',
  [(1 << 10) | (1 << 11)]: 'HOUR TO MINUTE',
  [(1 << 10) | (1 << 11) | (1 << 12)]: 'HOUR TO SECOND',
  [(1 << 11) | (1 << 12)]: 'MINUTE TO SECOND',
};

export function typeModifiers(type: string, typeMod: number): Record<string, unknown> {
  if (typeMod < 0) return {};
  switch (type) {
    case 'varchar':
      return { max_length: typeMod - 4 };
    case 'bpchar':
      return { length: typeMod - 4 };
    case 'bit':
      return { length: typeMod };
    case 'varbit':
      return { max_length: typeMod };
    case 'numeric': {
      const mod = typeMod - 4;
      return { precision: (mod >> 16) & 0xffff, scale: mod & 0xffff };
    }
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
      return { precision: typeMod };
    case 'interval': {
      const precision = typeMod & 0xffff;
      const fields = INTERVAL_FIELDS[(typeMod >> 16) & 0x7fff];
      return { ...(fields ? { fields } : {}), ...(precision !== 0xffff ? { precision } : {}) };
    }
    default:
      return { type_mod: typeMod };
  }
}

/**
 * Whether a Relation message describes the table a shape was built on (SE50): same columns in order
 * with the same types, same primary key. Anything else is a schema change: the shape rotates.
 */
export function sameColumns(table: TableSchema, relation: Relation): boolean {
  return (
    relation.columns.length === table.columns.length &&
    relation.columns.every((c, i) => {
      const mine = table.columns[i];
      return mine !== undefined && mine.name === c.name && mine.type === c.typeName;
    }) &&
    relation.keyColumns.length === table.primaryKey.length &&
    relation.keyColumns.every((k, i) => k === table.primaryKey[i])
  );
}

/** Whether two catalogue reads describe the same table: columns, types, enum flags, key. */
export function sameTable(a: TableSchema, b: TableSchema): boolean {
  return (
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => {
      const d = b.columns[i];
      return (
        d !== undefined && c.name === d.name && c.type === d.type && Boolean(c.isEnum) === Boolean(d.isEnum)
      );
    }) &&
    a.primaryKey.length === b.primaryKey.length &&
    a.primaryKey.every((k, i) => k === b.primaryKey[i])
  );
}
