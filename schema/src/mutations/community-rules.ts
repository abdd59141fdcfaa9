// Who may do what in a community, as pure decisions over rows: the server calls them on rows it read
// (and locked) in the mutation's transaction, the optimistic apply on the replica's rows. Rules MU*
// in sync-server/src/writes/SPEC.md.
import { ErrorCode } from '../errors';
import type { CommunityRow, MembershipRow } from '../tables/communities';
import { reject } from './define';

export type CommunityFacts = Pick<CommunityRow, 'id' | 'visibility' | 'join_policy'>;
export type MembershipFacts = Pick<MembershipRow, 'id' | 'user_id' | 'role' | 'status'>;
export type CommunityRole = MembershipRow['role'];

const isActive = <M extends MembershipFacts>(m: M | null | undefined): m is M => m?.status === 'active';

/** [MU1] A private community exists, for its outsiders, only through a join request. */
export function canSee(community: CommunityFacts, own: MembershipFacts | null | undefined): boolean {
  return community.visibility === 'public' || own?.status === 'active' || own?.status === 'pending';
}

export function requireVisible(
  community: CommunityFacts | null | undefined,
  own: MembershipFacts | null | undefined,
) {
  if (!community || !canSee(community, own)) reject(ErrorCode.notFound, 'This community does not exist.');
  return community;
}

/** [MU2] Admin-only actions: managing the community, its members and their roles. */
export function requireAdmin(own: MembershipFacts | null | undefined): void {
  if (!isActive(own) || own.role !== 'admin')
    reject(ErrorCode.forbidden, 'Only an admin of this community can do this.');
}

/** [MU3] A private community takes members by approval only. */
export function requireConsistentPolicy(
  visibility: CommunityRow['visibility'],
  policy: CommunityRow['join_policy'],
): void {
  if (visibility === 'private' && policy !== 'approval')
    reject(
      ErrorCode.validationFailed,
      'joinPolicy: a private community takes members by approval; set joinPolicy to "approval".',
    );
}

/**
 * [MU4] Joining: open -> active, approval (and every private community) -> pending. Members and
 * pending requests cannot join again; someone an admin removed, or an admin blocked, cannot join.
 */
export function joinStatus(
  community: CommunityFacts,
  own: MembershipFacts | null | undefined,
  blockedByAnAdmin: boolean,
): 'active' | 'pending' {
  if (own?.status === 'active')
    reject(ErrorCode.alreadyMember, 'You are already a member of this community.');
  if (own?.status === 'pending')
    reject(ErrorCode.conflict, 'Your request to join is already waiting for an admin.');
  if (own?.status === 'removed' || blockedByAnAdmin)
    reject(ErrorCode.forbidden, 'You cannot join this community.');
  return community.visibility === 'public' && community.join_policy === 'open' ? 'active' : 'pending';
}

/** [MU5] Leaving (or withdrawing a request): the last active admin stays until someone else is admin. */
export function requireCanLeave<M extends MembershipFacts>(
  own: M | null | undefined,
  activeAdmins: number,
): M {
  if (own?.status !== 'active' && own?.status !== 'pending')
    reject(ErrorCode.notMember, 'You are not a member of this community.');
  if (own.status === 'active' && own.role === 'admin' && activeAdmins <= 1)
    reject(ErrorCode.lastAdmin, 'You are the last admin: make another member admin before you leave.');
  return own;
}

/** [MU6] Approve or deny applies to a pending request only. */
export function requirePending<M extends MembershipFacts>(target: M | null | undefined): M {
  if (!target) reject(ErrorCode.notFound, 'There is no request to join from this person.');
  if (target.status !== 'pending') reject(ErrorCode.conflict, 'This request to join was already decided.');
  return target;
}

/** [MU7] Removal applies to other people who are members or waiting; yourself, you leave. */
export function requireRemovable<M extends MembershipFacts>(
  target: M | null | undefined,
  actorId: string,
): M {
  if (target?.status !== 'active' && target?.status !== 'pending')
    reject(ErrorCode.notMember, 'This person is not a member of this community.');
  if (target.user_id === actorId)
    reject(ErrorCode.conflict, 'You cannot remove yourself; leave the community instead.');
  return target;
}

/** [MU8] Roles change for active members; the last active admin cannot be demoted. */
export function requireRoleChange<M extends MembershipFacts>(
  target: M | null | undefined,
  role: CommunityRole,
  activeAdmins: number,
): M {
  if (!isActive(target))
    reject(ErrorCode.notMember, 'This person is not an active member of this community.');
  if (target.role === 'admin' && role !== 'admin' && activeAdmins <= 1)
    reject(ErrorCode.lastAdmin, 'This is the last admin: make another member admin first.');
  return target;
}
