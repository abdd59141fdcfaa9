// What the gatherings mutations read on both sides: the event with the caller's standing (server:
// after locking the event row; client: from the replica), and the waitlist promotion that runs in
// the same transaction as whatever freed seats (GA13).
import type { CommunityRow, MembershipRow } from '../tables/communities';
import type { EventHostRow } from '../tables/gatherings';
import type { LocalReader, ReplicaRow, Tx } from './define';
import type { EventFacts, EventStanding } from './events-rules';
import type { RsvpRow } from '../tables/gatherings';
import { promotions, type Waiting } from './rsvps-rules';

type OwnRsvp = Pick<RsvpRow, 'id' | 'status' | 'guests' | 'waitlist_position'>;

/** The event row as pg returns it (times as Date), with its community's visibility. */
export interface EventRecord extends EventFacts {
  readonly title: string;
  readonly description: string;
  readonly place_name: string;
  readonly address: string;
  readonly online_url: string | null;
  readonly cover_media_id: string | null;
  readonly created_by: string;
  readonly community_visibility: CommunityRow['visibility'];
}

export interface EventContext {
  readonly event: EventRecord;
  readonly standing: EventStanding;
}

interface StandingRow extends EventRecord {
  member_role: MembershipRow['role'] | null;
  member_status: MembershipRow['status'] | null;
  host_role: EventHostRow['role'] | null;
}

/**
 * The event and the caller's standing. `lock` takes the event row (FOR NO KEY UPDATE: inserts that
 * reference it still run) so every seat decision on one event happens one after another: a waiter
 * reads the event row as the previous holder committed it, and every later statement of its
 * transaction (read committed) sees the RSVPs that holder wrote.
 */
export async function readEventContext(
  tx: Tx,
  eventId: string,
  userId: string,
  lock: boolean,
): Promise<EventContext | null> {
  const { rows } = await tx.query<StandingRow>(
    `select e.id, e.community_id, e.created_by, e.title, e.description, e.visibility, e.status,
            e.starts_at, e.ends_at, e.time_zone, e.place_name, e.address, e.online_url, e.cover_media_id,
            e.capacity, e.requires_approval, e.guest_limit,
            c.visibility as community_visibility, m.role as member_role, m.status as member_status,
            h.role as host_role
     from events e
     join communities c on c.id = e.community_id
     left join memberships m on m.community_id = e.community_id and m.user_id = $2
     left join event_hosts h on h.event_id = e.id and h.user_id = $2
     where e.id = $1${lock ? ' for no key update of e' : ''}`,
    [eventId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const { member_role, member_status, host_role, ...event } = row;
  const membership =
    member_role !== null && member_status !== null ? { role: member_role, status: member_status } : null;
  return { event, standing: { membership, hostRole: host_role } };
}

/** The caller's RSVP and the event's seats in one read; the caller holds the event row lock (GA15). */
export async function rsvpSituation(
  tx: Tx,
  eventId: string,
  userId: string,
): Promise<{ own: OwnRsvp | null; seats: number; waiting: number; largest: number | null }> {
  const { rows } = await tx.query<{
    id: string | null;
    status: OwnRsvp['status'] | null;
    guests: number | null;
    waitlist_position: number | null;
    seats: number;
    waiting: number;
    largest: number | null;
  }>(
    `select r.id, r.status, r.guests, r.waitlist_position, s.seats, s.waiting, s.largest
     from (select coalesce(sum(1 + guests) filter (where status = 'going' and user_id <> $2), 0)::int as seats,
                  (count(*) filter (where status = 'waitlisted' and user_id <> $2))::int as waiting,
                  max(waitlist_position)::int as largest
           from rsvps where event_id = $1) s
     left join rsvps r on r.event_id = $1 and r.user_id = $2`,
    [eventId, userId],
  );
  const row = rows[0];
  if (!row) return { own: null, seats: 0, waiting: 0, largest: null };
  const own =
    row.id !== null && row.status !== null && row.guests !== null
      ? { id: row.id, status: row.status, guests: row.guests, waitlist_position: row.waitlist_position }
      : null;
  return { own, seats: row.seats, waiting: row.waiting, largest: row.largest };
}

/** Seats held by going RSVPs, other than `exceptUserId`'s, and how many others wait. */
export async function seatCounts(
  tx: Tx,
  eventId: string,
  exceptUserId: string | null,
): Promise<{ seats: number; waiting: number }> {
  const { rows } = await tx.query<{ seats: number; waiting: number }>(
    `select coalesce(sum(1 + guests) filter (where status = 'going'), 0)::int as seats,
            (count(*) filter (where status = 'waitlisted'))::int as waiting
     from rsvps where event_id = $1 and user_id is distinct from $2`,
    [eventId, exceptUserId],
  );
  return rows[0] ?? { seats: 0, waiting: 0 };
}

/** The next waitlist position of an event (GA10): past the largest still held. */
export async function largestPosition(tx: Tx, eventId: string): Promise<number | null> {
  const { rows } = await tx.query<{ n: number | null }>(
    `select max(waitlist_position)::int as n from rsvps where event_id = $1`,
    [eventId],
  );
  return rows[0]?.n ?? null;
}

/** [GA13] Moves the head of the waitlist up while it fits; the caller holds the event row lock. */
export async function promoteWaitlist(
  tx: Tx,
  event: { readonly id: string; readonly capacity: number | null },
  now: Date,
): Promise<string[]> {
  const { rows } = await tx.query<Waiting & { seats: number }>(
    `select id, guests, waitlist_position,
            (select coalesce(sum(1 + guests), 0)::int from rsvps where event_id = $1 and status = 'going') as seats
     from rsvps where event_id = $1 and status = 'waitlisted' order by waitlist_position`,
    [event.id],
  );
  const promoted = promotions(event.capacity, rows[0]?.seats ?? 0, rows);
  if (promoted.length > 0)
    await tx.query(
      `update rsvps set status = 'going', waitlist_position = null, updated_at = $2 where id = any($1::uuid[])`,
      [promoted, now],
    );
  return promoted;
}

// The optimistic side reads the same facts from the replica.

export interface LocalEventContext {
  readonly event: ReplicaRow<'events'> | undefined;
  readonly community: ReplicaRow<'communities'> | undefined;
  readonly standing: EventStanding;
}

export async function localEventContext(
  local: LocalReader,
  eventId: string,
  userId: string,
): Promise<LocalEventContext> {
  const event = await local.get('events', eventId);
  const community = event ? await local.get('communities', event.community_id) : undefined;
  const [membership] = event
    ? await local.find('memberships', { community_id: event.community_id, user_id: userId })
    : [];
  const [host] = await local.find('event_hosts', { event_id: eventId, user_id: userId });
  return {
    event,
    community,
    standing: {
      membership: membership ? { role: membership.role, status: membership.status } : null,
      hostRole: host?.role ?? null,
    },
  };
}
