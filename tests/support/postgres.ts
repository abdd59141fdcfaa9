// The pg tier's harness: `freshDatabase()` gives a test file its own, uniquely named database on the
// run's embedded Postgres (see ./postgres-global-setup), optionally with the real migrations applied.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { migrate } from '@hearth/sync-server/db/migrations';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the `postgres` database of the run's embedded Postgres. */
    postgresAdminUrl: string;
  }
}

export interface FreshDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  /** Closes the pool and drops the database (also kicks out connections the test left open). */
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return inject('postgresAdminUrl');
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the maintenance database (CREATE/DROP DATABASE cannot run in a pool tx). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<FreshDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  pool.on('error', () => undefined); // connections dropped by drop(): the test is over
  if (options.migrate) await migrate(pool, MIGRATIONS_DIR);
  let dropped = false;
  return {
    name,
    url,
    pool,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
