import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import {
  checksumOf,
  MIGRATION_REASONS,
  planMigrations,
  type AppliedMigration,
  type MigrationFile,
  type MigrationPlan,
} from './migrations';

const file = (version: number, name = `step_${version}`, sql = `-- ${name}\n`): MigrationFile => ({
  version,
  name,
  filename: `${String(version).padStart(4, '0')}_${name}.sql`,
  sql,
  checksum: checksumOf(sql),
});
const applied = (f: MigrationFile): AppliedMigration => ({
  version: f.version,
  name: f.name,
  checksum: f.checksum,
  appliedAt: new Date(0),
});

function refusal(plan: MigrationPlan) {
  if (plan.ok) throw new Error('expected a refusal');
  return plan.error;
}

describe('planMigrations', () => {
  const [one, two, three] = [file(1), file(2), file(3)];

  it('[MG1] applies the unapplied files in version order, after the applied ones', () => {
    const plan = planMigrations([three, one, two], [applied(one)]);
    expect(plan).toEqual({ ok: true, applied: 1, pending: [two, three] });
  });

  it('[MG12] plans nothing when every file is applied', () => {
    expect(planMigrations([one, two], [applied(two), applied(one)])).toEqual({
      ok: true,
      applied: 2,
      pending: [],
    });
  });

  it('[MG1] plans every file on an empty database, and nothing for no files', () => {
    expect(planMigrations([one, two], [])).toEqual({ ok: true, applied: 0, pending: [one, two] });
    expect(planMigrations([], [])).toEqual({ ok: true, applied: 0, pending: [] });
  });

  it('[MG2] refuses an applied migration whose file changed, naming it and both checksums', () => {
    const edited = file(2, 'step_2', '-- edited\n');
    const error = refusal(planMigrations([one, edited], [applied(one), applied(two)]));
    expect(error.reason).toBe(MIGRATION_REASONS.checksumMismatch);
    expect(error.code).toBe(ErrorCode.migrationsDiverged);
    expect(error.version).toBe(2);
    expect(error.message).toContain('0002_step_2.sql changed after it was applied');
    expect(error.message).toContain(two.checksum.slice(0, 12));
    expect(error.message).toContain(edited.checksum.slice(0, 12));
    expect(error.message).toContain('new migration file');
  });

  it('[MG3] refuses an applied migration whose file was renamed', () => {
    const renamed = { ...file(2, 'other_name'), sql: two.sql, checksum: two.checksum };
    const error = refusal(planMigrations([one, renamed], [applied(one), applied(two)]));
    expect(error.reason).toBe(MIGRATION_REASONS.nameMismatch);
    expect(error.message).toContain('Rename it back to 0002_step_2.sql');
  });

  it('[MG4] refuses when an applied migration has no file any more', () => {
    const error = refusal(planMigrations([one, three], [applied(one), applied(two), applied(three)]));
    expect(error.reason).toBe(MIGRATION_REASONS.missingFile);
    expect(error.version).toBe(2);
    expect(error.message).toContain('0002_step_2.sql is missing');
  });

  it('[MG5] refuses a database migrated by newer code', () => {
    const error = refusal(planMigrations([one, two], [applied(one), applied(two), applied(three)]));
    expect(error.reason).toBe(MIGRATION_REASONS.databaseAhead);
    expect(error.version).toBe(3);
    expect(error.message).toContain('migrated by a newer Hearth');
    expect(error.message).toContain('up to 0002');
  });

  it('[MG6] refuses a hole in the file numbers', () => {
    const error = refusal(planMigrations([one, three], [applied(one)]));
    expect(error.reason).toBe(MIGRATION_REASONS.gap);
    expect(error.version).toBe(2);
    expect(error.message).toContain('Migration 0002 is missing: the files jump from 0001 to 0003_step_3.sql');
  });

  it('[MG6] refuses files that do not start at 0001', () => {
    const error = refusal(planMigrations([two, three], []));
    expect(error.reason).toBe(MIGRATION_REASONS.gap);
    expect(error.message).toContain('must start at 0001');
  });

  it('[MG7] refuses an unapplied file numbered before the last applied one', () => {
    const error = refusal(planMigrations([one, two, three], [applied(one), applied(three)]));
    expect(error.reason).toBe(MIGRATION_REASONS.outOfOrder);
    expect(error.version).toBe(2);
    expect(error.message).toContain(
      '0002_step_2.sql is not applied, but the later migration 0003 already is',
    );
    expect(error.message).toContain('rename it to 0004_step_2.sql');
  });

  it('[MG8] refuses two files with the same version', () => {
    const error = refusal(planMigrations([one, two, file(2, 'twin')], []));
    expect(error.reason).toBe(MIGRATION_REASONS.duplicateVersion);
    expect(error.message).toContain('0002_step_2.sql and 0002_twin.sql');
  });
});
