import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import {
  MIGRATION_REASONS,
  MIGRATION_LOCK_KEY,
  MigrationError,
  migrate,
  readAppliedMigrations,
  readMigrationFiles,
} from './migrations';

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fixture folder of migration files: name -> SQL. */
function fixture(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-migrations-'));
  fixtures.push(dir);
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

async function tables(db: FreshDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' order by 1`,
  );
  return rows.map((r) => r.name);
}

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe('migrate (against a real Postgres)', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.drop());

  const dir = fixture({
    '0001_people.sql': 'create table people (id int primary key);\ncreate table pets (id int primary key);\n',
    '0002_places.sql': 'create table places (id int primary key);',
  });

  it('[MG1] applies the files in order and records version, name, checksum and time', async () => {
    const result = await migrate(db.pool, dir);
    expect(result.applied.map((f) => f.filename)).toEqual(['0001_people.sql', '0002_places.sql']);
    expect(result.total).toBe(2);
    expect(await tables(db)).toEqual(['people', 'pets', 'places', 'schema_migrations']);
    const recorded = await readAppliedMigrations(db.pool);
    const files = await readMigrationFiles(dir);
    expect(recorded.map((r) => [r.version, r.name, r.checksum])).toEqual(
      files.map((f) => [f.version, f.name, f.checksum]),
    );
    expect(recorded.every((r) => r.appliedAt instanceof Date)).toBe(true);
  });

  it('[MG12] a second run applies nothing', async () => {
    expect(await migrate(db.pool, dir)).toMatchObject({ applied: [], total: 2 });
  });

  it('[MG10] a failing migration leaves nothing half-applied and records nothing', async () => {
    const grown = fixture({
      '0001_people.sql': fs.readFileSync(path.join(dir, '0001_people.sql'), 'utf8'),
      '0002_places.sql': fs.readFileSync(path.join(dir, '0002_places.sql'), 'utf8'),
      '0003_broken.sql': 'create table broken_first (id int);\n\ninsert into nowhere values (1);\n',
    });
    const error = await rejection(migrate(db.pool, grown));
    expect(error.reason).toBe(MIGRATION_REASONS.failed);
    expect(error.code).toBe(ErrorCode.migrationFailed);
    expect(error.version).toBe(3);
    expect(error.message).toContain('0003_broken.sql failed at line 3');
    expect(error.message).toContain('relation "nowhere" does not exist');
    expect(error.message).toContain('Nothing of 0003 was applied');
    expect(await tables(db)).not.toContain('broken_first');
    expect((await readAppliedMigrations(db.pool)).map((r) => r.version)).toEqual([1, 2]);
  });

  it('[MG2] refuses to run when an applied file was edited, and changes nothing', async () => {
    const edited = fixture({
      '0001_people.sql': 'create table people (id bigint primary key);',
      '0002_places.sql': fs.readFileSync(path.join(dir, '0002_places.sql'), 'utf8'),
      '0003_more.sql': 'create table more (id int);',
    });
    const error = await rejection(migrate(db.pool, edited));
    expect(error.reason).toBe(MIGRATION_REASONS.checksumMismatch);
    expect(error.message).toContain('0001_people.sql changed after it was applied');
    expect(await tables(db)).not.toContain('more');
  });

  it('[MG5] refuses a database that is ahead of the code', async () => {
    const older = fixture({ '0001_people.sql': fs.readFileSync(path.join(dir, '0001_people.sql'), 'utf8') });
    const error = await rejection(migrate(db.pool, older));
    expect(error.reason).toBe(MIGRATION_REASONS.databaseAhead);
  });

  it('[MG9] refuses a .sql file not named NNNN_snake_name.sql', async () => {
    const bad = fixture({ '0001_people.sql': 'select 1;', 'add-tickets.sql': 'select 1;' });
    const error = await rejection(migrate(db.pool, bad));
    expect(error.reason).toBe(MIGRATION_REASONS.badFileName);
    expect(error.message).toContain('add-tickets.sql is not named like a migration');
  });
});

describe('migrate with runners racing', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.drop());

  it('[MG11] two runners at once apply each migration exactly once', async () => {
    // A plain CREATE TABLE fails the second time, so a double apply cannot go unnoticed.
    const dir = fixture({
      '0001_a.sql': 'create table a (id int);',
      '0002_b.sql': 'create table b (id int);',
    });
    // Hold the runners' lock so both are surely inside migrate() at once, then let them go.
    const holder = await db.pool.connect();
    await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const runs = Promise.all([migrate(db.pool, dir), migrate(db.pool, dir)]);
    await waitFor(async () => {
      const { rows } = await holder.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`,
      );
      return rows[0]?.waiting === 2;
    });
    await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    holder.release();
    const results = await runs;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
    expect((await readAppliedMigrations(db.pool)).map((r) => r.version)).toEqual([1, 2]);
  });
});

/** Polls a condition that an event in another session makes true (here: lock waits in pg_locks). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

describe('the real migrations of schema/', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.drop());

  it('[MG1] apply cleanly to an empty database, and a second run applies nothing', async () => {
    const files = await readMigrationFiles(MIGRATIONS_DIR);
    expect((await migrate(db.pool, MIGRATIONS_DIR)).total).toBe(files.length);
    expect((await migrate(db.pool, MIGRATIONS_DIR)).applied).toEqual([]);
  });
});
