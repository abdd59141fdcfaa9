// Communities, who belongs to them and in which role, who follows what, who blocks whom.
import { col, defineTable, pgEnum, type Row } from '../table';

export const communityVisibility = pgEnum('community_visibility', ['public', 'private']);

export const joinPolicy = pgEnum('join_policy', ['open', 'approval']);

export const communityRole = pgEnum('community_role', ['member', 'organizer', 'admin']);

export const membershipStatus = pgEnum('membership_status', ['pending', 'active', 'removed', 'left']);

export const communities = defineTable({
  name: 'communities',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    slug: col.text(),
    name: col.text(),
    description: col.text().defaulted(),
    visibility: col.enum(communityVisibility).defaulted(),
    join_policy: col.enum(joinPolicy).defaulted(),
    cover_media_id: col.uuid().orNull(),
    created_by: col.uuid(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type CommunityRow = Row<typeof communities>;

export const memberships = defineTable({
  name: 'memberships',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    community_id: col.uuid(),
    user_id: col.uuid(),
    role: col.enum(communityRole).defaulted(),
    status: col.enum(membershipStatus),
    decided_by: col.uuid().orNull(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type MembershipRow = Row<typeof memberships>;

export const follows = defineTable({
  name: 'follows',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    follower_id: col.uuid(),
    community_id: col.uuid().orNull(),
    followed_user_id: col.uuid().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type FollowRow = Row<typeof follows>;

export const blocks = defineTable({
  name: 'blocks',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    blocker_id: col.uuid(),
    blocked_id: col.uuid(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type BlockRow = Row<typeof blocks>;
