// What a sign-out removes from this device (AU9 in ./SPEC.md), in ONE local transaction: the user's
// outbox entries, every overlay row, every synced row, pglite-sync's progress (so the next user syncs
// from scratch under their own shapes) and the cached identity. The tables stay; only rows go, so a
// running live query or sync subscription keeps working on the emptied tables.
import type { PGliteInterface } from '@electric-sql/pglite';
import {
  DEFAULT_REPLICA_SCHEMAS,
  overlayTableName,
  quoteIdent,
  syncedTableName,
  syncedTables,
} from '@hearth/schema';
import { OUTBOX_TABLE, SYNC_METADATA_SCHEMA } from '../db/local-schema';
import { writeIdentity, type Identity, type Queryable } from '../outbox/store';

export interface ClearedData {
  /** Outbox entries of the user removed (pending ones were discarded, AU8). */
  readonly outboxEntries: number;
  readonly overlayRows: number;
  readonly syncedRows: number;
}

async function deleteAll(tx: Queryable, qualifiedTable: string): Promise<number> {
  const result = await tx.query(`delete from ${qualifiedTable}`);
  return result.affectedRows ?? 0;
}

/**
 * Empties the replica's derived layers: synced rows, overlay rows, and pglite-sync's subscription
 * state (its tables in `hearth_sync`, whatever pglite-sync named them). The outbox and identity stay.
 */
export async function clearReplicaLayers(tx: Queryable): Promise<Omit<ClearedData, 'outboxEntries'>> {
  const { synced, overlay } = DEFAULT_REPLICA_SCHEMAS;
  let overlayRows = 0;
  let syncedRows = 0;
  for (const table of syncedTables) {
    overlayRows += await deleteAll(tx, `${quoteIdent(overlay)}.${quoteIdent(overlayTableName(table.name))}`);
    syncedRows += await deleteAll(tx, `${quoteIdent(synced)}.${quoteIdent(syncedTableName(table.name))}`);
  }
  const metadata = await tx.query<{ name: string }>(
    `select c.relname as name from pg_catalog.pg_class c
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'r'`,
    [SYNC_METADATA_SCHEMA],
  );
  for (const { name } of metadata.rows)
    await deleteAll(tx, `${quoteIdent(SYNC_METADATA_SCHEMA)}.${quoteIdent(name)}`);
  return { overlayRows, syncedRows };
}

/** [AU9] Signs `userId` out of this device's replica: their outbox, all replica rows, the identity. */
export async function clearSignedOutUser(db: PGliteInterface, userId: string): Promise<ClearedData> {
  return db.transaction(async (tx) => {
    const outbox = await tx.query(`delete from ${OUTBOX_TABLE} where user_id = $1`, [userId]);
    const layers = await clearReplicaLayers(tx);
    await writeIdentity(tx, null);
    return { outboxEntries: outbox.affectedRows ?? 0, ...layers };
  });
}

/**
 * [AU10] The replica changes hands: another account signs in where someone else was last, or a
 * sign-out finds no identity. The replica's rows (what the previous person could see, and their
 * guesses) go and `next` becomes the identity, in one transaction, so sync never sees a gap between.
 * Unsent outbox entries stay, tied to their person: the sender sends only the signed-in user's
 * (OB4), so they wait until that person signs in again.
 */
export async function clearReplicaForNewUser(db: PGliteInterface, next: Identity | null): Promise<void> {
  await db.transaction(async (tx) => {
    await clearReplicaLayers(tx);
    await writeIdentity(tx, next);
  });
}
