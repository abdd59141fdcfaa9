// The migrations are the truth; the TypeScript descriptors (and the row types and replica DDL derived
// from them) must say exactly the same thing. Applied to PGlite, as the replica runs it.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allTables,
  isEnumType,
  localSchemaSql,
  MIGRATION_FILE_PATTERN,
  MIGRATIONS_DIR,
  overlayTableName,
  syncedColumnNames,
  syncedTableName,
  syncedTables,
  type Table,
} from '../src';
import { freshDatabase } from '../../tests/support/postgres';
import { readCatalogue, type Catalogue, type CatalogueTable } from './catalogue';

/** The migration runner's own bookkeeping table: not part of the data model. */
const RUNNER_TABLE = 'schema_migrations';

function migrationFiles(): string[] {
  const dir = fileURLToPath(MIGRATIONS_DIR);
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE_PATTERN.test(file))
    .sort()
    .map((file) => readFileSync(dir + file, 'utf8'));
}

function describeTable(table: Table): CatalogueTable {
  return {
    name: table.name,
    columns: Object.entries(table.columns).map(([name, column]) => ({
      name,
      type: isEnumType(column.type) ? column.type.name : column.type,
      nullable: column.nullable,
      hasDefault: column.hasDefault,
    })),
    primaryKey: [...table.primaryKey],
  };
}

async function catalogueOf(db: PGlite, schema = 'public'): Promise<Catalogue> {
  return readCatalogue(async <Row>(sql: string) => (await db.query<Row>(sql)).rows, schema);
}

let server: Catalogue;
let replica: Catalogue;
let overlay: Catalogue;
let views: Map<string, string[]>;

/** The replica's layers, kept apart from the server tables in `public` of the same database. */
const REPLICA_SCHEMAS = { synced: 'replica', overlay: 'replica_overlay', views: 'replica_views' };

async function viewColumnsOf(db: PGlite, schema: string): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ view: string; column: string }>(
    `select c.relname as view, a.attname as column from pg_attribute a
       join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'v' and a.attnum > 0 order by c.relname, a.attnum`,
    [schema],
  );
  const columns = new Map<string, string[]>();
  for (const row of rows) columns.set(row.view, [...(columns.get(row.view) ?? []), row.column]);
  return columns;
}
let production: Catalogue;

beforeAll(async () => {
  const db = await PGlite.create();
  for (const sql of migrationFiles()) await db.exec(sql);
  server = await catalogueOf(db);
  await db.exec(localSchemaSql({ schemas: REPLICA_SCHEMAS }));
  replica = await catalogueOf(db, REPLICA_SCHEMAS.synced);
  overlay = await catalogueOf(db, REPLICA_SCHEMAS.overlay);
  views = await viewColumnsOf(db, REPLICA_SCHEMAS.views);
  await db.close();

  // The same migrations through the real runner on the real Postgres the server runs.
  const database = await freshDatabase({ migrate: true });
  try {
    production = await readCatalogue(
      async <Row>(sql: string) => (await database.pool.query(sql)).rows as Row[],
    );
    production.tables.delete(RUNNER_TABLE);
  } finally {
    await database.drop();
  }
});

describe('the migrations and the table descriptors', () => {
  it('[SC1] every table in the database has a descriptor with a sync class, and no descriptor is missing its table', () => {
    expect([...server.tables.keys()].sort()).toEqual(allTables.map((table) => table.name).sort());
  });

  it.each(allTables.map((table) => [table.name, table] as const))(
    '[SC2] %s: columns, types, nullability, defaults and primary key match',
    (name, table) => {
      expect(server.tables.get(name)).toEqual(describeTable(table));
    },
  );

  it('[SC3] every enum type has exactly the labels its descriptor lists, in order', () => {
    const described = new Map<string, readonly string[]>();
    for (const table of allTables) {
      for (const column of Object.values(table.columns)) {
        if (isEnumType(column.type)) described.set(column.type.name, column.type.values);
      }
    }
    expect(new Map([...described].sort())).toEqual(new Map([...server.enums].sort()));
  });

  it('[SC4] every table has a primary key and every synced key is a client-made uuid or a natural key', () => {
    for (const table of allTables) expect(table.primaryKey.length, table.name).toBeGreaterThan(0);
  });
});

describe('the server Postgres', () => {
  it('[SC12] the migration runner on the server Postgres makes the same catalogue as PGlite', () => {
    expect(production).toEqual(server);
  });
});

describe('the replica schema derived from the descriptors', () => {
  it('[SC5] holds exactly the synced tables', () => {
    expect([...replica.tables.keys()].sort()).toEqual(
      syncedTables.map((table) => syncedTableName(table.name)).sort(),
    );
  });

  it.each(syncedTables.map((table) => [table.name, table] as const))(
    '[SC6] %s: has the synced columns with the server nullability and primary key',
    (name, table) => {
      const local = replica.tables.get(syncedTableName(name));
      const remote = server.tables.get(name);
      const synced = syncedColumnNames(table);
      expect(local?.columns.map((column) => column.name)).toEqual(synced);
      expect(local?.columns.map((column) => column.nullable)).toEqual(
        synced.map((column) => remote?.columns.find((c) => c.name === column)?.nullable),
      );
      expect(local?.primaryKey).toEqual(remote?.primaryKey);
    },
  );

  it.each(syncedTables.map((table) => [table.name, table] as const))(
    '[SC14] %s: its overlay table has the synced columns, then mutation_id, op and seq',
    (name, table) => {
      const local = overlay.tables.get(overlayTableName(name));
      expect(local?.columns.map((column) => column.name)).toEqual([
        ...syncedColumnNames(table),
        'mutation_id',
        'op',
        'seq',
      ]);
      expect(local?.primaryKey).toEqual(['seq']);
    },
  );

  it('[SC15] the app reads one view per synced table, named after it, with exactly the synced columns', () => {
    expect([...views.keys()].sort()).toEqual(syncedTables.map((table) => table.name).sort());
    for (const table of syncedTables)
      expect(views.get(table.name), table.name).toEqual(syncedColumnNames(table));
  });
});
