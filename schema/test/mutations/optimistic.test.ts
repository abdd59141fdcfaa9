// The optimistic applies (SPEC MU16): pure functions from args, context and the local rows to the
// row changes a client lays over its replica. Run here over the in-memory replica.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids';
import {
  MemoryReplica,
  mutations,
  type MutationContext,
  type ReplicaRow,
  type RowChange,
} from '../../src/mutations/index';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const EARLIER = '2026-01-01T00:00:00.000Z';

function ctxFor(userId: string): MutationContext {
  return { userId, siteRole: 'member', now: NOW, mutationId: newId() };
}

function user(id: string): ReplicaRow<'users'> {
  return {
    id,
    display_name: 'Ada',
    bio: '',
    avatar_media_id: null,
    locale: 'en',
    time_zone: 'UTC',
    site_role: 'member',
    created_at: EARLIER,
    updated_at: EARLIER,
    deleted_at: null,
  };
}

function community(id: string, extra: Partial<ReplicaRow<'communities'>> = {}): ReplicaRow<'communities'> {
  return {
    id,
    slug: `c-${id.slice(-6)}`,
    name: 'Circle',
    description: '',
    visibility: 'public',
    join_policy: 'open',
    cover_media_id: null,
    created_by: id,
    created_at: EARLIER,
    updated_at: EARLIER,
    ...extra,
  };
}

function membership(
  communityId: string,
  userId: string,
  extra: Partial<ReplicaRow<'memberships'>> = {},
): ReplicaRow<'memberships'> {
  return {
    id: newId(),
    community_id: communityId,
    user_id: userId,
    role: 'member',
    status: 'active',
    decided_by: null,
    created_at: EARLIER,
    updated_at: EARLIER,
    ...extra,
  };
}

const me = newId();
const other = newId();
const c = newId();

describe('optimistic applies', () => {
  it('[MU16] updateProfile lays the new fields over my own row, stamped with the device clock', async () => {
    const local = new MemoryReplica({ users: [user(me)] });
    const changes = await mutations.updateProfile.optimistic({ bio: 'poet' }, ctxFor(me), local);
    expect(changes).toEqual([
      { table: 'users', op: 'upsert', row: { ...user(me), bio: 'poet', updated_at: NOW.toISOString() } },
    ]);
  });

  it('[MU16] createCommunity guesses the community and my admin membership with the ids I made', async () => {
    const args = mutations.createCommunity.args.parse({
      id: newId(),
      membershipId: newId(),
      slug: 'poets',
      name: 'Poets',
    });
    const changes = await mutations.createCommunity.optimistic(args, ctxFor(me), new MemoryReplica());
    expect(changes.map((change) => [change.table, change.op, (change.row as { id?: string }).id])).toEqual([
      ['communities', 'upsert', args.id],
      ['memberships', 'upsert', args.membershipId],
    ]);
    expect(changes[1]?.row).toMatchObject({ user_id: me, role: 'admin', status: 'active' });
  });

  it('[MU4][MU16] joining an open community guesses active; an unknown (private) one guesses pending', async () => {
    const local = new MemoryReplica({ communities: [community(c)] });
    const membershipId = newId();
    const [open] = await mutations.joinCommunity.optimistic(
      { communityId: c, membershipId },
      ctxFor(me),
      local,
    );
    expect(open?.row).toMatchObject({ id: membershipId, status: 'active', role: 'member' });
    const unseen = newId();
    const [hidden] = await mutations.joinCommunity.optimistic(
      { communityId: unseen, membershipId },
      ctxFor(me),
      local,
    );
    expect(hidden?.row).toMatchObject({ community_id: unseen, status: 'pending' });
  });

  it('[MU4][MU16] rejoining after leaving reuses my membership row', async () => {
    const left = membership(c, me, { status: 'left', role: 'organizer' });
    const local = new MemoryReplica({ communities: [community(c)], memberships: [left] });
    const changes = await mutations.joinCommunity.optimistic(
      { communityId: c, membershipId: newId() },
      ctxFor(me),
      local,
    );
    expect(changes).toEqual([
      {
        table: 'memberships',
        op: 'upsert',
        row: { ...left, status: 'active', role: 'member', updated_at: NOW.toISOString() },
      },
    ]);
  });

  it('[MU16] when the local rows already show a refusal, there is nothing to lay over', async () => {
    const admin = membership(c, me, { role: 'admin' });
    const local = new MemoryReplica({ communities: [community(c)], memberships: [admin] });
    const ctx = ctxFor(me);
    expect(
      await mutations.joinCommunity.optimistic({ communityId: c, membershipId: newId() }, ctx, local),
    ).toEqual([]);
    expect(await mutations.leaveCommunity.optimistic({ communityId: c }, ctx, local)).toEqual([]);
    const asMember = ctxFor(other);
    expect(
      await mutations.updateCommunity.optimistic({ communityId: c, name: 'Mine' }, asMember, local),
    ).toEqual([]);
  });

  it('[MU6][MU7][MU8] admin actions change the target membership', async () => {
    const admin = membership(c, me, { role: 'admin' });
    const pending = membership(c, other, { status: 'pending' });
    const local = new MemoryReplica({ communities: [community(c)], memberships: [admin, pending] });
    const ctx = ctxFor(me);
    const [approved] = await mutations.decideMembership.optimistic(
      { communityId: c, userId: other, decision: 'approve' },
      ctx,
      local,
    );
    expect(approved?.row).toMatchObject({ id: pending.id, status: 'active', decided_by: me });
    local.apply(approved ? [approved] : []);
    const [promoted] = await mutations.changeRole.optimistic(
      { communityId: c, userId: other, role: 'organizer' },
      ctx,
      local,
    );
    expect(promoted?.row).toMatchObject({ id: pending.id, role: 'organizer' });
    const [removed] = await mutations.removeMember.optimistic({ communityId: c, userId: other }, ctx, local);
    expect(removed?.row).toMatchObject({ id: pending.id, status: 'removed', decided_by: me });
  });

  it('[MU10][MU16] blocking adds the block and hides my follow of that person', async () => {
    const follow: ReplicaRow<'follows'> = {
      id: newId(),
      follower_id: me,
      community_id: null,
      followed_user_id: other,
      created_at: EARLIER,
    };
    const local = new MemoryReplica({ follows: [follow] });
    const blockId = newId();
    const changes = await mutations.blockUser.optimistic({ userId: other, blockId }, ctxFor(me), local);
    expect(changes).toEqual<RowChange[]>([
      {
        table: 'blocks',
        op: 'upsert',
        row: { id: blockId, blocker_id: me, blocked_id: other, created_at: NOW.toISOString() },
      },
      { table: 'follows', op: 'delete', row: follow },
    ]);
    local.apply(changes);
    expect(local.rows('follows')).toEqual([]);
    expect(await mutations.unblockUser.optimistic({ userId: other }, ctxFor(me), local)).toEqual([
      { table: 'blocks', op: 'delete', row: changes[0]?.row },
    ]);
  });

  it('[MU14][MU15] follow guesses a row once; unfollow hides it', async () => {
    const local = new MemoryReplica({ communities: [community(c)] });
    const followId = newId();
    const changes = await mutations.followCommunity.optimistic(
      { communityId: c, followId },
      ctxFor(me),
      local,
    );
    expect(changes).toHaveLength(1);
    local.apply(changes);
    expect(
      await mutations.followCommunity.optimistic({ communityId: c, followId: newId() }, ctxFor(me), local),
    ).toEqual([]);
    const hidden = await mutations.unfollowCommunity.optimistic({ communityId: c }, ctxFor(me), local);
    expect(hidden).toEqual([{ table: 'follows', op: 'delete', row: changes[0]?.row }]);
  });
});
