// Reads a database's catalogue into the same shape as the table descriptors, so that tests can
// compare what the migrations made with what the TypeScript contract says.
export interface CatalogueColumn {
  name: string;
  /** format_type() for base types, the enum's name for enums. */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

export interface CatalogueTable {
  name: string;
  columns: CatalogueColumn[];
  primaryKey: string[];
}

export interface Catalogue {
  tables: Map<string, CatalogueTable>;
  enums: Map<string, string[]>;
}

export type RunQuery = <Row>(sql: string) => Promise<Row[]>;

export async function readCatalogue(query: RunQuery, schema = 'public'): Promise<Catalogue> {
  const columns = await query<{
    table_name: string;
    column_name: string;
    column_type: string;
    is_enum: boolean;
    not_null: boolean;
    has_default: boolean;
  }>(`
    SELECT c.relname AS table_name, a.attname AS column_name,
           format_type(a.atttypid, a.atttypmod) AS column_type, t.typtype = 'e' AS is_enum,
           a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS has_default
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
     WHERE n.nspname = '${schema}' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`);
  const primaryKeys = await query<{ table_name: string; column_name: string }>(`
    SELECT c.relname AS table_name, a.attname AS column_name
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE i.indisprimary AND n.nspname = '${schema}'
     ORDER BY c.relname, k.ord`);
  const enumLabels = await query<{ enum_name: string; label: string }>(`
    SELECT t.typname AS enum_name, e.enumlabel AS label
      FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = '${schema}'
     ORDER BY t.typname, e.enumsortorder`);

  const tables = new Map<string, CatalogueTable>();
  for (const row of columns) {
    const table = tables.get(row.table_name) ?? { name: row.table_name, columns: [], primaryKey: [] };
    table.columns.push({
      name: row.column_name,
      type: row.column_type,
      nullable: !row.not_null,
      hasDefault: row.has_default,
    });
    tables.set(row.table_name, table);
  }
  for (const row of primaryKeys) tables.get(row.table_name)?.primaryKey.push(row.column_name);
  const enums = new Map<string, string[]>();
  for (const row of enumLabels) enums.set(row.enum_name, [...(enums.get(row.enum_name) ?? []), row.label]);
  return { tables, enums };
}
