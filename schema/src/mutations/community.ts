// Community mutations: create, update, join, leave, decide a request, remove, change a role, follow.
// The server locks the community row (FOR NO KEY UPDATE) before any membership decision, so counts
// such as "active admins" cannot change under a concurrent leave or demotion. Rules MU* in
// sync-server/src/writes/SPEC.md; the decisions themselves live in ./community-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { communityRole, communityVisibility, joinPolicy, type MembershipRow } from '../tables/communities';
import {
  canSee,
  joinStatus,
  requireAdmin,
  requireCanLeave,
  requireConsistentPolicy,
  requirePending,
  requireRemovable,
  requireRoleChange,
  requireVisible,
  type CommunityFacts,
  type MembershipFacts,
} from './community-rules';
import {
  defineMutation,
  guess,
  reject,
  type LocalReader,
  type MutationContext,
  type RowChange,
  type Tx,
} from './define';
import { existingId, line, newId, prose, slug } from './fields';

const visibility = z.enum(communityVisibility.values);
const policy = z.enum(joinPolicy.values);
const role = z.enum(communityRole.values);

interface Standing {
  community: CommunityFacts;
  own: MembershipFacts | null;
}

interface StandingRow {
  id: string;
  visibility: CommunityFacts['visibility'];
  join_policy: CommunityFacts['join_policy'];
  membership_id: string | null;
  user_id: string | null;
  role: MembershipFacts['role'] | null;
  status: MembershipFacts['status'] | null;
}

/**
 * The community and the caller's membership. `lock` first takes the community row for this
 * transaction; the read after it is a new statement, so (read committed) it sees every membership
 * change committed by whoever held the lock before us (MU17).
 */
async function readStanding(
  tx: Tx,
  communityId: string,
  userId: string,
  lock: boolean,
): Promise<Standing | null> {
  if (lock) {
    const locked = await tx.query(`select 1 from communities where id = $1 for no key update`, [communityId]);
    if (locked.rows.length === 0) return null;
  }
  const { rows } = await tx.query<StandingRow>(
    `select c.id, c.visibility, c.join_policy, m.id as membership_id, m.user_id, m.role, m.status
     from communities c
     left join memberships m on m.community_id = c.id and m.user_id = $2
     where c.id = $1`,
    [communityId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const community = { id: row.id, visibility: row.visibility, join_policy: row.join_policy };
  const own =
    row.membership_id !== null && row.user_id !== null && row.role !== null && row.status !== null
      ? { id: row.membership_id, user_id: row.user_id, role: row.role, status: row.status }
      : null;
  return { community, own };
}

async function readMembership(tx: Tx, communityId: string, userId: string): Promise<MembershipFacts | null> {
  const { rows } = await tx.query<MembershipFacts>(
    `select id, user_id, role, status from memberships where community_id = $1 and user_id = $2 for update`,
    [communityId, userId],
  );
  return rows[0] ?? null;
}

async function countActiveAdmins(tx: Tx, communityId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from memberships where community_id = $1 and role = 'admin' and status = 'active'`,
    [communityId],
  );
  return rows[0]?.n ?? 0;
}

/** The caller's standing, locked, for an admin-only action: not_found for outsiders of a private one. */
async function requireAdminStanding(tx: Tx, communityId: string, ctx: MutationContext): Promise<Standing> {
  const standing = await readStanding(tx, communityId, ctx.userId, true);
  if (!standing) return reject(ErrorCode.notFound, 'This community does not exist.');
  requireVisible(standing.community, standing.own);
  requireAdmin(standing.own);
  return standing;
}

async function audit(
  tx: Tx,
  ctx: MutationContext,
  action: string,
  membershipId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `insert into audit_log (actor_id, action, subject_table, subject_id, details, created_at)
     values ($1, $2, 'memberships', $3, $4::jsonb, $5)`,
    [ctx.userId, action, membershipId, JSON.stringify(details), ctx.now],
  );
}

// The optimistic side reads the same facts from the replica.

async function localStanding(local: LocalReader, communityId: string, userId: string) {
  const community = await local.get('communities', communityId);
  const [own] = await local.find('memberships', { community_id: communityId, user_id: userId });
  return { community, own };
}

async function localActiveAdmins(local: LocalReader, communityId: string): Promise<number> {
  return (await local.find('memberships', { community_id: communityId, role: 'admin', status: 'active' }))
    .length;
}

function membershipChange(
  row: MembershipRow,
  patch: Partial<MembershipRow>,
  ctx: MutationContext,
): RowChange[] {
  return [
    { table: 'memberships', op: 'upsert', row: { ...row, ...patch, updated_at: ctx.now.toISOString() } },
  ];
}

async function localTarget(local: LocalReader, communityId: string, userId: string, ctx: MutationContext) {
  const { community, own } = await localStanding(local, communityId, ctx.userId);
  requireVisible(community, own);
  requireAdmin(own);
  const [target] = await local.find('memberships', { community_id: communityId, user_id: userId });
  return target;
}

/** [MU12] Anyone signed in creates a community and becomes its first admin; slugs are unique. */
export const createCommunity = defineMutation({
  name: 'createCommunity',
  args: z
    .strictObject({
      id: newId,
      membershipId: newId,
      slug,
      name: line(120),
      description: prose(10_000).optional(),
      visibility: visibility.optional(),
      joinPolicy: policy.optional(),
    })
    .refine((args) => args.visibility !== 'private' || args.joinPolicy === 'approval', {
      path: ['joinPolicy'],
      message: 'a private community takes members by approval; set joinPolicy to "approval"',
    }),
  async apply(tx, args, ctx) {
    const taken = await tx.query(`select 1 from communities where slug = $1`, [args.slug]);
    if (taken.rows.length > 0)
      reject(ErrorCode.slugTaken, `slug: the address "${args.slug}" is taken; pick another.`);
    const inserted = await tx.query(
      `insert into communities (id, slug, name, description, visibility, join_policy, created_by, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       on conflict (id) do nothing returning id`,
      [
        args.id,
        args.slug,
        args.name,
        args.description ?? '',
        args.visibility ?? 'public',
        args.joinPolicy ?? 'open',
        ctx.userId,
        ctx.now,
      ],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'id: this community id is already used.');
    await tx.query(
      `insert into memberships (id, community_id, user_id, role, status, created_at, updated_at)
       values ($1, $2, $3, 'admin', 'active', $4, $4)`,
      [args.membershipId, args.id, ctx.userId, ctx.now],
    );
  },
  optimistic(args, ctx) {
    const now = ctx.now.toISOString();
    return Promise.resolve([
      {
        table: 'communities',
        op: 'upsert',
        row: {
          id: args.id,
          slug: args.slug,
          name: args.name,
          description: args.description ?? '',
          visibility: args.visibility ?? 'public',
          join_policy: args.joinPolicy ?? 'open',
          cover_media_id: null,
          created_by: ctx.userId,
          created_at: now,
          updated_at: now,
        },
      },
      {
        table: 'memberships',
        op: 'upsert',
        row: {
          id: args.membershipId,
          community_id: args.id,
          user_id: ctx.userId,
          role: 'admin',
          status: 'active',
          decided_by: null,
          created_at: now,
          updated_at: now,
        },
      },
    ]);
  },
});

/** [MU13] Admins edit name, description, visibility and join policy (MU3 holds after the edit). */
export const updateCommunity = defineMutation({
  name: 'updateCommunity',
  args: z
    .strictObject({
      communityId: existingId,
      name: line(120).optional(),
      description: prose(10_000).optional(),
      visibility: visibility.optional(),
      joinPolicy: policy.optional(),
    })
    .refine(
      ({ communityId: _, ...fields }) => Object.values(fields).some((value) => value !== undefined),
      'give at least one of name, description, visibility, joinPolicy',
    ),
  authorize: (tx, args, ctx) => requireAdminStanding(tx, args.communityId, ctx),
  async apply(tx, args, ctx, { community }) {
    requireConsistentPolicy(
      args.visibility ?? community.visibility,
      args.joinPolicy ?? community.join_policy,
    );
    await tx.query(
      `update communities set
         name = coalesce($2, name),
         description = coalesce($3, description),
         visibility = coalesce($4::community_visibility, visibility),
         join_policy = coalesce($5::join_policy, join_policy),
         updated_at = $6
       where id = $1`,
      [
        args.communityId,
        args.name ?? null,
        args.description ?? null,
        args.visibility ?? null,
        args.joinPolicy ?? null,
        ctx.now,
      ],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { community, own } = await localStanding(local, args.communityId, ctx.userId);
      if (!community) return [];
      requireAdmin(own);
      requireConsistentPolicy(
        args.visibility ?? community.visibility,
        args.joinPolicy ?? community.join_policy,
      );
      const row = {
        ...community,
        name: args.name ?? community.name,
        description: args.description ?? community.description,
        visibility: args.visibility ?? community.visibility,
        join_policy: args.joinPolicy ?? community.join_policy,
        updated_at: ctx.now.toISOString(),
      };
      return [{ table: 'communities', op: 'upsert', row }];
    }),
});

/** [MU4] Join: open -> active; approval or private -> pending. A private community is joined by its id. */
export const joinCommunity = defineMutation({
  name: 'joinCommunity',
  args: z.strictObject({ communityId: existingId, membershipId: newId }),
  async authorize(tx, args, ctx) {
    const standing = await readStanding(tx, args.communityId, ctx.userId, true);
    if (!standing) return reject(ErrorCode.notFound, 'This community does not exist.');
    const { rows } = await tx.query<{ blocked: boolean }>(
      `select exists (
         select 1 from blocks b
         join memberships a on a.user_id = b.blocker_id
         where b.blocked_id = $2 and a.community_id = $1 and a.role = 'admin' and a.status = 'active'
       ) as blocked`,
      [args.communityId, ctx.userId],
    );
    const status = joinStatus(standing.community, standing.own, rows[0]?.blocked ?? false);
    return { own: standing.own, status };
  },
  async apply(tx, args, ctx, { own, status }) {
    if (own) {
      await tx.query(
        `update memberships set status = $2, role = 'member', decided_by = null, updated_at = $3 where id = $1`,
        [own.id, status, ctx.now],
      );
      return;
    }
    const inserted = await tx.query(
      `insert into memberships (id, community_id, user_id, role, status, created_at, updated_at)
       values ($1, $2, $3, 'member', $4, $5, $5)
       on conflict (id) do nothing returning id`,
      [args.membershipId, args.communityId, ctx.userId, status, ctx.now],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'membershipId: this id is already used.');
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { community, own } = await localStanding(local, args.communityId, ctx.userId);
      // A private community the replica cannot see yet: the request will wait for an admin.
      const facts = community ?? { id: args.communityId, visibility: 'private', join_policy: 'approval' };
      const status = joinStatus(facts, own, false);
      if (own) return membershipChange(own, { status, role: 'member', decided_by: null }, ctx);
      const now = ctx.now.toISOString();
      const row: MembershipRow = {
        id: args.membershipId,
        community_id: args.communityId,
        user_id: ctx.userId,
        role: 'member',
        status,
        decided_by: null,
        created_at: now,
        updated_at: now,
      };
      return [{ table: 'memberships', op: 'upsert', row }];
    }),
});

/** [MU5] Leave (or withdraw a pending request); the last admin cannot leave. */
export const leaveCommunity = defineMutation({
  name: 'leaveCommunity',
  args: z.strictObject({ communityId: existingId }),
  async authorize(tx, args, ctx) {
    const standing = await readStanding(tx, args.communityId, ctx.userId, true);
    if (!standing) return reject(ErrorCode.notFound, 'This community does not exist.');
    const admins = standing.own?.role === 'admin' ? await countActiveAdmins(tx, args.communityId) : 0;
    return requireCanLeave(standing.own, admins);
  },
  async apply(tx, _args, ctx, own) {
    await tx.query(`update memberships set status = 'left', updated_at = $2 where id = $1`, [
      own.id,
      ctx.now,
    ]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { own } = await localStanding(local, args.communityId, ctx.userId);
      if (!own) return [];
      requireCanLeave(own, await localActiveAdmins(local, args.communityId));
      return membershipChange(own, { status: 'left' }, ctx);
    }),
});

/** [MU6] An admin approves (-> active) or denies (-> removed) a pending request; both are audited. */
export const decideMembership = defineMutation({
  name: 'decideMembership',
  args: z.strictObject({
    communityId: existingId,
    userId: existingId,
    decision: z.enum(['approve', 'deny']),
  }),
  async authorize(tx, args, ctx) {
    await requireAdminStanding(tx, args.communityId, ctx);
    return requirePending(await readMembership(tx, args.communityId, args.userId));
  },
  async apply(tx, args, ctx, target) {
    const status = args.decision === 'approve' ? 'active' : 'removed';
    await tx.query(`update memberships set status = $2, decided_by = $3, updated_at = $4 where id = $1`, [
      target.id,
      status,
      ctx.userId,
      ctx.now,
    ]);
    await audit(
      tx,
      ctx,
      args.decision === 'approve' ? 'membership.approved' : 'membership.denied',
      target.id,
      {
        communityId: args.communityId,
        userId: args.userId,
      },
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const target = requirePending(await localTarget(local, args.communityId, args.userId, ctx));
      const status = args.decision === 'approve' ? 'active' : 'removed';
      return membershipChange(target, { status, decided_by: ctx.userId }, ctx);
    }),
});

/** [MU7] An admin removes another member (or a pending request); audited. */
export const removeMember = defineMutation({
  name: 'removeMember',
  args: z.strictObject({ communityId: existingId, userId: existingId }),
  async authorize(tx, args, ctx) {
    await requireAdminStanding(tx, args.communityId, ctx);
    return requireRemovable(await readMembership(tx, args.communityId, args.userId), ctx.userId);
  },
  async apply(tx, args, ctx, target) {
    await tx.query(
      `update memberships set status = 'removed', decided_by = $2, updated_at = $3 where id = $1`,
      [target.id, ctx.userId, ctx.now],
    );
    await audit(tx, ctx, 'membership.removed', target.id, {
      communityId: args.communityId,
      userId: args.userId,
      role: target.role,
      previousStatus: target.status,
    });
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const target = requireRemovable(
        await localTarget(local, args.communityId, args.userId, ctx),
        ctx.userId,
      );
      return membershipChange(target, { status: 'removed', decided_by: ctx.userId }, ctx);
    }),
});

/** [MU8] An admin sets an active member's role; demoting the last admin is refused; audited. */
export const changeRole = defineMutation({
  name: 'changeRole',
  args: z.strictObject({ communityId: existingId, userId: existingId, role }),
  async authorize(tx, args, ctx) {
    await requireAdminStanding(tx, args.communityId, ctx);
    const target = await readMembership(tx, args.communityId, args.userId);
    const admins = target?.role === 'admin' ? await countActiveAdmins(tx, args.communityId) : 0;
    return requireRoleChange(target, args.role, admins);
  },
  async apply(tx, args, ctx, target) {
    if (target.role === args.role) return;
    await tx.query(`update memberships set role = $2, updated_at = $3 where id = $1`, [
      target.id,
      args.role,
      ctx.now,
    ]);
    await audit(tx, ctx, 'membership.role_changed', target.id, {
      communityId: args.communityId,
      userId: args.userId,
      from: target.role,
      to: args.role,
    });
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const target = await localTarget(local, args.communityId, args.userId, ctx);
      const row = requireRoleChange(target, args.role, await localActiveAdmins(local, args.communityId));
      return row.role === args.role ? [] : membershipChange(row, { role: args.role }, ctx);
    }),
});

/** [MU14] Follow a community you can see; following twice is a no-op. */
export const followCommunity = defineMutation({
  name: 'followCommunity',
  args: z.strictObject({ communityId: existingId, followId: newId }),
  async authorize(tx, args, ctx) {
    const standing = await readStanding(tx, args.communityId, ctx.userId, false);
    requireVisible(standing?.community, standing?.own);
  },
  async apply(tx, args, ctx) {
    await tx.query(
      `insert into follows (id, follower_id, community_id, created_at) values ($1, $2, $3, $4)
       on conflict (follower_id, community_id) where community_id is not null do nothing`,
      [args.followId, ctx.userId, args.communityId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { community, own } = await localStanding(local, args.communityId, ctx.userId);
      if (!community || !canSee(community, own)) return [];
      const existing = await local.find('follows', {
        follower_id: ctx.userId,
        community_id: args.communityId,
      });
      if (existing.length > 0) return [];
      const row = {
        id: args.followId,
        follower_id: ctx.userId,
        community_id: args.communityId,
        followed_user_id: null,
        created_at: ctx.now.toISOString(),
      };
      return [{ table: 'follows', op: 'upsert', row }];
    }),
});

/** [MU15] Unfollow removes your follow if there is one; otherwise nothing happens. */
export const unfollowCommunity = defineMutation({
  name: 'unfollowCommunity',
  args: z.strictObject({ communityId: existingId }),
  async apply(tx, args, ctx) {
    await tx.query(`delete from follows where follower_id = $1 and community_id = $2`, [
      ctx.userId,
      args.communityId,
    ]);
  },
  async optimistic(args, ctx, local) {
    const rows = await local.find('follows', { follower_id: ctx.userId, community_id: args.communityId });
    return rows.map((row): RowChange => ({ table: 'follows', op: 'delete', row }));
  },
});
