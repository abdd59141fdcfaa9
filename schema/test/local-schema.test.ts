// The replica schema is derived, never hand-copied; these rules hold whatever tables are added.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  allTables,
  col,
  DEFAULT_REPLICA_SCHEMAS,
  defineTable,
  localSchemaSql,
  localSchemaVersion,
  media,
  mergedViewDdl,
  overlayTableDdl,
  overlayTableName,
  settleOverlayDdl,
  syncedColumnNames,
  syncedTableName,
  syncedTables,
  users,
  type MediaRow,
  type SyncedRow,
  type UserRow,
} from '../src';

describe('replica DDL', () => {
  it('[SC7] no server-only table reaches the replica schema', () => {
    const ddl = localSchemaSql();
    for (const table of allTables.filter((t) => t.sync === 'server-only')) {
      expect(ddl).not.toContain(`"${table.name}" (`);
      expect(ddl).not.toContain(`"${table.name}" AS`);
    }
  });

  it('[SC8] columns marked never-synced are left out of synced tables', () => {
    expect(syncedColumnNames(media)).not.toContain('storage_key');
    expect(localSchemaSql()).not.toContain('"storage_key"');
    expectTypeOf<MediaRow>().toHaveProperty('storage_key');
    // @ts-expect-error a replica's media row has no storage_key
    expect('storage_key' satisfies keyof SyncedRow<typeof media>).toBe('storage_key');
  });

  it('[SC9] enum columns become text limited to the enum labels', () => {
    expect(localSchemaSql()).toContain(
      `"site_role" text NOT NULL CHECK ("site_role" IN ('member', 'moderator'))`,
    );
    expectTypeOf<UserRow['site_role']>().toEqualTypeOf<'member' | 'moderator'>();
  });

  it('[SC10] the schema fingerprint is stable and follows the DDL', () => {
    expect(localSchemaVersion()).toBe(localSchemaVersion());
    expect(localSchemaVersion()).toMatch(/^[0-9a-f]{8}$/);
    expect(localSchemaVersion({ schemas: { synced: 'other' } })).not.toBe(localSchemaVersion());
  });

  it('[SC11] identifiers are quoted, so reserved words and mixed case are safe', () => {
    expect(localSchemaSql({ schemas: { synced: 'My "Replica"' } })).toContain(
      'CREATE SCHEMA IF NOT EXISTS "My ""Replica""";',
    );
  });
});

describe('replica layers: synced, overlay, views', () => {
  const schemas = DEFAULT_REPLICA_SCHEMAS;

  it('[SC13] synced tables live in their own schema, which the app never reads directly', () => {
    const ddl = localSchemaSql();
    for (const table of syncedTables)
      expect(ddl).toContain(`CREATE TABLE IF NOT EXISTS "synced"."${table.name}_synced" (`);
  });

  it('[SC14] each synced table has an overlay table: same columns, then mutation_id, op and seq as key', () => {
    const ddl = overlayTableDdl(users, schemas);
    const body = ddl.slice(ddl.indexOf('(') + 1, ddl.indexOf('\n);'));
    const declared = body
      .split(',\n')
      .map((line) => line.trim().split(' ')[0])
      .filter((word) => word !== 'PRIMARY');
    expect(declared).toEqual(
      [...syncedColumnNames(users), 'mutation_id', 'op', 'seq'].map((name) => `"${name}"`),
    );
    expect(ddl).toContain(`"op" text NOT NULL CHECK ("op" IN ('upsert', 'delete'))`);
    expect(ddl).toContain('PRIMARY KEY ("seq")');
    expect(ddl).toContain(
      'CREATE INDEX IF NOT EXISTS "users_by_mutation" ON "overlay"."users_overlay" ("mutation_id");',
    );
    for (const table of syncedTables)
      expect(localSchemaSql()).toContain(`"overlay"."${table.name}_overlay" (`);
  });

  it('[SC15] each synced table has a view named after it that lays the latest overlay row per key over it', () => {
    const view = mergedViewDdl(users, schemas);
    const columns = syncedColumnNames(users)
      .map((name) => `"${name}"`)
      .join(', ');
    expect(view).toContain('CREATE OR REPLACE VIEW "public"."users" AS');
    expect(view).toContain(`SELECT ${columns} FROM "synced"."users_synced" AS s`);
    expect(view).toContain(
      'WHERE NOT EXISTS (SELECT 1 FROM "overlay"."users_overlay" AS o WHERE o."id" = s."id")',
    );
    expect(view).toContain('SELECT DISTINCT ON ("id") * FROM "overlay"."users_overlay"');
    expect(view).toContain('ORDER BY "id", "seq" DESC');
    expect(view).toContain(`WHERE o."op" = 'upsert'`);
    for (const table of syncedTables)
      expect(localSchemaSql()).toContain(`CREATE OR REPLACE VIEW "public"."${table.name}" AS`);
  });

  it('[SC16] a composite primary key is matched column by column', () => {
    const pair = defineTable({
      name: 'pairs',
      sync: 'synced',
      primaryKey: ['a', 'b'],
      columns: { a: col.uuid(), b: col.text(), note: col.text().orNull() },
    });
    const view = mergedViewDdl(pair, schemas);
    expect(view).toContain('WHERE o."a" = s."a" AND o."b" = s."b"');
    expect(view).toContain('DISTINCT ON ("a", "b")');
    expect(overlayTableDdl(pair, schemas)).toContain('ON "overlay"."pairs_overlay" ("a", "b", "seq")');
  });

  it("[SC17] a receipt drops its own mutation's overlay rows from every overlay table", () => {
    const ddl = settleOverlayDdl(syncedTables, schemas);
    for (const table of syncedTables)
      expect(ddl).toContain(`DELETE FROM "overlay"."${table.name}_overlay" WHERE "mutation_id" = NEW."id";`);
    expect(ddl).toContain('AFTER INSERT OR UPDATE ON "synced"."receipts_synced"');
    expect(localSchemaSql()).toContain(ddl);
  });

  it('[SC19] no synced or overlay relation shares its name with a view (live queries walk views by name)', () => {
    const names = syncedTables.map((table) => table.name);
    const layers = syncedTables.flatMap((table) => [
      syncedTableName(table.name),
      overlayTableName(table.name),
    ]);
    expect(layers.filter((name) => names.includes(name))).toEqual([]);
  });

  it('[SC18] a table whose column clashes with the overlay bookkeeping is refused with a clear message', () => {
    const clash = defineTable({
      name: 'ops',
      sync: 'synced',
      primaryKey: ['id'],
      columns: { id: col.uuid(), op: col.text() },
    });
    expect(() => overlayTableDdl(clash, schemas)).toThrow(/table "ops" has a column "op"/);
  });
});
