// The replica's DDL, derived from the table descriptors (which the catalogue test holds equal to the
// migrations). Three layers (ARCHITECTURE.md "Write path", STYLE.md #4): `synced.<t>_synced` that
// only sync writes, `overlay.<t>_overlay` that only optimistic mutations write, and views
// `public.<t>` named after the tables that merge the two; the app reads only the views.
// No foreign keys: shapes deliver rows table by table, and a replica legitimately holds rows whose
// referenced rows it may not see. Enums become text with a CHECK, so a replica needs no types.
import { syncedTables } from './catalogue';
import { isEnumType, syncedColumnNames, type Column, type Table } from './table';

/** Where each layer of the replica lives. */
export interface ReplicaSchemas {
  /** What sync (pglite-sync) writes: the server's rows as the user may see them. */
  readonly synced: string;
  /** Optimistic changes of mutations not yet settled, tagged with their mutation id. */
  readonly overlay: string;
  /** One view per synced table, named after it: synced rows with the overlay laid over them. */
  readonly views: string;
}

export const DEFAULT_REPLICA_SCHEMAS: ReplicaSchemas = {
  synced: 'synced',
  overlay: 'overlay',
  views: 'public',
};

export interface LocalSchemaOptions {
  readonly schemas?: Partial<ReplicaSchemas>;
}

/** The columns an overlay row has besides the table's own. */
export const OVERLAY_COLUMNS = {
  /** The mutation whose optimistic apply wrote the row; its receipt removes it. */
  mutationId: 'mutation_id',
  /** `upsert` lays the row over the synced one; `delete` hides the synced row. */
  op: 'op',
  /** Order of writing: for one primary key, the overlay row with the highest seq wins. */
  seq: 'seq',
} as const;

export const OVERLAY_OPS = ['upsert', 'delete'] as const;
export type OverlayOp = (typeof OVERLAY_OPS)[number];

/** The synced table sync writes receipts into; a receipt settles its mutation's overlay. */
export const RECEIPTS_TABLE = 'receipts';

// Each layer's relation has its own name, never the view's: PGlite's live queries (0.5.16,
// `live/index.js`) walk view dependencies by bare relation name, so a table sharing a view's name
// (in another schema) sends that walk into an endless recursion and every live query hangs.

/** The relation sync writes a table's rows into, in the synced schema (pglite-sync's `table`). */
export function syncedTableName(table: string): string {
  return `${table}_synced`;
}

/** The relation a table's optimistic rows go into, in the overlay schema. */
export function overlayTableName(table: string): string {
  return `${table}_overlay`;
}

export function replicaSchemas(options: LocalSchemaOptions = {}): ReplicaSchemas {
  return { ...DEFAULT_REPLICA_SCHEMAS, ...options.schemas };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

function columnDdl(name: string, column: Column): string {
  const type = isEnumType(column.type) ? 'text' : column.type;
  const notNull = column.nullable ? '' : ' NOT NULL';
  const check = isEnumType(column.type)
    ? ` CHECK (${quoteIdent(name)} IN (${column.type.values.map(quoteLiteral).join(', ')}))`
    : '';
  return `  ${quoteIdent(name)} ${type}${notNull}${check}`;
}

function columnsDdl(table: Table): string[] {
  return syncedColumnNames(table).map((name) => columnDdl(name, table.columns[name] as Column));
}

/** A table whose own columns collide with the overlay's bookkeeping cannot get an overlay. */
function assertNoOverlayClash(table: Table): void {
  for (const name of Object.values(OVERLAY_COLUMNS)) {
    if (name in table.columns)
      throw new Error(
        `table "${table.name}" has a column "${name}", which the replica's overlay tables use for ` +
          'their own bookkeeping; rename the column or OVERLAY_COLUMNS in schema/src/local-schema.ts',
      );
  }
}

export function localTableDdl(table: Table, schema: string): string {
  const lines = columnsDdl(table);
  lines.push(`  PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, syncedTableName(table.name))} (\n${lines.join(',\n')}\n);`;
}

function overlaySequence(schemas: ReplicaSchemas): string {
  return qualified(schemas.overlay, 'change_seq');
}

/** Same columns and constraints as the synced table, plus mutation id, op and seq (the key). */
export function overlayTableDdl(table: Table, schemas: ReplicaSchemas): string {
  assertNoOverlayClash(table);
  const { mutationId, op, seq } = OVERLAY_COLUMNS;
  const lines = columnsDdl(table);
  lines.push(
    `  ${quoteIdent(mutationId)} uuid NOT NULL`,
    `  ${quoteIdent(op)} text NOT NULL CHECK (${quoteIdent(op)} IN (${OVERLAY_OPS.map(quoteLiteral).join(', ')}))`,
    `  ${quoteIdent(seq)} bigint NOT NULL DEFAULT nextval(${quoteLiteral(overlaySequence(schemas))})`,
    `  PRIMARY KEY (${quoteIdent(seq)})`,
  );
  const name = qualified(schemas.overlay, overlayTableName(table.name));
  const keyIndex = quoteIdent(`${table.name}_by_key`);
  const mutationIndex = quoteIdent(`${table.name}_by_mutation`);
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (\n${lines.join(',\n')}\n);`,
    `CREATE INDEX IF NOT EXISTS ${keyIndex} ON ${name} (${[...table.primaryKey, seq].map(quoteIdent).join(', ')});`,
    `CREATE INDEX IF NOT EXISTS ${mutationIndex} ON ${name} (${quoteIdent(mutationId)});`,
  ].join('\n');
}

/**
 * The view the app reads: synced rows without an overlay row for their key, plus, per key, the
 * latest overlay row when it is an upsert. A latest `delete` hides the key altogether.
 */
export function mergedViewDdl(table: Table, schemas: ReplicaSchemas): string {
  const columns = syncedColumnNames(table).map(quoteIdent).join(', ');
  const key = table.primaryKey.map(quoteIdent);
  const sameKey = key.map((column) => `o.${column} = s.${column}`).join(' AND ');
  const { op, seq } = OVERLAY_COLUMNS;
  const synced = qualified(schemas.synced, syncedTableName(table.name));
  const overlay = qualified(schemas.overlay, overlayTableName(table.name));
  return (
    `CREATE OR REPLACE VIEW ${qualified(schemas.views, table.name)} AS\n` +
    `  SELECT ${columns} FROM ${synced} AS s\n` +
    `   WHERE NOT EXISTS (SELECT 1 FROM ${overlay} AS o WHERE ${sameKey})\n` +
    `  UNION ALL\n` +
    `  SELECT ${columns} FROM (\n` +
    `    SELECT DISTINCT ON (${key.join(', ')}) * FROM ${overlay}\n` +
    `     ORDER BY ${key.join(', ')}, ${quoteIdent(seq)} DESC\n` +
    `  ) AS o WHERE o.${quoteIdent(op)} = 'upsert';`
  );
}

/**
 * A receipt that reaches the synced receipts table settles its mutation: the trigger drops that
 * mutation's overlay rows (and only those) in the very transaction sync writes the receipt with, so
 * the confirmed rows and the end of the guess appear together.
 */
export function settleOverlayDdl(tables: readonly Table[], schemas: ReplicaSchemas): string {
  const fn = qualified(schemas.overlay, 'drop_settled_overlay');
  const deletes = tables
    .map(
      (table) =>
        `  DELETE FROM ${qualified(schemas.overlay, overlayTableName(table.name))} WHERE ${quoteIdent(OVERLAY_COLUMNS.mutationId)} = NEW."id";`,
    )
    .join('\n');
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n${deletes}\n  RETURN NULL;\nEND;\n$fn$;`,
    `CREATE OR REPLACE TRIGGER "settle_overlay" AFTER INSERT OR UPDATE ON ${qualified(schemas.synced, syncedTableName(RECEIPTS_TABLE))}\n` +
      `  FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
  ].join('\n');
}

export function localSchemaSql(options: LocalSchemaOptions = {}): string {
  const schemas = replicaSchemas(options);
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.synced)};`,
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.overlay)};`,
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.views)};`,
    `CREATE SEQUENCE IF NOT EXISTS ${overlaySequence(schemas)};`,
  ];
  for (const table of syncedTables) statements.push(localTableDdl(table, schemas.synced));
  for (const table of syncedTables) statements.push(overlayTableDdl(table, schemas));
  for (const table of syncedTables) statements.push(mergedViewDdl(table, schemas));
  statements.push(settleOverlayDdl(syncedTables, schemas));
  return statements.join('\n\n') + '\n';
}

/**
 * A short, stable fingerprint of the replica's DDL. A replica built under another fingerprint was
 * made by another app version and must be migrated or rebuilt (its outbox kept).
 */
export function localSchemaVersion(options: LocalSchemaOptions = {}): string {
  // FNV-1a, 32 bit: no crypto needed, only change detection.
  let hash = 0x811c9dc5;
  for (const char of localSchemaSql(options)) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
