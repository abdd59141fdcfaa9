// Who may do what in a community (SPEC.md RO1–RO4). Pure: the actor (user, site role, memberships)
// and the community come in, a yes or no goes out; every write path asks `can` before it applies.
// `loadActor` is the one query that builds an actor from the database.
import type pg from 'pg';
import type { CommunityRow, MembershipRow, UserRow } from '@hearth/schema';

export type CommunityRole = MembershipRow['role'];
export type MembershipStatus = MembershipRow['status'];
export type SiteRole = UserRow['site_role'];

export interface ActorMembership {
  readonly role: CommunityRole;
  readonly status: MembershipStatus;
}

export interface Actor {
  /** null: not signed in. */
  readonly userId: string | null;
  readonly siteRole: SiteRole;
  /** By community id; every status (a removed member must not simply re-join). */
  readonly memberships: ReadonlyMap<string, ActorMembership>;
}

export const ANONYMOUS: Actor = { userId: null, siteRole: 'member', memberships: new Map() };

export type CommunityRef = Pick<CommunityRow, 'id' | 'visibility'>;

const RANK: Record<CommunityRole, number> = { member: 1, organizer: 2, admin: 3 };

export function atLeast(role: CommunityRole | null, minimum: CommunityRole): boolean {
  return role !== null && RANK[role] >= RANK[minimum];
}

/** RO1: the actor's role in the community; only an active membership gives one. */
export function roleIn(actor: Actor, communityId: string): CommunityRole | null {
  const membership = actor.memberships.get(communityId);
  return membership?.status === 'active' ? membership.role : null;
}

/**
 * The closed set of things done in a community. Event-level rights (editing an event one hosts,
 * checking in its guests) are decided from event_hosts, not here.
 */
export const COMMUNITY_ACTIONS = [
  /** Read its community-only rows (private communities); public ones are readable by anyone. */
  'view',
  /** Ask to join or join (the join policy decides between pending and active). */
  'join',
  'leave',
  'follow',
  /** Comment, react, RSVP to community-only events, share a story with the community. */
  'participate',
  'create-event',
  /** Edit or cancel any event of the community, not only one's own. */
  'manage-events',
  /** Approve join requests, remove members. */
  'manage-members',
  'change-role',
  /** Name, description, visibility, join policy, cover. */
  'edit-community',
  /** Review reports, hide or remove content. */
  'moderate',
] as const;
export type CommunityAction = (typeof COMMUNITY_ACTIONS)[number];

/** RO2–RO4: whether the actor may do `action` in `community`. */
export function can(actor: Actor, action: CommunityAction, community: CommunityRef): boolean {
  const role = roleIn(actor, community.id);
  const signedIn = actor.userId !== null;
  switch (action) {
    case 'view':
      return community.visibility === 'public' || atLeast(role, 'member');
    case 'join': {
      // A pending request is not sent twice; a removed member stays out until an admin re-adds them.
      const status = actor.memberships.get(community.id)?.status;
      return signedIn && (status === undefined || status === 'left');
    }
    case 'leave':
    case 'participate':
      return atLeast(role, 'member');
    case 'follow':
      return signedIn && can(actor, 'view', community);
    case 'create-event':
      return atLeast(role, 'organizer');
    case 'manage-events':
    case 'manage-members':
    case 'change-role':
    case 'edit-community':
      return atLeast(role, 'admin');
    case 'moderate':
      return atLeast(role, 'admin') || (signedIn && actor.siteRole === 'moderator');
  }
}

/** The actor behind a session (or ANONYMOUS), with all of its memberships. */
export async function loadActor(db: Pick<pg.ClientBase, 'query'>, userId: string | null): Promise<Actor> {
  if (userId === null) return ANONYMOUS;
  const { rows } = await db.query<{
    site_role: SiteRole;
    community_id: string | null;
    role: CommunityRole | null;
    status: MembershipStatus | null;
  }>(
    `select u.site_role, m.community_id, m.role, m.status
       from users u left join memberships m on m.user_id = u.id
      where u.id = $1 and u.deleted_at is null`,
    [userId],
  );
  const first = rows[0];
  if (first === undefined) return ANONYMOUS;
  const memberships = new Map<string, ActorMembership>();
  for (const row of rows)
    if (row.community_id !== null && row.role !== null && row.status !== null)
      memberships.set(row.community_id, { role: row.role, status: row.status });
  return { userId, siteRole: first.site_role, memberships };
}
