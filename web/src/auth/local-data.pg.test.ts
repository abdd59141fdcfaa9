// What a sign-out removes from the device (SPEC.md AU9, AU10), on a real PGlite (in Node) with the real
// replica layout, written to by the real outbox code. PGlite opens once; each test gets a clone.
import { PGlite } from '@electric-sql/pglite';
import { live } from '@electric-sql/pglite/live';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { newId } from '@hearth/schema/ids';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyLocalSchema, IDENTITY_TABLE, OUTBOX_TABLE, SYNC_METADATA_SCHEMA } from '../db/local-schema';
import { enqueueMutation, readIdentity, writeIdentity, type Identity } from '../outbox/store';
import { clearReplicaForNewUser, clearSignedOutUser } from './local-data';

const ME: Identity = { userId: '0190a000-0000-7000-8000-00000000000a', siteRole: 'member' };
const EARLIER: Identity = { userId: '0190a000-0000-7000-8000-00000000000b', siteRole: 'member' };
const NOW = new Date('2031-01-02T03:04:05.000Z');

let template: File | Blob;
const opened: PGlite[] = [];

beforeAll(async () => {
  const db = await PGlite.create();
  await applyLocalSchema(db, localSchemaSql(), localSchemaVersion());
  template = await db.dumpDataDir('none');
  await db.close();
}, 120_000);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/**
 * A replica in use: synced rows, pglite-sync's progress, my pending and accepted changes, an entry
 * another person left behind, and me signed in.
 */
async function replicaInUse() {
  const db = await PGlite.create({ loadDataDir: template, extensions: { live } });
  opened.push(db);
  await db.query(
    `insert into synced.users_synced (id, display_name, bio, locale, time_zone, site_role, created_at, updated_at)
     values ($1, 'Synced Name', '', 'en', 'UTC', 'member', now(), now()),
            ($2, 'Earlier Name', '', 'en', 'UTC', 'member', now(), now())`,
    [ME.userId, EARLIER.userId],
  );
  await db.query(
    `insert into synced.blocks_synced (id, blocker_id, blocked_id, created_at) values ($1, $2, $3, now())`,
    [newId(), ME.userId, newId()],
  );
  // pglite-sync keeps its subscriptions' offsets in a table of the metadata schema.
  await db.exec(`
    create schema ${SYNC_METADATA_SCHEMA};
    create table ${SYNC_METADATA_SCHEMA}.subscriptions_metadata (key text primary key, shape_metadata jsonb, last_lsn text);
    insert into ${SYNC_METADATA_SCHEMA}.subscriptions_metadata values ('hearth', '{"users":{"handle":"h","offset":"0_0"}}', '42');
  `);
  await enqueueMutation(db, {
    name: 'updateProfile',
    args: { displayName: 'Earlier' },
    identity: EARLIER,
    now: NOW,
  });
  await writeIdentity(db, ME);
  await enqueueMutation(db, {
    name: 'updateProfile',
    args: { displayName: 'Pending' },
    identity: ME,
    now: NOW,
  });
  const accepted = await enqueueMutation(db, {
    name: 'updateProfile',
    args: { displayName: 'Accepted' },
    identity: ME,
    now: NOW,
  });
  await db.query(`update ${OUTBOX_TABLE} set status = 'accepted' where id = $1`, [accepted.id]);
  return db;
}

async function count(db: PGlite, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::integer as n from ${table}`);
  return rows[0]?.n ?? 0;
}

async function outboxUsers(db: PGlite): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(`select user_id from ${OUTBOX_TABLE} order by seq`);
  return rows.map((row) => row.user_id);
}

describe('[AU9] signing out clears this device', () => {
  it('[AU9] the user’s outbox, every overlay and synced row, the sync progress and the identity go', async () => {
    const db = await replicaInUse();
    expect(await count(db, 'public.users')).toBe(2);

    const cleared = await clearSignedOutUser(db, ME.userId);

    expect(cleared).toEqual({ outboxEntries: 2, overlayRows: 3, syncedRows: 3 });
    expect(await outboxUsers(db)).toEqual([EARLIER.userId]);
    expect(await count(db, 'overlay.users_overlay')).toBe(0);
    expect(await count(db, 'synced.users_synced')).toBe(0);
    expect(await count(db, 'synced.blocks_synced')).toBe(0);
    expect(await count(db, 'public.users')).toBe(0);
    expect(await count(db, `${SYNC_METADATA_SCHEMA}.subscriptions_metadata`)).toBe(0);
    expect(await readIdentity(db)).toBeNull();
  });

  it('[AU9] it is one transaction: when any part fails, nothing is cleared', async () => {
    const db = await replicaInUse();
    await db.exec(`
      create function refuse() returns trigger language plpgsql as $$ begin raise exception 'identity is locked'; end $$;
      create trigger refuse_delete before delete on ${IDENTITY_TABLE} for each row execute function refuse();
    `);

    await expect(clearSignedOutUser(db, ME.userId)).rejects.toThrow(/identity is locked/);

    expect(await outboxUsers(db)).toEqual([EARLIER.userId, ME.userId, ME.userId]);
    expect(await count(db, 'overlay.users_overlay')).toBe(3);
    expect(await count(db, 'synced.users_synced')).toBe(2);
    expect(await count(db, `${SYNC_METADATA_SCHEMA}.subscriptions_metadata`)).toBe(1);
    expect(await readIdentity(db)).toEqual(ME);
  });

  it('[AU9] the tables stay: a live query over a view sees them empty and keeps following', async () => {
    const db = await replicaInUse();
    // Resolves when the live query reports `n` rows; results arrive in order.
    const waiting = new Map<number, () => void>();
    const rowsReach = (n: number) => new Promise<void>((resolve) => waiting.set(n, resolve));
    const emptied = rowsReach(0);
    const refilled = rowsReach(1);
    const query = await db.live.query<{ id: string }>(`select id from public.users`, [], (results) => {
      waiting.get(results.rows.length)?.();
    });
    expect(query.initialResults.rows).toHaveLength(2);

    await clearSignedOutUser(db, ME.userId);
    await emptied;

    // The next user's rows arrive in the same tables, and the same live query shows them.
    await db.query(
      `insert into synced.users_synced (id, display_name, bio, locale, time_zone, site_role, created_at, updated_at)
       values ($1, 'Next', '', 'en', 'UTC', 'member', now(), now())`,
      [EARLIER.userId],
    );
    await refilled;
    await query.unsubscribe();
  });

  it('[AU9] a replica where sync never ran (no sync schema) is cleared too', async () => {
    const db = await PGlite.create({ loadDataDir: template });
    opened.push(db);
    await writeIdentity(db, ME);
    const community = { id: newId(), membershipId: newId(), slug: 'made-offline', name: 'Made offline' };
    await enqueueMutation(db, { name: 'createCommunity', args: community, identity: ME, now: NOW });
    const guesses =
      (await count(db, 'overlay.communities_overlay')) + (await count(db, 'overlay.memberships_overlay'));
    expect(guesses).toBeGreaterThan(0);

    expect(await clearSignedOutUser(db, ME.userId)).toEqual({
      outboxEntries: 1,
      overlayRows: guesses,
      syncedRows: 0,
    });
    expect(await count(db, 'public.communities')).toBe(0);
    expect(await readIdentity(db)).toBeNull();
  });
});

describe('[AU10] another account signs in', () => {
  it('[AU10] the replica’s rows go and the new identity comes in; every outbox entry stays for its own person', async () => {
    const db = await replicaInUse();

    await clearReplicaForNewUser(db, EARLIER);

    expect(await outboxUsers(db)).toEqual([EARLIER.userId, ME.userId, ME.userId]);
    expect(await count(db, 'overlay.users_overlay')).toBe(0);
    expect(await count(db, 'synced.users_synced')).toBe(0);
    expect(await count(db, `${SYNC_METADATA_SCHEMA}.subscriptions_metadata`)).toBe(0);
    expect(await readIdentity(db)).toEqual(EARLIER);
  });
});
