// A mutation is applied at most once whatever the retries (ARCHITECTURE.md invariant 2): replays,
// concurrent replays, replays by someone else, and retries after a failure (SPEC WP1, WP4, WP5, WP7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import {
  call,
  communityWorld,
  dumpTables,
  GroupWatch,
  lockWaiters,
  post,
  startWriteHarness,
  type WriteHarness,
} from './test-support/harness';
import { createTestUser } from './test-support/sessions';

// Three transactions in flight at once: copies beyond them queue and share the next group (WP13).
const LANES = 3;
let h: WriteHarness;
let watch: GroupWatch;
beforeAll(async () => {
  watch = new GroupWatch();
  h = await startWriteHarness({}, { lanes: LANES, observer: watch });
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

describe('replays', () => {
  it('[WP4] a replayed accepted mutation answers accepted and applies nothing again', async () => {
    const me = await createTestUser(h.db.pool);
    const create = call('createCommunity', {
      id: newId(),
      membershipId: newId(),
      slug: `once-${Date.now()}`,
      name: 'Once',
    });
    const first = await post(h.app, me, { mutations: [create] });
    const before = await dumpTables(h.db.pool);
    const again = await post(h.app, me, { mutations: [create] });
    expect(again).toEqual(first);
    expect(again.body.outcomes).toEqual([{ id: create.id, status: 'accepted' }]);
    expect(await dumpTables(h.db.pool)).toEqual(before);
  });

  it('[WP4] a replayed rejection answers the stored rejection, even once it would now pass', async () => {
    const world = await communityWorld(h.db.pool);
    const leave = call('leaveCommunity', { communityId: world.communityId });
    const first = await post(h.app, world.actors.admin, { mutations: [leave] });
    expect(first.body.outcomes?.[0]).toMatchObject({ status: 'rejected', code: ErrorCode.lastAdmin });
    // Now another admin exists, so a *new* leave would pass; the replay must not apply it.
    await q(`update memberships set role = 'admin' where community_id = $1 and user_id = $2`, [
      world.communityId,
      world.target.id,
    ]);
    const again = await post(h.app, world.actors.admin, { mutations: [leave] });
    expect(again.body).toEqual(first.body);
    expect(
      await q(`select status from memberships where community_id = $1 and user_id = $2`, [
        world.communityId,
        world.actors.admin.id,
      ]),
    ).toEqual([{ status: 'active' }]);
  });

  it('[WP4] a batch replayed after a partial send answers every stored outcome and applies only new ones', async () => {
    const me = await createTestUser(h.db.pool);
    const first = call('updateProfile', { bio: 'one' });
    await post(h.app, me, { mutations: [first] });
    const second = call('updateProfile', { bio: 'two' });
    const { body } = await post(h.app, me, { mutations: [first, second] });
    expect(body.outcomes?.map((o) => o.status)).toEqual(['accepted', 'accepted']);
    expect(await q(`select bio from users where id = $1`, [me.id])).toEqual([{ bio: 'two' }]);
    expect(await q(`select count(*)::int as n from receipts where user_id = $1`, [me.id])).toEqual([
      { n: 2 },
    ]);
  });

  it("[WP5] another user's id is refused without revealing anything, and stores nothing", async () => {
    const world = await communityWorld(h.db.pool);
    const mine = call('leaveCommunity', { communityId: world.communityId });
    await post(h.app, world.actors.admin, { mutations: [mine] });
    const stranger = await createTestUser(h.db.pool);
    const before = await dumpTables(h.db.pool);
    const { status, body } = await post(h.app, stranger, { mutations: [mine] });
    expect(status).toBe(200);
    expect(body.outcomes).toEqual([
      {
        id: mine.id,
        status: 'rejected',
        code: ErrorCode.mutationIdTaken,
        message: 'This mutation id was already used for another mutation; make a new id for this one.',
      },
    ]);
    expect(JSON.stringify(body)).not.toContain(ErrorCode.lastAdmin);
    expect(await dumpTables(h.db.pool)).toEqual(before);
  });

  it('[WP5] my own id reused for another mutation is refused and applies nothing', async () => {
    const me = await createTestUser(h.db.pool);
    const id = newId();
    await post(h.app, me, { mutations: [call('updateProfile', { bio: 'kept' }, id)] });
    const { body } = await post(h.app, me, {
      mutations: [call('blockUser', { userId: newId(), blockId: newId() }, id)],
    });
    expect(body.outcomes?.[0]).toMatchObject({ status: 'rejected', code: ErrorCode.mutationIdTaken });
    expect(await q(`select bio from users where id = $1`, [me.id])).toEqual([{ bio: 'kept' }]);
  });
});

describe('concurrent replays', () => {
  it('[WP4][WP15] the same join sent 6 times at once, in different groups and in one, is applied once and every copy answers accepted', async () => {
    const world = await communityWorld(h.db.pool);
    const join = call('joinCommunity', { communityId: world.communityId, membershipId: newId() });
    const holder = await h.db.pool.connect();
    let responses;
    try {
      // Hold the community row: the first copy claims the receipt and waits on it, two more (the other
      // lanes) wait on the first's receipt, three queue for the next group. All sent before any commit.
      await holder.query('begin');
      await holder.query(`select 1 from communities where id = $1 for update`, [world.communityId]);
      const sends = Promise.all(
        Array.from({ length: 6 }, () => post(h.app, world.actors.outsider, { mutations: [join] })),
      );
      await lockWaiters(h.db.pool, LANES);
      await watch.untilWaiting(6 - LANES);
      await holder.query('commit');
      responses = await sends;
    } finally {
      holder.release();
    }
    for (const response of responses)
      expect(response.body.outcomes).toEqual([{ id: join.id, status: 'accepted' }]);
    expect(await q(`select count(*)::int as n from receipts where id = $1`, [join.id])).toEqual([{ n: 1 }]);
    expect(
      await q(`select status from memberships where community_id = $1 and user_id = $2`, [
        world.communityId,
        world.actors.outsider.id,
      ]),
    ).toEqual([{ status: 'active' }]);
  });

  it('[WP4] concurrent copies of a rejected mutation all answer the one stored rejection', async () => {
    const world = await communityWorld(h.db.pool);
    const update = call('updateCommunity', { communityId: world.communityId, name: 'Not yours' });
    const holder = await h.db.pool.connect();
    let responses;
    try {
      await holder.query('begin');
      await holder.query(`select 1 from communities where id = $1 for update`, [world.communityId]);
      const sends = Promise.all(
        Array.from({ length: 4 }, () => post(h.app, world.actors.member, { mutations: [update] })),
      );
      await lockWaiters(h.db.pool, LANES);
      await watch.untilWaiting(4 - LANES);
      await holder.query('commit');
      responses = await sends;
    } finally {
      holder.release();
    }
    const outcomes = responses.map((response) => response.body.outcomes?.[0]);
    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', code: ErrorCode.forbidden });
    expect(await q(`select count(*)::int as n from receipts where id = $1`, [update.id])).toEqual([{ n: 1 }]);
  });
});

describe('retry', () => {
  it('[WP7] an unexpected failure answers retry, stores nothing for it or after it, and a resend completes', async () => {
    // A server whose statements give up waiting for a lock: a held lock becomes an unexpected error.
    const impatient = await startWriteHarness({ options: '-c lock_timeout=50' });
    try {
      const world = await communityWorld(impatient.db.pool);
      const me = world.actors.outsider;
      const batch = [
        call('updateProfile', { bio: 'before the failure' }),
        call('joinCommunity', { communityId: world.communityId, membershipId: newId() }),
        call('followCommunity', { communityId: world.communityId, followId: newId() }),
      ];
      const holder = await impatient.db.pool.connect();
      let failed;
      try {
        await holder.query('begin');
        await holder.query(`select 1 from communities where id = $1 for update`, [world.communityId]);
        failed = await post(impatient.app, me, { mutations: batch });
        await holder.query('commit');
      } finally {
        holder.release();
      }
      expect(failed.status).toBe(200);
      expect(failed.body.outcomes?.map((o) => [o.status, o.code])).toEqual([
        ['accepted', undefined],
        ['retry', ErrorCode.internal],
        ['retry', ErrorCode.unavailable],
      ]);
      const stored = await impatient.db.pool.query(`select id from receipts where id = any($1)`, [
        batch.map((m) => m.id),
      ]);
      expect(stored.rows).toEqual([{ id: batch[0]?.id }]);
      expect(
        (await impatient.db.pool.query(`select id from follows where follower_id = $1`, [me.id])).rows,
      ).toEqual([]);

      const resent = await post(impatient.app, me, { mutations: batch });
      expect(resent.body.outcomes?.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(
        (await impatient.db.pool.query(`select count(*)::int as n from receipts where user_id = $1`, [me.id]))
          .rows,
      ).toEqual([{ n: 3 }]);
    } finally {
      await impatient.close();
    }
  });
});

describe('sessions', () => {
  it('[WP1] no session, an unknown token, or a revoked session is 401 before the body is read', async () => {
    const me = await createTestUser(h.db.pool);
    await q(`update sessions set revoked_at = now() where user_id = $1`, [me.id]);
    const before = await dumpTables(h.db.pool);
    const body = { mutations: [call('updateProfile', { bio: 'x' })] };
    for (const response of [
      await post(h.app, null, body),
      await post(h.app, { id: me.id, token: 'forged' }, body),
      await post(h.app, me, body),
      await post(h.app, null, '{not json'),
    ]) {
      expect(response.status).toBe(401);
      expect(response.body.code).toBe(ErrorCode.unauthenticated);
    }
    expect(await dumpTables(h.db.pool)).toEqual(before);
  });
});
