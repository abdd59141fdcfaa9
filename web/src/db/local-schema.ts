// Applies the client's DDL (`localSchemaSql()` from @hearth/schema) once per `localSchemaVersion()`.
// The applied version is recorded inside the replica, in its own schema, so a reload skips the work.
import type { PGliteInterface } from '@electric-sql/pglite';

/** Where the replica keeps its own bookkeeping; not a synced table, not counted as one. */
export const LOCAL_META_SCHEMA = 'hearth_local';

/**
 * Applies the replica DDL unless this exact version (`localSchemaVersion()`) is already recorded.
 * The DDL only creates what is missing; a version that changes existing tables needs a real migration
 * (keeping the outbox), which arrives with the sync issue.
 */
export async function applyLocalSchema(db: PGliteInterface, sql: string, version: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec(`
      create schema if not exists ${LOCAL_META_SCHEMA};
      create table if not exists ${LOCAL_META_SCHEMA}.applied_schema (
        version text primary key,
        applied_at timestamptz not null default now()
      );
    `);
    const applied = await tx.query(`select 1 from ${LOCAL_META_SCHEMA}.applied_schema where version = $1`, [
      version,
    ]);
    if (applied.rows.length > 0) return;
    await tx.exec(sql);
    await tx.query(`insert into ${LOCAL_META_SCHEMA}.applied_schema (version) values ($1)`, [version]);
  });
}

/** Tables the replica holds for the app: everything but the catalogues and our bookkeeping. */
export async function countReplicaTables(db: PGliteInterface): Promise<number> {
  const result = await db.query<{ tables: number }>(
    `select count(*)::int as tables from pg_catalog.pg_tables
      where schemaname not in ('pg_catalog', 'information_schema', $1)`,
    [LOCAL_META_SCHEMA],
  );
  return result.rows[0]?.tables ?? 0;
}
