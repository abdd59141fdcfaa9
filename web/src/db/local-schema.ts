// Applies the client's DDL (`localSchemaSql()` from @hearth/schema) once per `localSchemaVersion()`,
// next to the replica's own bookkeeping (schema `hearth_local`: applied version, identity, outbox).
// A new version resets the derived layers (synced, overlay, views, sync progress) but never the
// bookkeeping: the outbox survives, and the overlay is rebuilt from it (`afterReset`).
import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { DEFAULT_REPLICA_SCHEMAS, quoteIdent } from '@hearth/schema';

/** Where the replica keeps its own bookkeeping; not a synced table, not counted as one. */
export const LOCAL_META_SCHEMA = 'hearth_local';

/** Where pglite-sync keeps its subscriptions' offsets: reset with the synced tables, or they lie. */
export const SYNC_METADATA_SCHEMA = 'hearth_sync';

/** Qualified names of the bookkeeping tables, for the outbox and identity code. */
export const OUTBOX_TABLE = `${LOCAL_META_SCHEMA}.outbox`;
export const IDENTITY_TABLE = `${LOCAL_META_SCHEMA}.identity`;

/**
 * The bookkeeping: created if missing, never dropped by a schema change. The outbox holds every
 * mutation not yet settled (OB rules in web/src/outbox/SPEC.md); `seq` is the order of intent.
 */
const BOOKKEEPING_SQL = `
  create schema if not exists ${LOCAL_META_SCHEMA};
  create table if not exists ${LOCAL_META_SCHEMA}.applied_schema (
    version text primary key,
    applied_at timestamptz not null default now()
  );
  create table if not exists ${IDENTITY_TABLE} (
    singleton boolean primary key default true check (singleton),
    user_id uuid not null,
    site_role text not null,
    updated_at timestamptz not null default now()
  );
  create sequence if not exists ${LOCAL_META_SCHEMA}.outbox_seq;
  create table if not exists ${OUTBOX_TABLE} (
    id uuid primary key,
    seq bigint not null unique default nextval('${LOCAL_META_SCHEMA}.outbox_seq'),
    user_id uuid not null,
    site_role text not null,
    name text not null,
    args jsonb not null,
    created_at timestamptz not null,
    status text not null default 'pending' check (status in ('pending', 'sending', 'accepted', 'rejected')),
    attempts integer not null default 0,
    last_error_code text,
    last_error_message text
  );
  create index if not exists outbox_by_status on ${OUTBOX_TABLE} (status, seq);
`;

export interface ApplyLocalSchemaOptions {
  /** Runs in the same transaction after a reset (a replica made by another version, or none). */
  readonly afterReset?: (tx: Transaction) => Promise<void>;
}

/** Drops every derived layer: synced tables, overlay, views, and the sync progress that fed them. */
async function resetDerivedLayers(tx: Transaction): Promise<void> {
  const { synced, overlay, views } = DEFAULT_REPLICA_SCHEMAS;
  for (const schema of [synced, overlay, SYNC_METADATA_SCHEMA])
    await tx.exec(`drop schema if exists ${quoteIdent(schema)} cascade;`);
  // The views' schema is shared with nothing else the app makes; earlier versions kept tables there.
  const leftovers = await tx.query<{ name: string; kind: string }>(
    `select c.relname as name, c.relkind::text as kind from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm')`,
    [views],
  );
  for (const { name, kind } of leftovers.rows) {
    const what = kind === 'v' ? 'view' : kind === 'm' ? 'materialized view' : 'table';
    await tx.exec(`drop ${what} if exists ${quoteIdent(views)}.${quoteIdent(name)} cascade;`);
  }
}

/**
 * Applies the replica DDL unless this exact version (`localSchemaVersion()`) is already recorded.
 * Any other version is reset first and rebuilt; the bookkeeping (outbox, identity) stays as it is.
 * One transaction: a failing DDL leaves the previous replica untouched.
 */
export async function applyLocalSchema(
  db: PGliteInterface,
  sql: string,
  version: string,
  options: ApplyLocalSchemaOptions = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec(BOOKKEEPING_SQL);
    const applied = await tx.query(`select 1 from ${LOCAL_META_SCHEMA}.applied_schema where version = $1`, [
      version,
    ]);
    if (applied.rows.length > 0) return;
    await resetDerivedLayers(tx);
    await tx.exec(sql);
    await tx.exec(`delete from ${LOCAL_META_SCHEMA}.applied_schema;`);
    await tx.query(`insert into ${LOCAL_META_SCHEMA}.applied_schema (version) values ($1)`, [version]);
    await options.afterReset?.(tx);
  });
}

/** Tables the app can read: the relations of the views' schema (one merged view per synced table). */
export async function countReplicaTables(db: PGliteInterface): Promise<number> {
  const result = await db.query<{ tables: number }>(
    `select count(*)::int as tables from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'p', 'f')`,
    [DEFAULT_REPLICA_SCHEMAS.views],
  );
  return result.rows[0]?.tables ?? 0;
}

/**
 * [RB3] Drops `template0` and `template1`: the replica never creates a database, and their files are
 * half of what IDBFS reads into memory at every boot (./BOOT.md). A no-op once they are gone. Not in a
 * transaction (DROP DATABASE cannot run in one).
 */
export async function dropTemplateDatabases(db: PGliteInterface): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `select datname as name from pg_catalog.pg_database where datname in ('template0', 'template1')`,
  );
  for (const { name } of rows) {
    await db.exec(`alter database ${quoteIdent(name)} is_template false;`);
    await db.exec(`drop database ${quoteIdent(name)};`);
  }
}
