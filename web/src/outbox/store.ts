// The outbox over PGlite (OB rules in ./SPEC.md): a mutation call as one local transaction (overlay +
// outbox entry), the LocalReader over the views, and the decisions of ./state applied to the tables.
// Works on PGlite and PGliteWorker alike (PGliteInterface); every function takes the db or a tx.
import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import {
  DEFAULT_REPLICA_SCHEMAS,
  OVERLAY_COLUMNS,
  overlayTableName,
  quoteIdent,
  RECEIPTS_TABLE,
  syncedColumnNames,
  syncedTableName,
  syncedTables,
} from '@hearth/schema';
import { tableByName, type TableName } from '@hearth/schema/catalogue';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import {
  formatPath,
  mutationNamed,
  type LocalReader,
  type MutationContext,
  type ReplicaRow,
  type RowChange,
  type SiteRole,
} from '@hearth/schema/mutations/index';
import { IDENTITY_TABLE, OUTBOX_TABLE } from '../db/local-schema';
import {
  dismiss,
  onReceipt,
  takeOver,
  type EntryDecision,
  type EntryStatus,
  type OutboxEntry,
} from './state';

/** What both a PGlite and an open transaction offer. */
export type Queryable = Pick<Transaction, 'query' | 'exec'>;

/** Who makes mutations on this device: the signed-in user, as `/api/me` last said. */
export interface Identity {
  readonly userId: string;
  readonly siteRole: SiteRole;
}

/** A mutation call refused before anything was written: typed code, message a person can act on. */
export class OutboxError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OutboxError';
  }
}

const { synced: SYNCED, overlay: OVERLAY, views: VIEWS } = DEFAULT_REPLICA_SCHEMAS;

// Rows in the wire's text forms (schema/src/table.ts): timestamps and int8 stay text, as sync writes them.
const TEXT_FORMS = { parsers: { 1184: (value: string) => value, 20: (value: string) => value } };

function describe(table: string) {
  const descriptor = tableByName(table);
  if (descriptor === undefined || !syncedTables.includes(descriptor))
    throw new Error(`"${table}" is not a synced table; the replica has no view of it`);
  return { descriptor, columns: syncedColumnNames(descriptor) };
}

/** [OB2] Reads the views (synced rows with the overlay laid over them), as the user sees them. */
export function viewReader(db: Queryable): LocalReader {
  return {
    async get<N extends TableName>(table: N, key: string): Promise<ReplicaRow<N> | undefined> {
      const { descriptor } = describe(table);
      const keyColumn = descriptor.primaryKey[0] as string;
      const { rows } = await db.query<ReplicaRow<N>>(
        `select * from ${quoteIdent(VIEWS)}.${quoteIdent(table)} where ${quoteIdent(keyColumn)} = $1`,
        [key],
        TEXT_FORMS,
      );
      return rows[0];
    },
    async find<N extends TableName>(table: N, where: Partial<ReplicaRow<N>>): Promise<ReplicaRow<N>[]> {
      const { columns } = describe(table);
      const params: unknown[] = [];
      const conditions = Object.entries(where).map(([column, value]) => {
        // Column names come from mutation code, still checked against the contract (invariant 1).
        if (!columns.includes(column)) throw new Error(`table "${table}" has no synced column "${column}"`);
        if (value === null) return `${quoteIdent(column)} is null`;
        params.push(value);
        return `${quoteIdent(column)} = $${params.length}`;
      });
      const { rows } = await db.query<ReplicaRow<N>>(
        `select * from ${quoteIdent(VIEWS)}.${quoteIdent(table)}` +
          (conditions.length > 0 ? ` where ${conditions.join(' and ')}` : ''),
        params,
        TEXT_FORMS,
      );
      return rows;
    },
  };
}

function sqlValue(value: unknown): unknown {
  // jsonb columns get their JSON text; everything else goes as PGlite serializes it.
  if (value === undefined) return null;
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  )
    return JSON.stringify(value);
  return value;
}

/** Writes a mutation's row changes into the overlay tables, in order, tagged with its id. */
export async function writeOverlay(
  tx: Queryable,
  mutationId: string,
  changes: readonly RowChange[],
): Promise<void> {
  for (const change of changes) {
    const { columns } = describe(change.table);
    const row = change.row as Readonly<Record<string, unknown>>;
    const names = [...columns, OVERLAY_COLUMNS.mutationId, OVERLAY_COLUMNS.op].map(quoteIdent);
    const values = [...columns.map((column) => sqlValue(row[column])), mutationId, change.op];
    await tx.query(
      `insert into ${quoteIdent(OVERLAY)}.${quoteIdent(overlayTableName(change.table))} (${names.join(', ')})
       values (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
  }
}

/** Removes exactly one mutation's overlay rows, from every overlay table. */
export async function dropOverlay(tx: Queryable, mutationId: string): Promise<void> {
  for (const table of syncedTables)
    await tx.query(
      `delete from ${quoteIdent(OVERLAY)}.${quoteIdent(overlayTableName(table.name))} where ${quoteIdent(OVERLAY_COLUMNS.mutationId)} = $1`,
      [mutationId],
    );
}

export interface MutationCallInput {
  readonly name: string;
  readonly args: unknown;
  readonly identity: Identity | null;
  /** The device's clock: only for the optimistic guess; the server stamps its own time. */
  readonly now: Date;
  /** A fresh UUID v7 unless a test fixes it. */
  readonly id?: string;
}

/** Checks a call before any write: a typed OutboxError for bad input (OB1). */
function checkCall(input: MutationCallInput) {
  const mutation = mutationNamed(input.name);
  if (mutation === undefined)
    throw new OutboxError(ErrorCode.unknownMutation, `There is no mutation named "${input.name}".`);
  if (input.identity === null)
    throw new OutboxError(ErrorCode.unauthenticated, 'Sign in on this device before making changes.');
  let stored: unknown;
  try {
    // What is stored (and later sent) is the JSON of the args: validate exactly that.
    stored = JSON.parse(JSON.stringify(input.args ?? null)) as unknown;
  } catch (error) {
    throw new OutboxError(
      ErrorCode.validationFailed,
      `The args of ${input.name} are not JSON: ${String(error)}`,
    );
  }
  const parsed = mutation.args.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OutboxError(
      ErrorCode.validationFailed,
      `${input.name}: ${formatPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { mutation, identity: input.identity, stored, parsed: parsed.data };
}

/**
 * [OB1] Validates, applies optimistically against the views, and records the entry, in ONE local
 * transaction. Resolves with the mutation id once the change is visible locally.
 */
export async function enqueueMutation(
  db: PGliteInterface,
  input: MutationCallInput,
): Promise<{ id: string }> {
  const { mutation, identity, stored, parsed } = checkCall(input);
  const id = input.id ?? newId();
  const ctx: MutationContext = {
    userId: identity.userId,
    siteRole: identity.siteRole,
    now: input.now,
    mutationId: id,
  };
  await db.transaction(async (tx) => {
    const changes = await mutation.optimistic(parsed, ctx, viewReader(tx));
    await writeOverlay(tx, id, changes);
    await tx.query(
      `insert into ${OUTBOX_TABLE} (id, user_id, site_role, name, args, created_at)
       values ($1, $2, $3, $4, $5::jsonb, $6)`,
      [
        id,
        identity.userId,
        identity.siteRole,
        mutation.name,
        JSON.stringify(stored),
        input.now.toISOString(),
      ],
    );
  });
  return { id };
}

interface EntryRow {
  id: string;
  seq: number;
  name: string;
  args: unknown;
  status: EntryStatus;
}

/** The user's pending entries, oldest first (OB4). */
export async function pendingEntries(db: Queryable, userId: string, limit: number): Promise<OutboxEntry[]> {
  const { rows } = await db.query<EntryRow>(
    `select id, seq::integer as seq, name, args, status from ${OUTBOX_TABLE}
      where user_id = $1 and status = 'pending' order by seq limit $2`,
    [userId, limit],
  );
  return rows;
}

export async function countPending(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::integer as n from ${OUTBOX_TABLE} where user_id = $1 and status = 'pending'`,
    [userId],
  );
  return rows[0]?.n ?? 0;
}

export async function markSending(db: PGliteInterface, ids: readonly string[]): Promise<void> {
  await db.query(
    `update ${OUTBOX_TABLE} set status = 'sending', attempts = attempts + 1
      where id = any($1::uuid[]) and status = 'pending'`,
    [ids],
  );
}

/** Applies decisions of ./state in one transaction; a rejection drops that mutation's overlay (OB6). */
export async function applyDecisions(
  db: PGliteInterface,
  decisions: readonly EntryDecision[],
): Promise<void> {
  if (decisions.length === 0) return;
  await db.transaction(async (tx) => {
    for (const decision of decisions) {
      switch (decision.to) {
        case 'accepted':
          // [OB5] The overlay stays until the receipt arrives through sync.
          await tx.query(
            `update ${OUTBOX_TABLE} set status = 'accepted', last_error_code = null, last_error_message = null
              where id = $1 and status in ('pending', 'sending')`,
            [decision.id],
          );
          break;
        case 'rejected':
          await dropOverlay(tx, decision.id);
          await tx.query(
            `update ${OUTBOX_TABLE} set status = 'rejected', last_error_code = $2, last_error_message = $3
              where id = $1`,
            [decision.id, decision.code, decision.message],
          );
          break;
        case 'pending':
          await tx.query(
            `update ${OUTBOX_TABLE} set status = 'pending', last_error_code = $2, last_error_message = $3
              where id = $1 and status in ('pending', 'sending')`,
            [decision.id, decision.code, decision.message],
          );
          break;
        case 'settled':
          await dropOverlay(tx, decision.id);
          await tx.query(`delete from ${OUTBOX_TABLE} where id = $1`, [decision.id]);
          break;
      }
    }
  });
}

/** [OB11] The new sender's first act: what was in flight is sent again. */
export async function takeOverInFlight(db: PGliteInterface): Promise<number> {
  const { rows } = await db.query<{ id: string; status: EntryStatus }>(
    `select id, status from ${OUTBOX_TABLE} where status = 'sending'`,
  );
  const decisions = rows.map(takeOver).filter((decision) => decision !== null);
  await applyDecisions(db, decisions);
  return decisions.length;
}

/** The entries whose receipt sync has delivered, with that receipt: input of `settleByReceipts`. */
export const RECEIPTS_TO_SETTLE_SQL = `
  select o.id, o.status, r.status as receipt_status, r.error_code, r.error_message
    from ${OUTBOX_TABLE} o join ${quoteIdent(SYNCED)}.${quoteIdent(syncedTableName(RECEIPTS_TABLE))} r on r.id = o.id
   where o.status <> 'rejected'
   order by o.seq`;

/** [OB13] Settles the entries whose receipt arrived through sync (the trigger already dropped their overlay). */
export async function settleByReceipts(db: PGliteInterface): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    status: EntryStatus;
    receipt_status: 'accepted' | 'rejected';
    error_code: string | null;
    error_message: string | null;
  }>(RECEIPTS_TO_SETTLE_SQL);
  const decisions = rows
    .map((row) =>
      onReceipt(row, {
        status: row.receipt_status,
        error_code: row.error_code,
        error_message: row.error_message,
      }),
    )
    .filter((decision) => decision !== null);
  await applyDecisions(db, decisions);
  return decisions.length;
}

/** [OB6] The user has read why: the rejected entry goes. */
export async function dismissRejected(db: PGliteInterface, id: string): Promise<void> {
  const { rows } = await db.query<{ id: string; status: EntryStatus }>(
    `select id, status from ${OUTBOX_TABLE} where id = $1`,
    [id],
  );
  const decision = rows[0] === undefined ? null : dismiss(rows[0]);
  if (decision === null)
    throw new OutboxError(ErrorCode.conflict, 'Only a change the server refused can be dismissed.');
  await applyDecisions(db, [decision]);
}

/**
 * [OB3] After a reset: runs the unsettled entries' optimistic applies again, in order, with the
 * identity and time they were made with. Entries whose mutation or args this version no longer
 * knows get no overlay; the server still decides them.
 */
export async function rebuildOverlay(tx: Transaction): Promise<void> {
  const { rows } = await tx.query<{
    id: string;
    user_id: string;
    site_role: SiteRole;
    name: string;
    args: unknown;
    created_at: string;
  }>(
    `select id, user_id, site_role, name, args, created_at from ${OUTBOX_TABLE}
      where status in ('pending', 'sending', 'accepted') order by seq`,
    [],
    TEXT_FORMS,
  );
  for (const row of rows) {
    const mutation = mutationNamed(row.name);
    const parsed = mutation?.args.safeParse(row.args);
    if (mutation === undefined || parsed === undefined || !parsed.success) continue;
    const ctx: MutationContext = {
      userId: row.user_id,
      siteRole: row.site_role,
      now: new Date(row.created_at),
      mutationId: row.id,
    };
    await writeOverlay(tx, row.id, await mutation.optimistic(parsed.data, ctx, viewReader(tx)));
  }
}

export async function readIdentity(db: Queryable): Promise<Identity | null> {
  const { rows } = await db.query<{ user_id: string; site_role: SiteRole }>(
    `select user_id, site_role from ${IDENTITY_TABLE}`,
  );
  const row = rows[0];
  return row === undefined ? null : { userId: row.user_id, siteRole: row.site_role };
}

export async function writeIdentity(db: Queryable, identity: Identity | null): Promise<void> {
  if (identity === null) {
    await db.query(`delete from ${IDENTITY_TABLE}`);
    return;
  }
  await db.query(
    `insert into ${IDENTITY_TABLE} (singleton, user_id, site_role, updated_at) values (true, $1, $2, now())
     on conflict (singleton) do update set user_id = excluded.user_id, site_role = excluded.site_role,
       updated_at = excluded.updated_at`,
    [identity.userId, identity.siteRole],
  );
}

export interface RejectedEntry {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** What the status pill and the rejection list show, for the signed-in user (OB14). */
export const OUTBOX_STATUS_SQL = `
  select count(*) filter (where o.status in ('pending', 'sending'))::integer as pending,
         coalesce(json_agg(json_build_object('id', o.id, 'name', o.name, 'code', o.last_error_code,
                                             'message', o.last_error_message) order by o.seq)
                  filter (where o.status = 'rejected'), '[]'::json) as rejected
    from ${OUTBOX_TABLE} o join ${IDENTITY_TABLE} i on i.user_id = o.user_id`;

export interface OutboxCounts {
  readonly pending: number;
  readonly rejected: readonly RejectedEntry[];
}

export async function outboxStatus(db: Queryable): Promise<OutboxCounts> {
  const { rows } = await db.query<OutboxCounts>(OUTBOX_STATUS_SQL);
  return rows[0] ?? { pending: 0, rejected: [] };
}
