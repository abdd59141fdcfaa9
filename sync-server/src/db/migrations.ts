// The migration runner: applies `schema/migrations/NNNN_name.sql` in order, each file in its own
// transaction together with its row in `schema_migrations`, under an advisory lock so two servers
// never race. It refuses to run when the recorded history and the files disagree.
// `planMigrations` is the pure core; `readMigrationFiles` and `migrate` are the IO shell.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import { MIGRATION_FILE_PATTERN } from '@hearth/schema/migrations';
import type { Logger } from '../log';

export interface MigrationFile {
  version: number;
  name: string;
  filename: string;
  sql: string;
  /** sha256 of the file's bytes, hex. */
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
}

/** Why the runner refused or stopped; `code` (from schema's ErrorCode) is the coarse, public part. */
export const MIGRATION_REASONS = {
  badFileName: 'bad_file_name',
  duplicateVersion: 'duplicate_version',
  gap: 'gap',
  outOfOrder: 'out_of_order',
  checksumMismatch: 'checksum_mismatch',
  nameMismatch: 'name_mismatch',
  missingFile: 'missing_file',
  databaseAhead: 'database_ahead',
  failed: 'failed',
} as const;
export type MigrationReason = (typeof MIGRATION_REASONS)[keyof typeof MIGRATION_REASONS];

export class MigrationError extends Error {
  readonly code: typeof ErrorCode.migrationFailed | typeof ErrorCode.migrationsDiverged;
  constructor(
    readonly reason: MigrationReason,
    /** The version the problem is about; null for a file that is not a migration at all. */
    readonly version: number | null,
    message: string,
  ) {
    super(message);
    this.code =
      reason === MIGRATION_REASONS.failed ? ErrorCode.migrationFailed : ErrorCode.migrationsDiverged;
  }
}

export type MigrationPlan =
  { ok: true; applied: number; pending: MigrationFile[] } | { ok: false; error: MigrationError };

export const pad = (version: number): string => String(version).padStart(4, '0');

/** Pure: which files still need applying, or why the history and the files disagree. */
export function planMigrations(
  files: readonly MigrationFile[],
  recorded: readonly AppliedMigration[],
): MigrationPlan {
  const refuse = (code: MigrationReason, version: number | null, message: string): MigrationPlan => ({
    ok: false,
    error: new MigrationError(code, version, message),
  });
  const sorted = [...files].sort((a, b) => a.version - b.version);
  const byVersion = new Map<number, MigrationFile>();
  for (const file of sorted) {
    const twin = byVersion.get(file.version);
    if (twin) {
      return refuse(
        MIGRATION_REASONS.duplicateVersion,
        file.version,
        `Two migration files share version ${pad(file.version)}: ${twin.filename} and ${file.filename}. ` +
          'Give the newer one the next free number.',
      );
    }
    byVersion.set(file.version, file);
  }
  const lastFile = sorted.at(-1)?.version ?? 0;

  // The recorded history first: it is what the database already is.
  const recordedSorted = [...recorded].sort((a, b) => a.version - b.version);
  for (const done of recordedSorted) {
    const file = byVersion.get(done.version);
    if (!file) {
      if (done.version > lastFile) {
        return refuse(
          MIGRATION_REASONS.databaseAhead,
          done.version,
          `The database has migration ${pad(done.version)}_${done.name} applied, but this code only knows ` +
            `migrations up to ${pad(lastFile)}: the database was migrated by a newer Hearth. Run that newer ` +
            'version, or restore a backup from before it.',
        );
      }
      return refuse(
        MIGRATION_REASONS.missingFile,
        done.version,
        `The database has migration ${pad(done.version)}_${done.name} applied, but ${pad(done.version)}_${done.name}.sql ` +
          'is missing from the migrations folder. Restore that file; applied migrations are never deleted.',
      );
    }
    if (file.checksum !== done.checksum) {
      return refuse(
        MIGRATION_REASONS.checksumMismatch,
        done.version,
        `${file.filename} changed after it was applied (recorded sha256 ${done.checksum.slice(0, 12)}…, file now ` +
          `${file.checksum.slice(0, 12)}…). Undo the edit and put the change in a new migration file.`,
      );
    }
    if (file.name !== done.name) {
      return refuse(
        MIGRATION_REASONS.nameMismatch,
        done.version,
        `Migration ${pad(done.version)} was applied as "${done.name}" but the file is now ${file.filename}. ` +
          `Rename it back to ${pad(done.version)}_${done.name}.sql.`,
      );
    }
  }

  // Then the files: numbered 1, 2, 3… with no holes.
  let expected = 1;
  for (const file of sorted) {
    if (file.version !== expected) {
      return refuse(
        MIGRATION_REASONS.gap,
        expected,
        expected === 1
          ? `Migrations must start at 0001, but the first file is ${file.filename}.`
          : `Migration ${pad(expected)} is missing: the files jump from ${pad(expected - 1)} to ${file.filename}. ` +
              'Renumber the files so they follow each other.',
      );
    }
    expected++;
  }

  const lastApplied = recordedSorted.at(-1)?.version ?? 0;
  const appliedVersions = new Set(recordedSorted.map((r) => r.version));
  const pending = sorted.filter((file) => !appliedVersions.has(file.version));
  const early = pending.find((file) => file.version < lastApplied);
  if (early) {
    return refuse(
      MIGRATION_REASONS.outOfOrder,
      early.version,
      `${early.filename} is not applied, but the later migration ${pad(lastApplied)} already is. ` +
        `New migrations must come after ${pad(lastApplied)}: rename it to ${pad(lastFile + 1)}_${early.name}.sql.`,
    );
  }
  return { ok: true, applied: recordedSorted.length, pending };
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads every `*.sql` file of `dir`; a `.sql` file whose name breaks the pattern is an error. */
export async function readMigrationFiles(dir: string | URL): Promise<MigrationFile[]> {
  const folder = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const names = (await fs.readdir(folder)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const filename of names) {
    const match = MIGRATION_FILE_PATTERN.exec(filename);
    if (!match) {
      throw new MigrationError(
        MIGRATION_REASONS.badFileName,
        null,
        `${path.join(folder, filename)} is not named like a migration. Name it NNNN_snake_name.sql, e.g. 0007_add_tickets.sql.`,
      );
    }
    const sql = await fs.readFile(path.join(folder, filename), 'utf8');
    files.push({ version: Number(match[1]), name: match[2]!, filename, sql, checksum: checksumOf(sql) });
  }
  return files;
}

/** An arbitrary fixed 64-bit key; what matters is that every Hearth uses the same one. */
export const MIGRATION_LOCK_KEY = '7522537947432069490';

const CREATE_HISTORY = `
  create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`;

export async function readAppliedMigrations(db: pg.Pool | pg.PoolClient): Promise<AppliedMigration[]> {
  const exists = await db.query<{ exists: boolean }>(
    `select to_regclass('schema_migrations') is not null as exists`,
  );
  if (!exists.rows[0]?.exists) return [];
  const { rows } = await db.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    'select version, name, checksum, applied_at from schema_migrations order by version',
  );
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    checksum: r.checksum,
    appliedAt: r.applied_at,
  }));
}

export interface MigrateResult {
  /** Every migration file, as read. */
  files: MigrationFile[];
  /** Migrations applied by this call, in order. */
  applied: MigrationFile[];
  /** Migrations the database has now. */
  total: number;
}

/** Brings the database up to the files in `dir`, or throws MigrationError with nothing half-applied. */
export async function migrate(pool: pg.Pool, dir: string | URL, log?: Logger): Promise<MigrateResult> {
  const files = await readMigrationFiles(dir);
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_HISTORY);
      const plan = planMigrations(files, await readAppliedMigrations(client));
      if (!plan.ok) throw plan.error;
      for (const file of plan.pending) {
        await applyOne(client, file);
        log?.info({ version: file.version, file: file.filename }, 'applied migration');
      }
      return { files, applied: plan.pending, total: plan.applied + plan.pending.length };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyOne(client: pg.PoolClient, file: MigrationFile): Promise<void> {
  await client.query('begin');
  try {
    // No parameters: the simple query protocol runs the whole multi-statement file.
    await client.query(file.sql);
    await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
      file.version,
      file.name,
      file.checksum,
    ]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    const { message, position } = error as { message: string; position?: string };
    const line = position === undefined ? null : file.sql.slice(0, Number(position)).split('\n').length;
    throw new MigrationError(
      MIGRATION_REASONS.failed,
      file.version,
      `${file.filename} failed${line === null ? '' : ` at line ${line}`}: ${message}. ` +
        `Nothing of ${pad(file.version)} was applied; fix the file and start again.`,
    );
  }
}
