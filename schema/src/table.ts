// Typed descriptors of the tables the SQL migrations create. The migrations are the truth; these
// descriptors mirror them, row types are inferred from the descriptors, and
// `schema/test/catalogue.pg.test.ts` fails when the two drift apart.

/** Postgres types used by Hearth's tables, as `format_type()` spells them. */
export type PgType =
  | 'uuid'
  | 'text'
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'boolean'
  | 'timestamp with time zone'
  | 'jsonb'
  | 'bytea'
  | 'inet'
  | 'character(3)';

/** How a value of each type looks in Hearth's rows: the text forms of the wire, not driver objects. */
interface PgTypeValue {
  uuid: string;
  text: string;
  smallint: number;
  integer: number;
  /** Postgres text form: int8 does not fit a JS number. */
  bigint: string;
  boolean: boolean;
  /** ISO 8601 with offset. */
  'timestamp with time zone': string;
  jsonb: unknown;
  bytea: Uint8Array;
  inet: string;
  'character(3)': string;
}

export interface PgEnum<Values extends readonly string[] = readonly string[]> {
  readonly name: string;
  readonly values: Values;
}

export function pgEnum<const Values extends readonly [string, ...string[]]>(
  name: string,
  values: Values,
): PgEnum<Values> {
  return { name, values };
}

export interface Column<Value = unknown, ServerOnly extends boolean = boolean> {
  readonly type: PgType | PgEnum;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  /** Never leaves the server, even when its table syncs (e.g. a storage path). */
  readonly serverOnly: ServerOnly;
  /** Phantom: carries the TypeScript value type. */
  readonly __value?: Value;
}

class ColumnBuilder<Value, ServerOnly extends boolean = false> implements Column<Value, ServerOnly> {
  declare readonly __value?: Value;
  constructor(
    readonly type: PgType | PgEnum,
    readonly nullable: boolean,
    readonly hasDefault: boolean,
    readonly serverOnly: ServerOnly,
  ) {}

  orNull(): ColumnBuilder<Value | null, ServerOnly> {
    return new ColumnBuilder(this.type, true, this.hasDefault, this.serverOnly);
  }
  defaulted(): ColumnBuilder<Value, ServerOnly> {
    return new ColumnBuilder(this.type, this.nullable, true, this.serverOnly);
  }
  neverSynced(): ColumnBuilder<Value, true> {
    return new ColumnBuilder(this.type, this.nullable, this.hasDefault, true);
  }
}

function of<T extends PgType>(type: T): ColumnBuilder<PgTypeValue[T]> {
  return new ColumnBuilder<PgTypeValue[T]>(type, false, false, false);
}

/** Column constructors, named after the SQL types they stand for. */
export const col = {
  uuid: () => of('uuid'),
  text: () => of('text'),
  smallint: () => of('smallint'),
  integer: () => of('integer'),
  bigint: () => of('bigint'),
  boolean: () => of('boolean'),
  timestamptz: () => of('timestamp with time zone'),
  jsonb: () => of('jsonb'),
  bytea: () => of('bytea'),
  inet: () => of('inet'),
  currency: () => of('character(3)'),
  enum: <E extends PgEnum>(pgEnum: E) => new ColumnBuilder<E['values'][number]>(pgEnum, false, false, false),
};

/**
 * synced: rows reach replicas through shapes (which rows, the gateway decides per session).
 * server-only: never leaves the server (credentials, sessions, Yjs update logs, keys, audit).
 */
export type SyncClass = 'synced' | 'server-only';

export type Columns = Record<string, Column>;

export interface Table<Name extends string = string, C extends Columns = Columns> {
  readonly name: Name;
  readonly sync: SyncClass;
  readonly primaryKey: readonly string[];
  readonly columns: C;
}

export function defineTable<const Name extends string, const C extends Columns>(table: {
  name: Name;
  sync: SyncClass;
  primaryKey: readonly (keyof C & string)[];
  columns: C;
}): Table<Name, C> {
  return table;
}

type ValueOf<C> = C extends Column<infer V, boolean> ? V : never;

/** A full row as the server's database holds it. */
export type Row<T extends Table> = { [K in keyof T['columns']]: ValueOf<T['columns'][K]> };

type SyncedKeys<C extends Columns> = {
  [K in keyof C]: C[K] extends { serverOnly: true } ? never : K;
}[keyof C];

/** A row as a replica holds it: without the columns that never sync. */
export type SyncedRow<T extends Table> = Pick<Row<T>, SyncedKeys<T['columns']> & keyof Row<T>>;

/** Names of the columns that may reach a replica, in declaration order. */
export function syncedColumnNames(table: Table): string[] {
  return Object.entries(table.columns)
    .filter(([, column]) => !column.serverOnly)
    .map(([name]) => name);
}

export function isEnumType(type: PgType | PgEnum): type is PgEnum {
  return typeof type === 'object';
}
