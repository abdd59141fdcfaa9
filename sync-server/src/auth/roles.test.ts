import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS,
  can,
  COMMUNITY_ACTIONS,
  roleIn,
  type Actor,
  type ActorMembership,
  type CommunityAction,
  type CommunityRef,
} from './roles';

const PUBLIC: CommunityRef = { id: 'c-public', visibility: 'public' };
const PRIVATE: CommunityRef = { id: 'c-private', visibility: 'private' };

function actor(membership: ActorMembership | null, siteRole: Actor['siteRole'] = 'member'): Actor {
  const memberships = new Map<string, ActorMembership>();
  if (membership !== null) {
    memberships.set(PUBLIC.id, membership);
    memberships.set(PRIVATE.id, membership);
  }
  return { userId: 'u-1', siteRole, memberships };
}

const ACTORS = {
  anonymous: ANONYMOUS,
  outsider: actor(null),
  pending: actor({ role: 'member', status: 'pending' }),
  left: actor({ role: 'member', status: 'left' }),
  removed: actor({ role: 'organizer', status: 'removed' }),
  member: actor({ role: 'member', status: 'active' }),
  organizer: actor({ role: 'organizer', status: 'active' }),
  admin: actor({ role: 'admin', status: 'active' }),
  moderator: actor(null, 'moderator'),
} satisfies Record<string, Actor>;
type Who = keyof typeof ACTORS;

/** Who may, per action; the same for public and private communities unless `private` says otherwise. */
const MATRIX: Record<CommunityAction, { public: Who[]; private: Who[] }> = {
  view: {
    public: [
      'anonymous',
      'outsider',
      'pending',
      'left',
      'removed',
      'member',
      'organizer',
      'admin',
      'moderator',
    ],
    private: ['member', 'organizer', 'admin'],
  },
  join: { public: ['outsider', 'left', 'moderator'], private: ['outsider', 'left', 'moderator'] },
  leave: { public: ['member', 'organizer', 'admin'], private: ['member', 'organizer', 'admin'] },
  follow: {
    public: ['outsider', 'pending', 'left', 'removed', 'member', 'organizer', 'admin', 'moderator'],
    private: ['member', 'organizer', 'admin'],
  },
  participate: { public: ['member', 'organizer', 'admin'], private: ['member', 'organizer', 'admin'] },
  'create-event': { public: ['organizer', 'admin'], private: ['organizer', 'admin'] },
  'manage-events': { public: ['admin'], private: ['admin'] },
  'manage-members': { public: ['admin'], private: ['admin'] },
  'change-role': { public: ['admin'], private: ['admin'] },
  'edit-community': { public: ['admin'], private: ['admin'] },
  moderate: { public: ['admin', 'moderator'], private: ['admin', 'moderator'] },
};

describe('community roles', () => {
  it('[RO1] only an active membership gives a role', () => {
    expect(roleIn(ACTORS.admin, PUBLIC.id)).toBe('admin');
    expect(roleIn(ACTORS.removed, PUBLIC.id)).toBeNull();
    expect(roleIn(ACTORS.pending, PUBLIC.id)).toBeNull();
    expect(roleIn(ACTORS.member, 'another-community')).toBeNull();
    expect(roleIn(ANONYMOUS, PUBLIC.id)).toBeNull();
  });

  it('[RO2] the matrix covers every action', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...COMMUNITY_ACTIONS].sort());
  });

  for (const action of COMMUNITY_ACTIONS)
    for (const community of [PUBLIC, PRIVATE])
      it(`[RO2] [RO3] [RO4] ${action} in a ${community.visibility} community`, () => {
        const allowed = new Set(MATRIX[action][community.visibility]);
        for (const [who, a] of Object.entries(ACTORS) as [Who, Actor][])
          expect({ who, may: can(a, action, community) }).toEqual({ who, may: allowed.has(who) });
      });

  it('[RO2] a role in one community gives nothing in another', () => {
    const elsewhere: CommunityRef = { id: 'c-other', visibility: 'private' };
    for (const action of COMMUNITY_ACTIONS.filter((a) => a !== 'join' && a !== 'moderate'))
      expect(can(ACTORS.admin, action, elsewhere)).toBe(false);
  });
});
