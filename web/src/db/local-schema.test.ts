// Rules of the replica's own bookkeeping, on a real (in-memory) PGlite with the real localSchemaSql().
import { PGlite } from '@electric-sql/pglite';
import { localSchemaSql, localSchemaVersion, syncedTables } from '@hearth/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_META_SCHEMA,
  applyLocalSchema,
  countReplicaTables,
  dropTemplateDatabases,
} from './local-schema';

describe('local replica schema', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  }, 60_000);
  afterAll(async () => {
    await db.close();
  });

  it('a fresh replica gets one table per synced table, and bookkeeping is not counted', async () => {
    await applyLocalSchema(db, localSchemaSql(), localSchemaVersion());
    expect(await countReplicaTables(db)).toBe(syncedTables.length);
  });

  it('a version already applied is not applied again', async () => {
    // Would fail if executed: proves the recorded version short-circuits the DDL.
    await applyLocalSchema(db, 'select * from no_such_table;', localSchemaVersion());
    const versions = await db.query<{ version: string }>(
      `select version from ${LOCAL_META_SCHEMA}.applied_schema`,
    );
    expect(versions.rows).toEqual([{ version: localSchemaVersion() }]);
  });

  it('a failing DDL leaves no half-applied tables and records no version', async () => {
    const before = await countReplicaTables(db);
    await expect(
      applyLocalSchema(db, 'create table half_applied (id int); select * from no_such_table;', 'broken'),
    ).rejects.toThrow(/no_such_table/);
    expect(await countReplicaTables(db)).toBe(before);
    const broken = await db.query(
      `select 1 from ${LOCAL_META_SCHEMA}.applied_schema where version = 'broken'`,
    );
    expect(broken.rows).toEqual([]);
  });

  it('[RB3] the template databases are dropped once; the replica keeps its tables and rows', async () => {
    const tables = await countReplicaTables(db);
    await dropTemplateDatabases(db);
    await dropTemplateDatabases(db);
    const databases = await db.query<{ datname: string }>('select datname from pg_catalog.pg_database');
    expect(databases.rows).toEqual([{ datname: 'postgres' }]);
    expect(await countReplicaTables(db)).toBe(tables);
  });
});
