// The outbox on a real PGlite (in Node) with the real replica layout, and the sender against the real
// write path (sync-server's routes over a real Postgres). PGlite opens once; each test gets a clone.
import { PGlite } from '@electric-sql/pglite';
import { live } from '@electric-sql/pglite/live';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { newId } from '@hearth/schema/ids';
import type { MutationCall } from '@hearth/schema/mutations/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestUser,
  TEST_SESSION_HEADER,
  type TestUser,
} from '../../../sync-server/src/writes/test-support/sessions';
import { startWriteHarness, type WriteHarness } from '../../../sync-server/src/writes/test-support/harness';
import { applyLocalSchema, OUTBOX_TABLE } from '../db/local-schema';
import { OutboxSender, readResponse, type Transport } from './sender';
import {
  applyDecisions,
  dismissRejected,
  enqueueMutation,
  markSending,
  OutboxError,
  outboxStatus,
  rebuildOverlay,
  RECEIPTS_TO_SETTLE_SQL,
  settleByReceipts,
  takeOverInFlight,
  writeIdentity,
  type Identity,
} from './store';

const ME: Identity = { userId: '0190a000-0000-7000-8000-00000000000a', siteRole: 'member' };
const NOW = new Date('2031-01-02T03:04:05.000Z');

let template: File | Blob;
const opened: PGlite[] = [];
type Replica = Awaited<ReturnType<typeof replica>>;

beforeAll(async () => {
  const db = await PGlite.create();
  await applyLocalSchema(db, localSchemaSql(), localSchemaVersion());
  template = await db.dumpDataDir('none');
  await db.close();
}, 120_000);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** A replica as the app opens it, with my synced profile row and me signed in. */
async function replica() {
  const db = await PGlite.create({ loadDataDir: template, extensions: { live } });
  opened.push(db);
  await db.query(
    `insert into synced.users_synced (id, display_name, bio, locale, time_zone, site_role, created_at, updated_at)
     values ($1, 'Synced Name', 'synced bio', 'en', 'UTC', 'member', '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z')`,
    [ME.userId],
  );
  await writeIdentity(db, ME);
  return db;
}

const mutate = (db: Replica, name: string, args: unknown, identity: Identity | null = ME) =>
  enqueueMutation(db, { name, args, identity, now: NOW });

async function myProfile(db: PGlite) {
  const { rows } = await db.query<{ display_name: string; bio: string }>(
    `select display_name, bio from public.users where id = $1`,
    [ME.userId],
  );
  return rows;
}

async function overlayOf(db: Replica, table: string) {
  const { rows } = await db.query<{ mutation_id: string; op: string }>(
    `select mutation_id, op from overlay.${table}_overlay order by seq`,
  );
  return rows;
}

async function outbox(db: PGlite) {
  const { rows } = await db.query<{ id: string; status: string; last_error_code: string | null }>(
    `select id, status, last_error_code from ${OUTBOX_TABLE} order by seq`,
  );
  return rows;
}

async function receiptArrives(db: Replica, id: string, status: 'accepted' | 'rejected', code?: string) {
  await db.query(
    `insert into synced.receipts_synced (id, user_id, mutation, status, error_code, error_message, created_at)
     values ($1, $2, 'updateProfile', $3, $4, $5, now())`,
    [id, ME.userId, status, code ?? null, code === undefined ? null : `refused: ${code}`],
  );
}

describe('writing locally', () => {
  it('[OB1] a mutation writes its overlay rows and its pending outbox entry together', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Offline Name' });
    expect(await overlayOf(db, 'users')).toEqual([{ mutation_id: id, op: 'upsert' }]);
    expect(await outbox(db)).toEqual([{ id, status: 'pending', last_error_code: null }]);
    expect(await myProfile(db)).toEqual([{ display_name: 'Offline Name', bio: 'synced bio' }]);
    const synced = await db.query(`select display_name from synced.users_synced`);
    expect(synced.rows).toEqual([{ display_name: 'Synced Name' }]);
  });

  it('[OB1] when the outbox entry cannot be written, the overlay rows are not written either', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'First' });
    await expect(
      enqueueMutation(db, {
        name: 'updateProfile',
        args: { displayName: 'Second' },
        identity: ME,
        now: NOW,
        id,
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await overlayOf(db, 'users')).toEqual([{ mutation_id: id, op: 'upsert' }]);
    expect(await myProfile(db)).toEqual([{ display_name: 'First', bio: 'synced bio' }]);
  });

  it.each([
    [
      'a field too long',
      'updateProfile',
      { displayName: 'x'.repeat(81) },
      ME,
      'validation_failed',
      /updateProfile: displayName: /,
    ],
    [
      'an unknown field',
      'updateProfile',
      { nickname: 'x' },
      ME,
      'validation_failed',
      /updateProfile: \(body\): /,
    ],
    [
      'an unknown mutation',
      'noSuchMutation',
      {},
      ME,
      'unknown_mutation',
      /no mutation named "noSuchMutation"/,
    ],
    ['nobody signed in', 'updateProfile', { displayName: 'x' }, null, 'unauthenticated', /Sign in/],
  ] as const)(
    '[OB1] %s: refused with a typed code, nothing written',
    async (_case, name, args, who, code, message) => {
      const db = await replica();
      const error: unknown = await mutate(db, name, args, who).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OutboxError);
      expect(error).toHaveProperty('code', code);
      expect((error as OutboxError).message).toMatch(message);
      expect(await outbox(db)).toEqual([]);
      expect(await overlayOf(db, 'users')).toEqual([]);
    },
  );

  it('[OB2] an overlay delete hides the synced row; the synced row itself stays', async () => {
    const db = await replica();
    const other = newId();
    await db.query(
      `insert into synced.blocks_synced (id, blocker_id, blocked_id, created_at) values ($1, $2, $3, now())`,
      [newId(), ME.userId, other],
    );
    await mutate(db, 'unblockUser', { userId: other });
    expect((await db.query(`select * from public.blocks`)).rows).toEqual([]);
    expect((await db.query(`select * from synced.blocks_synced`)).rows).toHaveLength(1);
  });

  it('[OB2] two mutations on the same row: the later one wins, and each sees the one before', async () => {
    const db = await replica();
    const first = await mutate(db, 'updateProfile', { displayName: 'A', bio: 'from A' });
    const second = await mutate(db, 'updateProfile', { displayName: 'B' });
    expect(await myProfile(db)).toEqual([{ display_name: 'B', bio: 'from A' }]);

    // The later one refused: the earlier guess shows again.
    await applyDecisions(db, [{ id: second.id, to: 'rejected', code: 'validation_failed', message: 'no' }]);
    expect(await myProfile(db)).toEqual([{ display_name: 'A', bio: 'from A' }]);
    // The earlier one settled by its receipt: the synced row shows.
    await receiptArrives(db, first.id, 'accepted');
    expect(await myProfile(db)).toEqual([{ display_name: 'Synced Name', bio: 'synced bio' }]);
  });

  it('[OB2] a live query over a view, as screens read it, follows an optimistic change', async () => {
    const db = await replica();
    let seen!: (name: string) => void;
    const changed = new Promise<string>((resolve) => (seen = resolve));
    const query = await db.live.query<{ display_name: string }>(
      `select display_name from public.users`,
      [],
      (results) => {
        const name = results.rows[0]?.display_name ?? '';
        if (name !== 'Synced Name') seen(name);
      },
    );
    expect(query.initialResults.rows).toEqual([{ display_name: 'Synced Name' }]);
    await mutate(db, 'updateProfile', { displayName: 'Live' });
    expect(await changed).toBe('Live');
    await query.unsubscribe();
  });

  it('[OB13] the receipts still to settle can be watched live (the sender does)', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Watched' });
    let arrived!: (ids: string[]) => void;
    const receipts = new Promise<string[]>((resolve) => (arrived = resolve));
    const query = await db.live.query<{ id: string }>(RECEIPTS_TO_SETTLE_SQL, [], (results) => {
      if (results.rows.length > 0) arrived(results.rows.map((row) => row.id));
    });
    expect(query.initialResults.rows).toEqual([]);
    await receiptArrives(db, id, 'accepted');
    expect(await receipts).toEqual([id]);
    await query.unsubscribe();
  });

  it('[OB3] a reset for a new app version keeps the outbox and rebuilds the overlay from it', async () => {
    const db = await replica();
    const community = { id: newId(), membershipId: newId(), slug: 'kept-overlay', name: 'Kept' };
    const { id } = await mutate(db, 'createCommunity', community);
    const rejected = await mutate(db, 'updateProfile', { displayName: 'Refused' });
    await applyDecisions(db, [{ id: rejected.id, to: 'rejected', code: 'forbidden', message: 'no' }]);

    await applyLocalSchema(db, localSchemaSql(), 'next-version', { afterReset: rebuildOverlay });

    expect((await db.query(`select * from synced.users_synced`)).rows).toEqual([]);
    expect((await outbox(db)).map((entry) => entry.status)).toEqual(['pending', 'rejected']);
    const { rows } = await db.query<{ slug: string }>(`select slug from public.communities`);
    expect(rows).toEqual([{ slug: 'kept-overlay' }]);
    expect(await overlayOf(db, 'memberships')).toEqual([{ mutation_id: id, op: 'upsert' }]);
  });
});

describe('outcomes and receipts', () => {
  it('[OB6] a rejected outcome removes the overlay at once and keeps the entry with its typed reason', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Nope' });
    await applyDecisions(db, [
      { id, to: 'rejected', code: 'not_found', message: 'Your account no longer exists.' },
    ]);
    expect(await overlayOf(db, 'users')).toEqual([]);
    expect(await myProfile(db)).toEqual([{ display_name: 'Synced Name', bio: 'synced bio' }]);
    expect(await outboxStatus(db)).toEqual({
      pending: 0,
      rejected: [{ id, name: 'updateProfile', code: 'not_found', message: 'Your account no longer exists.' }],
    });
    await dismissRejected(db, id);
    expect(await outbox(db)).toEqual([]);
  });

  it('[OB6] only a refused change can be dismissed', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Still pending' });
    await expect(dismissRejected(db, id)).rejects.toMatchObject({ code: 'conflict' });
    expect(await overlayOf(db, 'users')).toHaveLength(1);
  });

  it('[OB5] accepted with no sync yet: no longer pending, and the overlay stays', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Accepted' });
    await markSending(db, [id]);
    await applyDecisions(db, [{ id, to: 'accepted' }]);
    expect(await outbox(db)).toEqual([{ id, status: 'accepted', last_error_code: null }]);
    expect(await myProfile(db)).toEqual([{ display_name: 'Accepted', bio: 'synced bio' }]);
    expect((await outboxStatus(db)).pending).toBe(0);
  });

  it('[OB13] a receipt arriving in synced.receipts removes exactly that mutation’s overlay', async () => {
    const db = await replica();
    const first = await mutate(db, 'updateProfile', { displayName: 'First' });
    const second = await mutate(db, 'updateProfile', { bio: 'second bio' });
    await applyDecisions(db, [{ id: first.id, to: 'accepted' }]);

    await db.transaction(async (tx) => {
      // As sync delivers it: the confirmed row and the receipt in one transaction.
      await tx.query(`update synced.users_synced set display_name = 'First' where id = $1`, [ME.userId]);
      await tx.query(
        `insert into synced.receipts_synced (id, user_id, mutation, status, created_at) values ($1, $2, 'updateProfile', 'accepted', now())`,
        [first.id, ME.userId],
      );
    });
    expect(await overlayOf(db, 'users')).toEqual([{ mutation_id: second.id, op: 'upsert' }]);
    expect(await myProfile(db)).toEqual([{ display_name: 'First', bio: 'second bio' }]);

    expect(await settleByReceipts(db)).toBe(1);
    expect(await outbox(db)).toEqual([{ id: second.id, status: 'pending', last_error_code: null }]);
  });

  it('[OB13] a rejected receipt that arrives through sync rejects its entry with the stored code', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'Refused later' });
    await receiptArrives(db, id, 'rejected', 'forbidden');
    expect(await overlayOf(db, 'users')).toEqual([]);
    await settleByReceipts(db);
    expect(await outbox(db)).toEqual([{ id, status: 'rejected', last_error_code: 'forbidden' }]);
  });

  it('[OB11] entries left in flight by a dead sender are pending again', async () => {
    const db = await replica();
    const { id } = await mutate(db, 'updateProfile', { displayName: 'In flight' });
    await markSending(db, [id]);
    expect(await takeOverInFlight(db)).toBe(1);
    expect(await outbox(db)).toEqual([{ id, status: 'pending', last_error_code: 'unavailable' }]);
  });
});

describe('the sender against the real write path', () => {
  let server: WriteHarness;
  let user: TestUser;

  beforeAll(async () => {
    server = await startWriteHarness();
    user = await createTestUser(server.db.pool, { displayName: 'Before' });
  });
  afterAll(async () => {
    await server.close();
  });

  /** The server's routes in-process, with the test session header standing for the cookie. */
  const inProcess = (): Transport => ({
    async send(calls: readonly MutationCall[]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/mutations',
        headers: { 'content-type': 'application/json', [TEST_SESSION_HEADER]: user.token },
        payload: JSON.stringify({ mutations: calls }),
      });
      return readResponse(response.statusCode, response.json());
    },
  });

  async function signedInReplica() {
    const db = await replica();
    await writeIdentity(db, { userId: user.id, siteRole: 'member' });
    return db;
  }

  it('[OB4][OB5] pending entries are sent in order in one batch and wait, accepted, for their receipts', async () => {
    const db = await signedInReplica();
    const identity: Identity = { userId: user.id, siteRole: 'member' };
    const a = await enqueueMutation(db, {
      name: 'updateProfile',
      args: { displayName: 'One' },
      identity,
      now: NOW,
    });
    const b = await enqueueMutation(db, { name: 'updateProfile', args: { bio: 'Two' }, identity, now: NOW });
    const sender = new OutboxSender({ db, transport: inProcess(), online: () => true });
    await sender.step();
    expect(await outbox(db)).toEqual([
      { id: a.id, status: 'accepted', last_error_code: null },
      { id: b.id, status: 'accepted', last_error_code: null },
    ]);
    const { rows } = await server.db.pool.query(`select display_name, bio from users where id = $1`, [
      user.id,
    ]);
    expect(rows).toEqual([{ display_name: 'One', bio: 'Two' }]);
    expect(sender.state.phase).toBe('idle');
  });

  it('[OB6] a mutation the server rejects is rolled back locally with the server’s code', async () => {
    const db = await signedInReplica();
    const identity: Identity = { userId: user.id, siteRole: 'member' };
    const { id } = await enqueueMutation(db, {
      name: 'leaveCommunity',
      args: { communityId: newId() },
      identity,
      now: NOW,
    });
    await new OutboxSender({ db, transport: inProcess(), online: () => true }).step();
    expect(await outbox(db)).toEqual([{ id, status: 'rejected', last_error_code: 'not_found' }]);
  });

  it('[OB11] a page killed mid-send: the next sender sends it again and the server applies it once', async () => {
    const db = await signedInReplica();
    const identity: Identity = { userId: user.id, siteRole: 'member' };
    const slug = `killed-${Date.now().toString(36)}`;
    const { id } = await enqueueMutation(db, {
      name: 'createCommunity',
      args: { id: newId(), membershipId: newId(), slug, name: 'Killed mid-send' },
      identity,
      now: NOW,
    });
    // The server applies the batch, but the page dies before it reads the answer: nothing after runs.
    let serverAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (serverAnswered = resolve));
    const dyingPage: Transport = {
      async send(calls) {
        await inProcess().send(calls);
        serverAnswered();
        return new Promise<never>(() => undefined);
      },
    };
    void new OutboxSender({ db, transport: dyingPage, online: () => true }).step();
    await answered;
    expect(await outbox(db)).toEqual([{ id, status: 'sending', last_error_code: null }]);

    // The reopened page's sender takes over.
    const next = new OutboxSender({ db, transport: inProcess(), online: () => true });
    await takeOverInFlight(db);
    await next.step();
    expect(await outbox(db)).toEqual([{ id, status: 'accepted', last_error_code: null }]);
    const communities = await server.db.pool.query(`select id from communities where slug = $1`, [slug]);
    expect(communities.rows).toHaveLength(1);
    const receipts = await server.db.pool.query(`select status from receipts where id = $1`, [id]);
    expect(receipts.rows).toEqual([{ status: 'accepted' }]);
  });

  it('[OB9] a session the server no longer knows leaves everything pending and the sender signed out', async () => {
    const db = await signedInReplica();
    const identity: Identity = { userId: user.id, siteRole: 'member' };
    const { id } = await enqueueMutation(db, {
      name: 'updateProfile',
      args: { bio: 'x' },
      identity,
      now: NOW,
    });
    const noSession: Transport = {
      async send(calls) {
        const response = await server.app.inject({
          method: 'POST',
          url: '/api/mutations',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ mutations: calls }),
        });
        return readResponse(response.statusCode, response.json());
      },
    };
    const sender = new OutboxSender({ db, transport: noSession, online: () => true });
    await sender.step();
    expect(sender.state.phase).toBe('signed-out');
    expect(await outbox(db)).toEqual([{ id, status: 'pending', last_error_code: 'unauthenticated' }]);
  });
});
