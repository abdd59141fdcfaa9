// Every account and community mutation through POST /api/mutations on a real Postgres: the
// authorization matrix of SPEC.md, each mutation's rules (MU*), and the write path's order and
// stamping rules (WP6, WP8, WP9, WP10, MU16, MU17).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { MemoryReplica, mutations, type MutationName, type RowChange } from '@hearth/schema/mutations/index';
import {
  addMembership,
  call,
  communityWorld,
  dumpTables,
  FROZEN_NOW,
  lockWaiters,
  post,
  ROLES,
  send,
  startWriteHarness,
  type Role,
  type World,
  type WriteHarness,
} from './test-support/harness';
import { createTestUser } from './test-support/sessions';

let h: WriteHarness;
beforeAll(async () => {
  h = await startWriteHarness();
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

async function membershipOf(communityId: string, userId: string) {
  const [row] = await q<{
    id: string;
    role: string;
    status: string;
    decided_by: string | null;
    updated_at: Date;
  }>(
    `select id, role, status, decided_by, updated_at from memberships where community_id = $1 and user_id = $2`,
    [communityId, userId],
  );
  return row;
}

/** The rows of one world, to check that a refusal changed nothing but its receipt. */
async function worldRows(world: World): Promise<string> {
  const ids = world.users.map((u) => u.id);
  const parts = await Promise.all([
    q(`select * from communities where id = any($1) order by id`, [
      [world.communityId, world.otherCommunityId],
    ]),
    q(`select * from memberships where user_id = any($1) order by id`, [ids]),
    q(`select * from follows where follower_id = any($1) order by id`, [ids]),
    q(`select * from blocks where blocker_id = any($1) order by id`, [ids]),
    q(`select * from users where id = any($1) order by id`, [ids]),
    q(`select * from audit_log where actor_id = any($1) order by id`, [ids]),
    q(`select id from communities where created_by = any($1) order by id`, [ids]),
  ]);
  return JSON.stringify(parts);
}

type Expected = 'ok' | ErrorCode;
type Case = {
  mutation: MutationName;
  kind: 'public' | 'private';
  args: (world: World) => unknown;
  expect: Record<Role, Expected>;
};

const all = (expected: Expected): Record<Role, Expected> => ({
  admin: expected,
  organizer: expected,
  member: expected,
  outsider: expected,
  removed: expected,
  blocked: expected,
});
const adminOnly: Record<Role, Expected> = { ...all(ErrorCode.forbidden), admin: 'ok' };

const matrix: Case[] = [
  { mutation: 'updateProfile', kind: 'public', args: () => ({ bio: 'matrix' }), expect: all('ok') },
  {
    mutation: 'blockUser',
    kind: 'public',
    args: (w) => ({ userId: w.target.id, blockId: newId() }),
    expect: all('ok'),
  },
  { mutation: 'unblockUser', kind: 'public', args: (w) => ({ userId: w.target.id }), expect: all('ok') },
  {
    mutation: 'createCommunity',
    kind: 'public',
    args: () => ({ id: newId(), membershipId: newId(), slug: `m-${newId()}`, name: 'Matrix' }),
    expect: all('ok'),
  },
  {
    mutation: 'updateCommunity',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId, name: 'Renamed' }),
    expect: adminOnly,
  },
  {
    mutation: 'updateCommunity',
    kind: 'private',
    args: (w) => ({ communityId: w.communityId, name: 'Renamed' }),
    expect: {
      ...adminOnly,
      outsider: ErrorCode.notFound,
      removed: ErrorCode.notFound,
      blocked: ErrorCode.notFound,
    },
  },
  {
    mutation: 'decideMembership',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId, userId: w.pending.id, decision: 'approve' }),
    expect: adminOnly,
  },
  {
    mutation: 'removeMember',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId, userId: w.target.id }),
    expect: adminOnly,
  },
  {
    mutation: 'changeRole',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId, userId: w.target.id, role: 'organizer' }),
    expect: adminOnly,
  },
  ...(['public', 'private'] as const).map((kind): Case => ({
    mutation: 'joinCommunity',
    kind,
    args: (w) => ({ communityId: w.communityId, membershipId: newId() }),
    expect: {
      admin: ErrorCode.alreadyMember,
      organizer: ErrorCode.alreadyMember,
      member: ErrorCode.alreadyMember,
      outsider: 'ok',
      removed: ErrorCode.forbidden,
      blocked: ErrorCode.forbidden,
    },
  })),
  {
    mutation: 'leaveCommunity',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId }),
    expect: {
      admin: ErrorCode.lastAdmin,
      organizer: 'ok',
      member: 'ok',
      outsider: ErrorCode.notMember,
      removed: ErrorCode.notMember,
      blocked: ErrorCode.notMember,
    },
  },
  {
    mutation: 'followCommunity',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId, followId: newId() }),
    expect: all('ok'),
  },
  {
    mutation: 'followCommunity',
    kind: 'private',
    args: (w) => ({ communityId: w.communityId, followId: newId() }),
    expect: {
      ...all('ok'),
      outsider: ErrorCode.notFound,
      removed: ErrorCode.notFound,
      blocked: ErrorCode.notFound,
    },
  },
  {
    mutation: 'unfollowCommunity',
    kind: 'public',
    args: (w) => ({ communityId: w.communityId }),
    expect: all('ok'),
  },
];

describe('authorization matrix (SPEC.md)', () => {
  for (const entry of matrix) {
    const label = `${entry.mutation}${entry.kind === 'private' ? ' (private)' : ''}`;

    it(`[WP1] ${label}: no session is 401 unauthenticated and stores nothing`, async () => {
      const world = await communityWorld(h.db.pool, entry.kind);
      const before = await dumpTables(h.db.pool);
      const outcome = await send(h.app, null, entry.mutation, entry.args(world));
      expect(outcome).toMatchObject({ status: 'http 401', code: ErrorCode.unauthenticated });
      expect(await dumpTables(h.db.pool)).toEqual(before);
    });

    for (const role of ROLES) {
      const expected = entry.expect[role];
      it(`[MU2] ${label} by ${role}: ${expected === 'ok' ? 'accepted' : expected}`, async () => {
        const world = await communityWorld(h.db.pool, entry.kind);
        const before = await worldRows(world);
        const outcome = await send(h.app, world.actors[role], entry.mutation, entry.args(world));
        const [receipt] = await q<{ status: string; error_code: string | null; user_id: string }>(
          `select status, error_code, user_id from receipts where id = $1`,
          [outcome.id],
        );
        if (expected === 'ok') {
          expect(outcome).toEqual({ id: outcome.id, status: 'accepted' });
          expect(receipt).toEqual({ status: 'accepted', error_code: null, user_id: world.actors[role].id });
        } else {
          expect(outcome).toMatchObject({ status: 'rejected', code: expected });
          expect(receipt).toEqual({
            status: 'rejected',
            error_code: expected,
            user_id: world.actors[role].id,
          });
          expect(await worldRows(world)).toBe(before);
        }
      });
    }
  }
});

describe('account mutations', () => {
  it('[MU9][WP9] updateProfile changes only the given fields, canonically, stamped with the server clock', async () => {
    const user = await createTestUser(h.db.pool, { displayName: 'Before' });
    const outcome = await send(h.app, user, 'updateProfile', {
      bio: 'Poet',
      locale: 'pt-br',
      timeZone: 'utc',
    });
    expect(outcome.status).toBe('accepted');
    const [row] = await q(
      `select display_name, bio, locale, time_zone, updated_at from users where id = $1`,
      [user.id],
    );
    expect(row).toEqual({
      display_name: 'Before',
      bio: 'Poet',
      locale: 'pt-BR',
      time_zone: 'UTC',
      updated_at: FROZEN_NOW,
    });
  });

  it('[MU10] blockUser ends follows both ways, twice is a no-op, and yourself is refused', async () => {
    const [me, them] = [await createTestUser(h.db.pool), await createTestUser(h.db.pool)];
    await q(`insert into follows (id, follower_id, followed_user_id) values ($1, $2, $3), ($4, $3, $2)`, [
      newId(),
      me.id,
      them.id,
      newId(),
    ]);
    expect((await send(h.app, me, 'blockUser', { userId: them.id, blockId: newId() })).status).toBe(
      'accepted',
    );
    expect((await send(h.app, me, 'blockUser', { userId: them.id, blockId: newId() })).status).toBe(
      'accepted',
    );
    expect(
      await q(`select blocker_id, blocked_id, created_at from blocks where blocker_id = $1`, [me.id]),
    ).toEqual([{ blocker_id: me.id, blocked_id: them.id, created_at: FROZEN_NOW }]);
    expect(await q(`select id from follows where follower_id = any($1)`, [[me.id, them.id]])).toEqual([]);
    expect(await send(h.app, me, 'blockUser', { userId: me.id, blockId: newId() })).toMatchObject({
      status: 'rejected',
      code: ErrorCode.validationFailed,
    });
    expect(await send(h.app, me, 'blockUser', { userId: newId(), blockId: newId() })).toMatchObject({
      status: 'rejected',
      code: ErrorCode.notFound,
    });
  });

  it('[MU11] unblockUser removes my block', async () => {
    const [me, them] = [await createTestUser(h.db.pool), await createTestUser(h.db.pool)];
    await send(h.app, me, 'blockUser', { userId: them.id, blockId: newId() });
    expect((await send(h.app, me, 'unblockUser', { userId: them.id })).status).toBe('accepted');
    expect(await q(`select id from blocks where blocker_id = $1`, [me.id])).toEqual([]);
  });
});

describe('community mutations', () => {
  it('[MU12][WP9] createCommunity: the caller is its creator and first admin; slugs are unique', async () => {
    const me = await createTestUser(h.db.pool);
    const args = { id: newId(), membershipId: newId(), slug: `poets-${Date.now()}`, name: 'Poets' };
    expect((await send(h.app, me, 'createCommunity', args)).status).toBe('accepted');
    expect(
      await q(`select created_by, created_at, visibility, join_policy from communities where id = $1`, [
        args.id,
      ]),
    ).toEqual([{ created_by: me.id, created_at: FROZEN_NOW, visibility: 'public', join_policy: 'open' }]);
    expect(await membershipOf(args.id, me.id)).toMatchObject({
      id: args.membershipId,
      role: 'admin',
      status: 'active',
    });

    const again = { ...args, id: newId(), membershipId: newId() };
    expect(await send(h.app, me, 'createCommunity', again)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.slugTaken,
    });
    const sameId = { ...args, slug: `other-${Date.now()}`, membershipId: newId() };
    expect(await send(h.app, me, 'createCommunity', sameId)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.conflict,
    });
  });

  it('[MU13][MU3] updateCommunity edits fields; private needs approval, also after the edit', async () => {
    const world = await communityWorld(h.db.pool);
    const admin = world.actors.admin;
    const id = world.communityId;
    expect(
      await send(h.app, admin, 'updateCommunity', { communityId: id, visibility: 'private' }),
    ).toMatchObject({
      status: 'rejected',
      code: ErrorCode.validationFailed,
    });
    const outcome = await send(h.app, admin, 'updateCommunity', {
      communityId: id,
      visibility: 'private',
      joinPolicy: 'approval',
      description: 'Now private',
    });
    expect(outcome.status).toBe('accepted');
    expect(
      await q(`select visibility, join_policy, description, updated_at from communities where id = $1`, [id]),
    ).toEqual([
      { visibility: 'private', join_policy: 'approval', description: 'Now private', updated_at: FROZEN_NOW },
    ]);
    expect(
      await send(h.app, admin, 'updateCommunity', { communityId: id, joinPolicy: 'open' }),
    ).toMatchObject({
      code: ErrorCode.validationFailed,
    });
    expect(await send(h.app, admin, 'updateCommunity', { communityId: newId(), name: 'x' })).toMatchObject({
      code: ErrorCode.notFound,
    });
  });

  it('[MU4] join: open -> active, approval -> pending, pending again -> conflict, after leaving -> member again', async () => {
    const world = await communityWorld(h.db.pool);
    const newcomer = world.actors.outsider;
    await send(h.app, newcomer, 'joinCommunity', { communityId: world.communityId, membershipId: newId() });
    expect(await membershipOf(world.communityId, newcomer.id)).toMatchObject({
      status: 'active',
      role: 'member',
    });

    await q(`update communities set join_policy = 'approval' where id = $1`, [world.communityId]);
    const late = await createTestUser(h.db.pool);
    const membershipId = newId();
    await send(h.app, late, 'joinCommunity', { communityId: world.communityId, membershipId });
    expect(await membershipOf(world.communityId, late.id)).toMatchObject({
      id: membershipId,
      status: 'pending',
    });
    expect(
      await send(h.app, late, 'joinCommunity', { communityId: world.communityId, membershipId: newId() }),
    ).toMatchObject({ status: 'rejected', code: ErrorCode.conflict });

    // An organizer who left comes back as a plain member, in the same row.
    const organizer = world.actors.organizer;
    const before = await membershipOf(world.communityId, organizer.id);
    await send(h.app, organizer, 'leaveCommunity', { communityId: world.communityId });
    await q(`update communities set join_policy = 'open' where id = $1`, [world.communityId]);
    await send(h.app, organizer, 'joinCommunity', { communityId: world.communityId, membershipId: newId() });
    expect(await membershipOf(world.communityId, organizer.id)).toMatchObject({
      id: before?.id,
      status: 'active',
      role: 'member',
    });
    expect(
      await send(h.app, organizer, 'joinCommunity', { communityId: newId(), membershipId: newId() }),
    ).toMatchObject({ code: ErrorCode.notFound });
  });

  it('[MU5] leave: pending requests can be withdrawn; an admin leaves once another admin exists', async () => {
    const world = await communityWorld(h.db.pool);
    await send(h.app, world.pending, 'leaveCommunity', { communityId: world.communityId });
    expect(await membershipOf(world.communityId, world.pending.id)).toMatchObject({ status: 'left' });
    const admin = world.actors.admin;
    expect(await send(h.app, admin, 'leaveCommunity', { communityId: world.communityId })).toMatchObject({
      code: ErrorCode.lastAdmin,
    });
    await send(h.app, admin, 'changeRole', {
      communityId: world.communityId,
      userId: world.target.id,
      role: 'admin',
    });
    expect((await send(h.app, admin, 'leaveCommunity', { communityId: world.communityId })).status).toBe(
      'accepted',
    );
    expect(await membershipOf(world.communityId, admin.id)).toMatchObject({ status: 'left' });
  });

  it('[MU6][WP10] decideMembership approves or denies a pending request once, audited', async () => {
    const world = await communityWorld(h.db.pool);
    const admin = world.actors.admin;
    const other = await createTestUser(h.db.pool);
    await addMembership(h.db.pool, world.communityId, other.id, 'member', 'pending');
    const decide = (userId: string, decision: string) =>
      send(h.app, admin, 'decideMembership', { communityId: world.communityId, userId, decision });

    expect((await decide(world.pending.id, 'approve')).status).toBe('accepted');
    expect((await decide(other.id, 'deny')).status).toBe('accepted');
    expect(await membershipOf(world.communityId, world.pending.id)).toMatchObject({
      status: 'active',
      decided_by: admin.id,
    });
    expect(await membershipOf(world.communityId, other.id)).toMatchObject({
      status: 'removed',
      decided_by: admin.id,
    });
    expect(await decide(world.pending.id, 'deny')).toMatchObject({ code: ErrorCode.conflict });
    expect(await decide(world.actors.outsider.id, 'approve')).toMatchObject({ code: ErrorCode.notFound });
    // Denied people cannot ask again.
    expect(
      await send(h.app, other, 'joinCommunity', { communityId: world.communityId, membershipId: newId() }),
    ).toMatchObject({ code: ErrorCode.forbidden });
    expect(
      await q(
        `select actor_id, action, subject_table, created_at from audit_log where actor_id = $1 order by id`,
        [admin.id],
      ),
    ).toEqual([
      {
        actor_id: admin.id,
        action: 'membership.approved',
        subject_table: 'memberships',
        created_at: FROZEN_NOW,
      },
      {
        actor_id: admin.id,
        action: 'membership.denied',
        subject_table: 'memberships',
        created_at: FROZEN_NOW,
      },
    ]);
  });

  it('[MU7][WP10] removeMember removes others (audited), never yourself; the removed cannot rejoin', async () => {
    const world = await communityWorld(h.db.pool);
    const admin = world.actors.admin;
    const target = await membershipOf(world.communityId, world.target.id);
    const remove = (userId: string) =>
      send(h.app, admin, 'removeMember', { communityId: world.communityId, userId });
    expect((await remove(world.target.id)).status).toBe('accepted');
    expect(await membershipOf(world.communityId, world.target.id)).toMatchObject({
      status: 'removed',
      decided_by: admin.id,
    });
    expect(
      await q(`select action, subject_id, details from audit_log where actor_id = $1`, [admin.id]),
    ).toEqual([
      {
        action: 'membership.removed',
        subject_id: target?.id,
        details: {
          communityId: world.communityId,
          userId: world.target.id,
          role: 'member',
          previousStatus: 'active',
        },
      },
    ]);
    expect(await remove(admin.id)).toMatchObject({ code: ErrorCode.conflict });
    expect(await remove(world.target.id)).toMatchObject({ code: ErrorCode.notMember });
    expect(
      await send(h.app, world.target, 'joinCommunity', {
        communityId: world.communityId,
        membershipId: newId(),
      }),
    ).toMatchObject({ code: ErrorCode.forbidden });
  });

  it('[MU8][WP10] changeRole: promote and demote, audited; the last admin cannot demote themselves', async () => {
    const world = await communityWorld(h.db.pool);
    const admin = world.actors.admin;
    const change = (userId: string, role: string) =>
      send(h.app, admin, 'changeRole', { communityId: world.communityId, userId, role });
    expect(await change(admin.id, 'member')).toMatchObject({ code: ErrorCode.lastAdmin });
    expect((await change(world.target.id, 'admin')).status).toBe('accepted');
    expect((await change(world.target.id, 'admin')).status).toBe('accepted');
    expect((await change(admin.id, 'organizer')).status).toBe('accepted');
    expect(await membershipOf(world.communityId, admin.id)).toMatchObject({ role: 'organizer' });
    expect(await change(world.pending.id, 'organizer')).toMatchObject({ code: ErrorCode.forbidden });
    expect(
      await q(
        `select details from audit_log where actor_id = $1 and action = 'membership.role_changed' order by id`,
        [admin.id],
      ),
    ).toEqual([
      { details: { communityId: world.communityId, userId: world.target.id, from: 'member', to: 'admin' } },
      { details: { communityId: world.communityId, userId: admin.id, from: 'admin', to: 'organizer' } },
    ]);
  });

  it('[MU8] changeRole refuses people who are not active members', async () => {
    const world = await communityWorld(h.db.pool);
    const outcome = await send(h.app, world.actors.admin, 'changeRole', {
      communityId: world.communityId,
      userId: world.pending.id,
      role: 'organizer',
    });
    expect(outcome).toMatchObject({ code: ErrorCode.notMember });
  });

  it('[MU14][MU15] follow twice keeps one row; unfollow removes it; both are no-ops when repeated', async () => {
    const world = await communityWorld(h.db.pool);
    const me = world.actors.outsider;
    const follow = () =>
      send(h.app, me, 'followCommunity', { communityId: world.communityId, followId: newId() });
    expect((await follow()).status).toBe('accepted');
    expect((await follow()).status).toBe('accepted');
    expect(
      await q(`select follower_id, created_at from follows where community_id = $1`, [world.communityId]),
    ).toEqual([{ follower_id: me.id, created_at: FROZEN_NOW }]);
    for (let i = 0; i < 2; i++)
      expect((await send(h.app, me, 'unfollowCommunity', { communityId: world.communityId })).status).toBe(
        'accepted',
      );
    expect(await q(`select id from follows where community_id = $1`, [world.communityId])).toEqual([]);
    expect(
      await send(h.app, me, 'followCommunity', { communityId: newId(), followId: newId() }),
    ).toMatchObject({
      code: ErrorCode.notFound,
    });
  });
});

describe('the write path', () => {
  it('[WP8][WP6] each mutation is its own transaction: a rejection in the middle undoes only itself', async () => {
    const world = await communityWorld(h.db.pool);
    const me = world.actors.member;
    const batch = [
      call('updateProfile', { bio: 'first' }),
      call('updateCommunity', { communityId: world.communityId, name: 'Not allowed' }),
      call('followCommunity', { communityId: world.communityId, followId: newId() }),
    ];
    const { status, body } = await post(h.app, me, { mutations: batch });
    expect(status).toBe(200);
    expect(body.outcomes?.map((o) => [o.id, o.status, o.code])).toEqual([
      [batch[0]?.id, 'accepted', undefined],
      [batch[1]?.id, 'rejected', ErrorCode.forbidden],
      [batch[2]?.id, 'accepted', undefined],
    ]);
    expect(await q(`select bio from users where id = $1`, [me.id])).toEqual([{ bio: 'first' }]);
    expect(await q(`select count(*)::int as n from follows where follower_id = $1`, [me.id])).toEqual([
      { n: 1 },
    ]);
    expect(
      await q(`select status from receipts where id = any($1) order by id`, [batch.map((m) => m.id)]),
    ).toEqual([{ status: 'accepted' }, { status: 'rejected' }, { status: 'accepted' }]);
  });

  it('[MU17] two admins leaving at once: one leaves, the other is the last admin', async () => {
    const world = await communityWorld(h.db.pool);
    const second = world.target;
    await q(`update memberships set role = 'admin' where community_id = $1 and user_id = $2`, [
      world.communityId,
      second.id,
    ]);
    // Hold the community row so both requests are inside their transactions before either decides.
    const holder = await h.db.pool.connect();
    try {
      await holder.query('begin');
      await holder.query(`select 1 from communities where id = $1 for update`, [world.communityId]);
      const both = Promise.all(
        [world.actors.admin, second].map((admin) =>
          send(h.app, admin, 'leaveCommunity', { communityId: world.communityId }),
        ),
      );
      await lockWaiters(h.db.pool, 2);
      await holder.query('commit');
      const outcomes = await both;
      expect(outcomes.map((o) => o.status).sort()).toEqual(['accepted', 'rejected']);
      expect(outcomes.find((o) => o.status === 'rejected')?.code).toBe(ErrorCode.lastAdmin);
    } finally {
      holder.release();
    }
    expect(
      await q(
        `select count(*)::int as n from memberships where community_id = $1 and role = 'admin' and status = 'active'`,
        [world.communityId],
      ),
    ).toEqual([{ n: 1 }]);
  });

  it('[MU17] a removal and a leave at once: the one that waited sees the other and is refused', async () => {
    const world = await communityWorld(h.db.pool);
    const holder = await h.db.pool.connect();
    try {
      await holder.query('begin');
      await holder.query(`select 1 from communities where id = $1 for update`, [world.communityId]);
      // Queued in this order on the community row: the removal first, then the leave.
      const removal = send(h.app, world.actors.admin, 'removeMember', {
        communityId: world.communityId,
        userId: world.target.id,
      });
      await lockWaiters(h.db.pool, 1);
      const leave = send(h.app, world.target, 'leaveCommunity', { communityId: world.communityId });
      await lockWaiters(h.db.pool, 2);
      await holder.query('commit');
      expect((await removal).status).toBe('accepted');
      expect(await leave).toMatchObject({ status: 'rejected', code: ErrorCode.notMember });
    } finally {
      holder.release();
    }
    expect(await membershipOf(world.communityId, world.target.id)).toMatchObject({ status: 'removed' });
  });

  it('[MU16] the optimistic guess is the row the server writes (same clock, same ids)', async () => {
    const world = await communityWorld(h.db.pool);
    const me = world.actors.outsider;
    const replicaOf = async () => {
      const rows = (sql: string, params: unknown[]) => q(sql, params).then((r) => r.map(normalize));
      return new MemoryReplica({
        users: (await rows(`select * from users where id = $1`, [me.id])) as never,
        communities: (await rows(`select * from communities where id = $1`, [world.communityId])) as never,
        memberships: (await rows(`select * from memberships where community_id = $1`, [
          world.communityId,
        ])) as never,
      });
    };
    const ctx = { userId: me.id, siteRole: 'member' as const, now: FROZEN_NOW, mutationId: newId() };
    const cases: [MutationName, unknown, (change: RowChange) => Promise<unknown>][] = [
      [
        'updateProfile',
        { bio: 'guessed', timeZone: 'Asia/Tokyo' },
        (c) => rowOf('users', (c.row as { id: string }).id),
      ],
      [
        'joinCommunity',
        { communityId: world.communityId, membershipId: newId() },
        (c) => rowOf('memberships', (c.row as { id: string }).id),
      ],
      [
        'createCommunity',
        { id: newId(), membershipId: newId(), slug: `g-${Date.now()}`, name: 'Guessed' },
        (c) => rowOf(c.table, (c.row as { id: string }).id),
      ],
    ];
    for (const [name, raw, read] of cases) {
      const mutation = mutations[name];
      const args: unknown = mutation.args.parse(raw);
      const changes = await (mutation as (typeof mutations)['updateProfile']).optimistic(
        args as never,
        ctx,
        await replicaOf(),
      );
      expect(changes.length, name).toBeGreaterThan(0);
      expect((await send(h.app, me, name, raw)).status).toBe('accepted');
      for (const change of changes) expect(await read(change), `${name} ${change.table}`).toEqual(change.row);
    }
  });
});

function normalize(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
}

async function rowOf(table: string, id: string) {
  const allowed = ['users', 'communities', 'memberships'];
  if (!allowed.includes(table)) throw new Error(`unexpected table ${table}`);
  const [row] = await q(`select * from ${table} where id = $1`, [id]);
  return row ? normalize(row) : undefined;
}
