// Revocation (ARCHITECTURE.md Invariant 3, sync-server/src/gateway/SPEC.md GW6): a member of private
// community P syncs a PGlite replica through the gateway with pglite-sync; P's admin removes them with
// the real removeMember mutation; the replica loses every row of P it may no longer see and keeps the
// public ones. Waits are live queries on the replica, never time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { live, type LiveNamespace } from '@electric-sql/pglite/live';
import { electricSync, type SyncNamespaceObj } from '@electric-sql/pglite-sync';
import { tableByName } from '@hearth/schema/catalogue';
import { newId } from '@hearth/schema/ids';
import { isEnumType, syncedColumnNames, type Table } from '@hearth/schema/table';
import {
  sessionCookie,
  startGatewayHarness,
  type GatewayHarness,
} from '@hearth/sync-server/gateway/test-support/harness';
import { seedWorld, type World } from '@hearth/sync-server/gateway/test-support/world';
import { MUTATIONS_PATH } from '@hearth/sync-server/writes/routes';

const TABLES = ['communities', 'memberships', 'events', 'stories', 'story_emotions', 'comments'];

let h: GatewayHarness;
let world: World;
let replica: PGlite & { live: LiveNamespace; sync: SyncNamespaceObj };

beforeAll(async () => {
  // Short long polls: shapes whose tables did not change come back (and meet their 409) sooner.
  h = await startGatewayHarness({ longPollMs: 500 });
  world = await seedWorld(h.pool);
  replica = await PGlite.create({ extensions: { live, sync: electricSync() } });
  for (const name of TABLES) {
    const table = tableByName(name);
    if (!table) throw new Error(`no table ${name}`);
    await replica.exec(replicaTable(table));
  }
}, 120_000);

afterAll(async () => {
  await replica?.close();
  await h?.close();
});

/** The table as pglite-sync fills it: the synced columns, enums as text (the app's own replica
 * schema, with its overlay layer, is the web's business; this test needs only the synced rows). */
function replicaTable(table: Table): string {
  const columns = syncedColumnNames(table).map((name) => {
    const type = table.columns[name]?.type ?? 'text';
    return `"${name}" ${isEnumType(type) ? 'text' : type}`;
  });
  return `create table "${table.name}" (${columns.join(', ')}, primary key (${table.primaryKey.join(', ')}))`;
}

/** Resolves once `sql` returns a row count that `check` accepts: a live query, woken by each commit. */
function once(sql: string, check: (count: number) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    replica.live
      .query<{ n: number }>(`select count(*)::int as n from (${sql}) as q`, [], (result) => {
        if (check(result.rows[0]?.n ?? -1)) resolve();
      })
      .catch(reject);
  });
}

/** What of P the member sees only as a member: the community, its events and their comments, the others' memberships. */
function ofP(): string {
  const { p, ids } = world;
  return `
    select id::text from communities where id = '${p}'
    union all select id::text from events where community_id = '${p}'
    union all select id::text from comments where event_id in ('${ids.ePcomm}', '${ids.ePunlisted}')
    union all select id::text from memberships where community_id = '${p}' and user_id <> '${world.users.member.id}'`;
}

describe('revocation through the gateway', () => {
  it('[GW6] a member removed from a private community loses its rows from a PGlite replica', async () => {
    const cookie = sessionCookie(world.users.member.token);
    const sync = await replica.sync.syncShapesToTables({
      key: null,
      shapes: Object.fromEntries(
        TABLES.map((table) => [
          table,
          { shape: { url: h.shapeUrl(table), headers: { cookie } }, table, primaryKey: ['id'] },
        ]),
      ),
    });
    // Before: P's community, its 2 events (one with the member's RSVP), the organizer's comment on
    // it, the 2 other active members.
    await once(ofP(), (n) => n === 1 + 2 + 1 + 2);
    await once(`select id from stories where id = '${world.ids.sPub}'`, (n) => n === 1);

    const response = await fetch(`${h.url}${MUTATIONS_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: sessionCookie(world.users.admin.token),
        origin: h.url,
      },
      body: JSON.stringify({
        mutations: [
          {
            id: newId(),
            name: 'removeMember',
            args: { communityId: world.p, userId: world.users.member.id },
          },
        ],
      }),
    });
    expect(((await response.json()) as { outcomes: { status: string }[] }).outcomes[0]?.status).toBe(
      'accepted',
    );

    await once(ofP(), (n) => n === 0);
    // Public rows stay; so do the member's own: their stories (also the one shared with P, with its
    // emotion and comments) and their membership, now removed.
    const kept = await replica.query<{ id: string }>(
      `select id from stories union all select story_id from story_emotions
       union all select story_id from comments where story_id is not null`,
    );
    const { sPub, sPriv, sComm, sByBlocked, sByAdmin } = world.ids;
    expect(new Set(kept.rows.map((r) => r.id))).toEqual(new Set([sPub, sPriv, sComm, sByBlocked, sByAdmin]));
    const own = await replica.query<{ status: string }>(
      `select status from memberships where user_id = '${world.users.member.id}' and community_id = '${world.p}'`,
    );
    expect(own.rows).toEqual([{ status: 'removed' }]);
    sync.unsubscribe();
  });
});
