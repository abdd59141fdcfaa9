// What /healthz reports: ready only when the database answers and has every migration this code
// ships. Load balancers and the e2e harness wait on it.
import type pg from 'pg';
import { planMigrations, readAppliedMigrations, type MigrationFile } from '../db/migrations';

export type Health =
  | { ok: true; migrations: number }
  | { ok: false; database: 'ok' | 'unreachable'; migrations: number | null; message: string };

export async function checkHealth(pool: pg.Pool, files: readonly MigrationFile[]): Promise<Health> {
  let recorded;
  try {
    recorded = await readAppliedMigrations(pool);
  } catch (error) {
    return {
      ok: false,
      database: 'unreachable',
      migrations: null,
      message: `The database does not answer: ${(error as Error).message}`,
    };
  }
  const plan = planMigrations(files, recorded);
  if (!plan.ok)
    return { ok: false, database: 'ok', migrations: recorded.length, message: plan.error.message };
  if (plan.pending.length > 0) {
    return {
      ok: false,
      database: 'ok',
      migrations: plan.applied,
      message: `The database is not fully migrated: ${plan.pending.length} of ${files.length} migrations are pending.`,
    };
  }
  return { ok: true, migrations: plan.applied };
}
