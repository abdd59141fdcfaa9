// The replica's DDL, derived from the table descriptors (which the catalogue test holds equal to the
// migrations): one table per synced table, with only the columns that may leave the server.
// No foreign keys: shapes deliver rows table by table, and a replica legitimately holds rows whose
// referenced rows it may not see. Enums become text with a CHECK, so a replica needs no types.
import { syncedTables } from './catalogue';
import { isEnumType, syncedColumnNames, type Column, type Table } from './table';

export interface LocalSchemaOptions {
  /** Postgres schema the synced tables live in on the replica. */
  readonly schema?: string;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function columnDdl(name: string, column: Column): string {
  const type = isEnumType(column.type) ? 'text' : column.type;
  const notNull = column.nullable ? '' : ' NOT NULL';
  const check = isEnumType(column.type)
    ? ` CHECK (${quoteIdent(name)} IN (${column.type.values.map(quoteLiteral).join(', ')}))`
    : '';
  return `  ${quoteIdent(name)} ${type}${notNull}${check}`;
}

export function localTableDdl(table: Table, schema: string): string {
  const lines = syncedColumnNames(table).map((name) => columnDdl(name, table.columns[name] as Column));
  lines.push(`  PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.${quoteIdent(table.name)} (\n${lines.join(',\n')}\n);`;
}

export function localSchemaSql(options: LocalSchemaOptions = {}): string {
  const schema = options.schema ?? 'public';
  const statements = [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};`];
  for (const table of syncedTables) statements.push(localTableDdl(table, schema));
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
