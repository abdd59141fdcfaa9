// Who may see and run an event, and when it takes answers, as pure decisions over rows: the server
// calls them on rows it read (and locked) in the mutation's transaction, the optimistic apply on the
// replica's rows. Rules GA1–GA7 in sync-server/src/gatherings/SPEC.md.
import { ErrorCode } from '../errors';
import type { CommunityRow, MembershipRow } from '../tables/communities';
import type { EventHostRow, EventRow } from '../tables/gatherings';
import { reject } from './define';

/** A timestamp as pg returns it (Date) or as a replica holds it (ISO text). */
export type Instant = Date | string;

export const ms = (value: Instant): number =>
  typeof value === 'string' ? Date.parse(value) : value.getTime();

export interface EventFacts {
  readonly id: string;
  readonly community_id: string;
  readonly visibility: EventRow['visibility'];
  readonly status: EventRow['status'];
  readonly starts_at: Instant;
  readonly ends_at: Instant;
  readonly time_zone: string;
  readonly capacity: number | null;
  readonly requires_approval: boolean;
  readonly guest_limit: number;
}

/** The caller's relation to an event: their membership of its community and their host role. */
export interface EventStanding {
  readonly membership: Pick<MembershipRow, 'role' | 'status'> | null;
  readonly hostRole: EventHostRow['role'] | null;
}

const activeRole = (standing: EventStanding) =>
  standing.membership?.status === 'active' ? standing.membership.role : null;

/** [GA1] Public and unlisted events to anyone with the id; community-only to active members and hosts. */
export function canSeeEvent(event: Pick<EventFacts, 'visibility'>, standing: EventStanding): boolean {
  return event.visibility !== 'community' || activeRole(standing) !== null || standing.hostRole !== null;
}

export function requireEventVisible<E extends Pick<EventFacts, 'visibility'>>(
  event: E | null | undefined,
  standing: EventStanding,
): E {
  if (!event || !canSeeEvent(event, standing)) reject(ErrorCode.notFound, 'This event does not exist.');
  return event;
}

/** [GA2] Organizers and admins of the community create events. */
export function requireOrganizer(membership: EventStanding['membership']): void {
  const role = membership?.status === 'active' ? membership.role : null;
  if (role !== 'organizer' && role !== 'admin')
    reject(ErrorCode.forbidden, 'Only organizers and admins of this community can create events.');
}

/** [GA3] Managers: the event's host and manager co-hosts, and the community's organizers and admins. */
export function isManager(standing: EventStanding): boolean {
  const role = activeRole(standing);
  return (
    standing.hostRole === 'host' ||
    standing.hostRole === 'manager' ||
    role === 'organizer' ||
    role === 'admin'
  );
}

export function requireManager(standing: EventStanding): void {
  if (!isManager(standing))
    reject(
      ErrorCode.forbidden,
      'Only the hosts and managers of this event (or community organizers) can do this.',
    );
}

/** [GA3] Staff at the door: any co-host (check-in ones too) and every manager. */
export function isStaff(standing: EventStanding): boolean {
  return standing.hostRole !== null || isManager(standing);
}

export function requireStaff(standing: EventStanding): void {
  if (!isStaff(standing)) reject(ErrorCode.forbidden, 'Only the hosts of this event can check guests in.');
}

/** [GA4] Cancelling: the event's host (its creator) and the community's organizers and admins. */
export function requireCanCancel(standing: EventStanding): void {
  const role = activeRole(standing);
  if (standing.hostRole !== 'host' && role !== 'organizer' && role !== 'admin')
    reject(ErrorCode.forbidden, 'Only the host of this event or a community organizer can cancel it.');
}

/** [GA5] A private community's events are never public (its outsiders would see them). */
export function requireVisibilityAllowed(
  community: CommunityRow['visibility'],
  visibility: EventRow['visibility'],
): void {
  if (community === 'private' && visibility === 'public')
    reject(
      ErrorCode.validationFailed,
      'visibility: a private community cannot hold public events; use "community" or "unlisted".',
    );
}

/** [GA6] An event ends after it starts; a new one (or a moved one) must not be over already. */
export function requireTimes(startsAt: Instant, endsAt: Instant, now: Date): void {
  if (ms(endsAt) <= ms(startsAt))
    reject(ErrorCode.validationFailed, 'endsAt: the event must end after it starts.');
  if (ms(endsAt) <= now.getTime())
    reject(ErrorCode.validationFailed, 'endsAt: this time has already passed; pick a time in the future.');
}

/** [GA7] RSVPs, tickets and check-ins need a scheduled event that has not ended. */
export function requireOpen(event: Pick<EventFacts, 'status' | 'ends_at'>, now: Date): void {
  if (event.status === 'cancelled') reject(ErrorCode.eventCancelled, 'This event was cancelled.');
  if (ms(event.ends_at) <= now.getTime()) reject(ErrorCode.eventPast, 'This event is over.');
}

/** An event that is not cancelled (editing a past event is allowed: fixing a typo after the fact). */
export function requireNotCancelled(event: Pick<EventFacts, 'status'>): void {
  if (event.status === 'cancelled') reject(ErrorCode.eventCancelled, 'This event was cancelled.');
}
