// The community decisions as pure functions (SPEC MU1..MU8): the same code decides on the server
// (over locked rows) and in the optimistic guess (over the replica).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors';
import {
  canSee,
  joinStatus,
  requireAdmin,
  requireCanLeave,
  requirePending,
  requireRemovable,
  requireRoleChange,
  type CommunityFacts,
  type MembershipFacts,
} from '../../src/mutations/community-rules';
import { MutationRejected } from '../../src/mutations/index';

const publicOpen: CommunityFacts = { id: 'c', visibility: 'public', join_policy: 'open' };
const publicApproval: CommunityFacts = { ...publicOpen, join_policy: 'approval' };
const privateApproval: CommunityFacts = { ...publicOpen, visibility: 'private', join_policy: 'approval' };
const m = (extra: Partial<MembershipFacts>): MembershipFacts => ({
  id: 'm',
  user_id: 'u',
  role: 'member',
  status: 'active',
  ...extra,
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MutationRejected) return error.code;
    throw error;
  }
}

describe('community rules', () => {
  it('[MU1] a private community is seen by its active and pending members only', () => {
    expect(canSee(publicOpen, null)).toBe(true);
    expect(canSee(privateApproval, null)).toBe(false);
    expect(canSee(privateApproval, m({ status: 'pending' }))).toBe(true);
    expect(canSee(privateApproval, m({ status: 'removed' }))).toBe(false);
    expect(canSee(privateApproval, m({ status: 'left' }))).toBe(false);
  });

  it('[MU2] only an active admin passes the admin check', () => {
    expect(codeOf(() => requireAdmin(m({ role: 'admin' })))).toBeUndefined();
    for (const who of [null, m({}), m({ role: 'organizer' }), m({ role: 'admin', status: 'removed' })])
      expect(codeOf(() => requireAdmin(who))).toBe(ErrorCode.forbidden);
  });

  it('[MU4] open -> active, approval or private -> pending; members, removed and blocked people are refused', () => {
    expect(joinStatus(publicOpen, null, false)).toBe('active');
    expect(joinStatus(publicApproval, null, false)).toBe('pending');
    expect(joinStatus(privateApproval, null, false)).toBe('pending');
    expect(joinStatus(publicOpen, m({ status: 'left', role: 'admin' }), false)).toBe('active');
    expect(codeOf(() => joinStatus(publicOpen, m({}), false))).toBe(ErrorCode.alreadyMember);
    expect(codeOf(() => joinStatus(publicOpen, m({ status: 'pending' }), false))).toBe(ErrorCode.conflict);
    expect(codeOf(() => joinStatus(publicOpen, m({ status: 'removed' }), false))).toBe(ErrorCode.forbidden);
    expect(codeOf(() => joinStatus(publicOpen, null, true))).toBe(ErrorCode.forbidden);
  });

  it('[MU5] members and pending people leave; the last active admin cannot', () => {
    expect(codeOf(() => requireCanLeave(m({}), 1))).toBeUndefined();
    expect(codeOf(() => requireCanLeave(m({ status: 'pending' }), 0))).toBeUndefined();
    expect(codeOf(() => requireCanLeave(m({ role: 'admin' }), 2))).toBeUndefined();
    expect(codeOf(() => requireCanLeave(m({ role: 'admin' }), 1))).toBe(ErrorCode.lastAdmin);
    expect(codeOf(() => requireCanLeave(null, 1))).toBe(ErrorCode.notMember);
    expect(codeOf(() => requireCanLeave(m({ status: 'left' }), 1))).toBe(ErrorCode.notMember);
  });

  it('[MU6] only a pending request is decided', () => {
    expect(codeOf(() => requirePending(m({ status: 'pending' })))).toBeUndefined();
    expect(codeOf(() => requirePending(null))).toBe(ErrorCode.notFound);
    expect(codeOf(() => requirePending(m({})))).toBe(ErrorCode.conflict);
  });

  it('[MU7] an admin removes others who are members or waiting, never themselves', () => {
    expect(codeOf(() => requireRemovable(m({}), 'admin'))).toBeUndefined();
    expect(codeOf(() => requireRemovable(m({ status: 'pending' }), 'admin'))).toBeUndefined();
    expect(codeOf(() => requireRemovable(m({ status: 'left' }), 'admin'))).toBe(ErrorCode.notMember);
    expect(codeOf(() => requireRemovable(m({ user_id: 'admin' }), 'admin'))).toBe(ErrorCode.conflict);
  });

  it('[MU8] roles change for active members; the last active admin keeps the role', () => {
    expect(codeOf(() => requireRoleChange(m({}), 'admin', 1))).toBeUndefined();
    expect(codeOf(() => requireRoleChange(m({ role: 'admin' }), 'member', 2))).toBeUndefined();
    expect(codeOf(() => requireRoleChange(m({ role: 'admin' }), 'member', 1))).toBe(ErrorCode.lastAdmin);
    expect(codeOf(() => requireRoleChange(m({ role: 'admin' }), 'admin', 1))).toBeUndefined();
    expect(codeOf(() => requireRoleChange(m({ status: 'pending' }), 'organizer', 1))).toBe(
      ErrorCode.notMember,
    );
  });
});
