// Set-up of what the stream reads (SPEC.md RP1–RP2): one publication holding the synced tables, each
// with REPLICA IDENTITY FULL, and one logical pgoutput slot for this database. Idempotent; the
// publication step is serialized by an advisory lock so two servers starting at once do not race.
import pg from 'pg';
import { REPLICATION_REASONS, ReplicationError } from './errors';
import { type Lsn, parseLsn } from './lsn';

export interface ReplicationNames {
  readonly publication: string;
  readonly slot: string;
}

export const DEFAULT_REPLICATION_NAMES: ReplicationNames = { publication: 'hearth_pub', slot: 'hearth_slot' };

/** Slot names allow only these (and are cluster-wide, so give each database its own). */
const NAME = /^[a-z0-9_]{1,63}$/;

export function replicationNames(names: Partial<ReplicationNames> = {}): ReplicationNames {
  const resolved = { ...DEFAULT_REPLICATION_NAMES, ...names };
  for (const [what, name] of Object.entries(resolved)) {
    if (!NAME.test(name)) {
      throw new ReplicationError(
        REPLICATION_REASONS.invalidName,
        `The ${what} name "${name}" is not usable: use 1 to 63 lower-case letters, digits or underscores.`,
      );
    }
  }
  return resolved;
}

/** A table to publish; the schema defaults to `public`, so schema's `syncedTables` can be passed as is. */
export interface PublishedTable {
  readonly schema?: string;
  readonly name: string;
}

type Queryable = Pick<pg.ClientBase, 'query'> | pg.Pool;

function qualified(table: PublishedTable): string {
  return `${pg.escapeIdentifier(table.schema ?? 'public')}.${pg.escapeIdentifier(table.name)}`;
}

export async function checkWalLevel(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ wal_level: string }>('show wal_level');
  const level = rows[0]?.wal_level;
  if (level !== 'logical') {
    throw new ReplicationError(
      REPLICATION_REASONS.walLevelNotLogical,
      `Postgres runs with wal_level=${level}; the shape engine needs wal_level=logical ` +
        `(set it in postgresql.conf or with -c wal_level=logical, then restart Postgres).`,
    );
  }
}

export interface PublicationChanges {
  readonly created: boolean;
  /** Tables added to the publication by this call. */
  readonly added: readonly string[];
  /** Tables switched to REPLICA IDENTITY FULL by this call. */
  readonly identityFull: readonly string[];
}

/**
 * Makes the publication exist and hold every table given (never removes one: the engine may have
 * added tables for shapes), each table with REPLICA IDENTITY FULL so updates and deletes carry the
 * whole old row and unchanged TOAST values can be filled (protocol doc §1).
 */
export async function ensurePublication(
  pool: pg.Pool,
  publication: string,
  tables: readonly PublishedTable[],
): Promise<PublicationChanges> {
  replicationNames({ publication });
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('hearth.publication.' || $1::text))`, [
      publication,
    ]);
    const pub = await client.query<{ oid: string; puballtables: boolean }>(
      'select oid::int8::text as oid, puballtables from pg_publication where pubname = $1',
      [publication],
    );
    let created = false;
    let pubOid = pub.rows[0]?.oid;
    const allTables = pub.rows[0]?.puballtables ?? false;
    if (pubOid === undefined) {
      await client.query(`create publication ${pg.escapeIdentifier(publication)}`);
      const made = await client.query<{ oid: string }>(
        'select oid::int8::text as oid from pg_publication where pubname = $1',
        [publication],
      );
      pubOid = made.rows[0]?.oid;
      created = true;
    }
    const added: string[] = [];
    const identityFull: string[] = [];
    for (const table of tables) {
      const name = qualified(table);
      const found = await client.query<{ oid: string | null; replident: string | null; published: boolean }>(
        `select c.oid::int8::text as oid, c.relreplident as replident,
                exists (select 1 from pg_publication_rel r where r.prpubid = $2::oid and r.prrelid = c.oid) as published
           from (select to_regclass($1) as oid) t left join pg_class c on c.oid = t.oid`,
        [name, pubOid],
      );
      const row = found.rows[0];
      if (row?.oid == null) {
        throw new ReplicationError(
          REPLICATION_REASONS.tableMissing,
          `Table ${name} does not exist, so it cannot be published; run the migrations first.`,
        );
      }
      if (row.replident !== 'f') {
        await client.query(`alter table ${name} replica identity full`);
        identityFull.push(name);
      }
      if (!row.published && !allTables) {
        await client.query(`alter publication ${pg.escapeIdentifier(publication)} add table ${name}`);
        added.push(name);
      }
    }
    await client.query('commit');
    return { created, added, identityFull };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface SlotState {
  readonly name: string;
  readonly database: string | null;
  readonly plugin: string | null;
  readonly slotType: string;
  readonly activePid: number | null;
  readonly confirmedFlushLsn: Lsn | null;
  /** Why Postgres invalidated the slot; null while it is usable. */
  readonly invalidation: string | null;
}

interface SlotRow {
  slot_name: string;
  database: string | null;
  plugin: string | null;
  slot_type: string;
  active_pid: number | null;
  confirmed_flush_lsn: string | null;
  wal_status?: string | null;
  conflicting?: boolean | null;
  invalidation_reason?: string | null;
}

/**
 * Reads the slot through any connection, a replication one included (simple query, no parameters).
 * `to_jsonb` keeps it working across versions: `invalidation_reason` is new in 17, `conflicting` in 16.
 */
export async function readSlot(db: Queryable, slot: string): Promise<SlotState | undefined> {
  replicationNames({ slot });
  const { rows } = await db.query<{ slot: SlotRow }>(
    `select to_jsonb(s) as slot from pg_replication_slots s where slot_name = ${pg.escapeLiteral(slot)}`,
  );
  const row = rows[0]?.slot;
  if (!row) return undefined;
  const invalidation =
    row.invalidation_reason ??
    (row.wal_status === 'lost' ? 'wal_removed' : row.conflicting ? 'conflict' : null);
  return {
    name: row.slot_name,
    database: row.database,
    plugin: row.plugin,
    slotType: row.slot_type,
    activePid: row.active_pid,
    confirmedFlushLsn: row.confirmed_flush_lsn === null ? null : parseLsn(row.confirmed_flush_lsn),
    invalidation,
  };
}

/** What is wrong with the slot for streaming from `database`; undefined when it is usable. */
export function slotProblem(
  state: SlotState | undefined,
  slot: string,
  database: string,
): ReplicationError | undefined {
  if (!state) {
    return new ReplicationError(
      REPLICATION_REASONS.slotMissing,
      `Replication slot "${slot}" does not exist.`,
    );
  }
  if (state.slotType !== 'logical' || state.plugin !== 'pgoutput') {
    return new ReplicationError(
      REPLICATION_REASONS.slotWrongPlugin,
      `Replication slot "${slot}" is a ${state.slotType} slot with plugin ${state.plugin ?? 'none'}; ` +
        `the engine needs a logical pgoutput slot: drop it or configure another slot name.`,
    );
  }
  if (state.database !== database) {
    return new ReplicationError(
      REPLICATION_REASONS.slotInOtherDatabase,
      `Replication slot "${slot}" belongs to database "${state.database}", not "${database}": slot names ` +
        `are shared by the whole Postgres cluster, so configure a slot name per database.`,
    );
  }
  if (state.invalidation !== null) {
    return new ReplicationError(
      REPLICATION_REASONS.slotInvalidated,
      `Replication slot "${slot}" was invalidated by Postgres (${state.invalidation}).`,
    );
  }
  return undefined;
}

export type SlotOutcome =
  | { readonly status: 'existing'; readonly state: SlotState }
  /** Made now: anything the engine built on an earlier slot of this name must rotate. */
  | { readonly status: 'created' | 'recreated'; readonly consistentLsn: Lsn };

/**
 * Makes the logical slot exist and be usable. An invalidated slot is dropped and made again
 * ('recreated'); a slot of another database or plugin is a configuration error.
 * Creating a slot waits for transactions running at that moment to finish.
 */
export async function ensureSlot(pool: pg.Pool, slot: string): Promise<SlotOutcome> {
  const { rows } = await pool.query<{ db: string }>('select current_database() as db');
  const database = rows[0]?.db as string;
  const state = await readSlot(pool, slot);
  const problem = slotProblem(state, slot, database);
  if (!problem) return { status: 'existing', state: state as SlotState };
  if (problem.reason === REPLICATION_REASONS.slotMissing) {
    return { status: 'created', consistentLsn: await createSlot(pool, slot) };
  }
  if (problem.reason === REPLICATION_REASONS.slotInvalidated) {
    await dropSlot(pool, slot);
    return { status: 'recreated', consistentLsn: await createSlot(pool, slot) };
  }
  throw problem;
}

async function createSlot(pool: pg.Pool, slot: string): Promise<Lsn> {
  try {
    const { rows } = await pool.query<{ lsn: string }>(
      `select lsn::text as lsn from pg_create_logical_replication_slot($1, 'pgoutput')`,
      [slot],
    );
    return parseLsn(rows[0]?.lsn as string);
  } catch (error) {
    // Another server made it between our read and our create: use theirs.
    if ((error as { code?: string }).code === '42710') {
      const state = await readSlot(pool, slot);
      if (state?.confirmedFlushLsn != null) return state.confirmedFlushLsn;
    }
    throw error;
  }
}

/** Drops the slot if it exists and nobody streams from it; returns whether it existed. */
export async function dropSlot(pool: pg.Pool, slot: string): Promise<boolean> {
  replicationNames({ slot });
  const { rows } = await pool.query<{ dropped: boolean }>(
    `select pg_drop_replication_slot(slot_name) is null as dropped
       from pg_replication_slots where slot_name = $1`,
    [slot],
  );
  return rows.length > 0;
}

export interface ReplicationSetup {
  readonly publication: PublicationChanges;
  readonly slot: SlotOutcome;
}

/** Everything the stream needs, in order: wal_level, publication with its tables, then the slot. */
export async function setUpReplication(
  pool: pg.Pool,
  options: { names?: Partial<ReplicationNames>; tables: readonly PublishedTable[] },
): Promise<ReplicationSetup> {
  const names = replicationNames(options.names);
  await checkWalLevel(pool);
  const publication = await ensurePublication(pool, names.publication, options.tables);
  const slot = await ensureSlot(pool, names.slot);
  return { publication, slot };
}
