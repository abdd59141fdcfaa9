// Event mutations: create, update, cancel, and co-hosts. The server locks the event row before any
// decision that depends on it (seats, roles), so concurrent RSVPs and edits happen one after another.
// Rules GA1–GA9 in sync-server/src/gatherings/SPEC.md; decisions in ./events-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { eventVisibility, type EventRow } from '../tables/gatherings';
import { defineMutation, guess, reject, type MutationContext, type RowChange, type Tx } from './define';
import {
  canSeeEvent,
  requireCanCancel,
  requireEventVisible,
  requireManager,
  requireNotCancelled,
  requireOrganizer,
  requireTimes,
  requireVisibilityAllowed,
} from './events-rules';
import { localEventContext, promoteWaitlist, readEventContext, type EventContext } from './events-sql';
import { existingId, line, newId, prose, timeZone } from './fields';

const visibility = z.enum(eventVisibility.values);
/** An instant with its offset, e.g. "2030-05-04T19:00:00+01:00"; stored as timestamptz. */
const instant = z.iso.datetime({ offset: true });
const httpUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2000)
  .or(z.url({ protocol: /^https?$/ }).max(2000));
const capacity = z.int().min(1).max(1_000_000);
const guestLimit = z.int().min(0).max(20);

const eventFields = {
  title: line(200),
  description: prose(20_000),
  visibility,
  startsAt: instant,
  endsAt: instant,
  timeZone,
  placeName: z.string().trim().max(200),
  address: z.string().trim().max(500),
  onlineUrl: httpUrl.nullable(),
  coverMediaId: existingId.nullable(),
  capacity: capacity.nullable(),
  requiresApproval: z.boolean(),
  guestLimit,
};

/** The caller's standing on an event, the event row locked: not_found when they cannot see it. */
async function lockedEvent(tx: Tx, eventId: string, ctx: MutationContext): Promise<EventContext> {
  const found = await readEventContext(tx, eventId, ctx.userId, true);
  requireEventVisible(found?.event, found?.standing ?? { membership: null, hostRole: null });
  return found as EventContext;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

/** [GA2] Organizers and admins create events in their community; the creator becomes its host. */
export const createEvent = defineMutation({
  name: 'createEvent',
  args: z
    .strictObject({
      id: newId,
      hostId: newId,
      communityId: existingId,
      title: eventFields.title,
      description: eventFields.description.optional(),
      visibility: visibility.optional(),
      startsAt: instant,
      endsAt: instant,
      timeZone,
      placeName: eventFields.placeName.optional(),
      address: eventFields.address.optional(),
      onlineUrl: httpUrl.optional(),
      coverMediaId: existingId.optional(),
      capacity: capacity.optional(),
      requiresApproval: z.boolean().optional(),
      guestLimit: guestLimit.optional(),
    })
    .refine((a) => Boolean(a.placeName || a.address || a.onlineUrl), {
      path: ['placeName'],
      message: 'give a place (placeName or address) or an onlineUrl',
    }),
  async authorize(tx, args, ctx) {
    const { rows } = await tx.query<{
      visibility: 'public' | 'private';
      role: string | null;
      status: string | null;
    }>(
      `select c.visibility, m.role, m.status from communities c
       left join memberships m on m.community_id = c.id and m.user_id = $2
       where c.id = $1`,
      [args.communityId, ctx.userId],
    );
    const row = rows[0];
    if (!row || (row.visibility === 'private' && row.status !== 'active' && row.status !== 'pending'))
      reject(ErrorCode.notFound, 'This community does not exist.');
    requireOrganizer(
      row.role !== null && row.status !== null
        ? ({ role: row.role, status: row.status } as EventContext['standing']['membership'])
        : null,
    );
    requireVisibilityAllowed(row.visibility, args.visibility ?? 'public');
    requireTimes(args.startsAt, args.endsAt, ctx.now);
  },
  async apply(tx, args, ctx) {
    const inserted = await tx.query(
      `insert into events (id, community_id, created_by, title, description, visibility, starts_at, ends_at,
                           time_zone, place_name, address, online_url, cover_media_id, capacity,
                           requires_approval, guest_limit, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
       on conflict (id) do nothing returning id`,
      [
        args.id,
        args.communityId,
        ctx.userId,
        args.title,
        args.description ?? '',
        args.visibility ?? 'public',
        args.startsAt,
        args.endsAt,
        args.timeZone,
        args.placeName ?? '',
        args.address ?? '',
        args.onlineUrl ?? null,
        args.coverMediaId ?? null,
        args.capacity ?? null,
        args.requiresApproval ?? false,
        args.guestLimit ?? 0,
        ctx.now,
      ],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'id: this event id is already used.');
    await tx.query(
      `insert into event_hosts (id, event_id, user_id, role, added_by, created_at) values ($1, $2, $3, 'host', $3, $4)`,
      [args.hostId, args.id, ctx.userId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const community = await local.get('communities', args.communityId);
      const [membership] = await local.find('memberships', {
        community_id: args.communityId,
        user_id: ctx.userId,
      });
      requireOrganizer(membership ?? null);
      if (community) requireVisibilityAllowed(community.visibility, args.visibility ?? 'public');
      requireTimes(args.startsAt, args.endsAt, ctx.now);
      const now = ctx.now.toISOString();
      const event: EventRow = {
        id: args.id,
        community_id: args.communityId,
        created_by: ctx.userId,
        title: args.title,
        description: args.description ?? '',
        visibility: args.visibility ?? 'public',
        status: 'scheduled',
        starts_at: iso(args.startsAt),
        ends_at: iso(args.endsAt),
        time_zone: args.timeZone,
        place_name: args.placeName ?? '',
        address: args.address ?? '',
        online_url: args.onlineUrl ?? null,
        cover_media_id: args.coverMediaId ?? null,
        capacity: args.capacity ?? null,
        requires_approval: args.requiresApproval ?? false,
        guest_limit: args.guestLimit ?? 0,
        cancelled_at: null,
        created_at: now,
        updated_at: now,
        seats_taken: 0,
        waitlist_length: 0,
      };
      const host = {
        id: args.hostId,
        event_id: args.id,
        user_id: ctx.userId,
        role: 'host' as const,
        added_by: ctx.userId,
        created_at: now,
      };
      return [
        { table: 'events', op: 'upsert', row: event },
        { table: 'event_hosts', op: 'upsert', row: host },
      ];
    }),
});

type EventPatch = { [K in keyof typeof eventFields]?: z.output<(typeof eventFields)[K]> | undefined };

/** The event after an edit, as the columns it writes (unchanged fields keep their value). */
function patched(event: EventContext['event'] | EventRow, patch: EventPatch) {
  return {
    title: patch.title ?? event.title,
    description: patch.description ?? event.description,
    visibility: patch.visibility ?? event.visibility,
    starts_at: patch.startsAt ?? iso(event.starts_at),
    ends_at: patch.endsAt ?? iso(event.ends_at),
    time_zone: patch.timeZone ?? event.time_zone,
    place_name: patch.placeName ?? event.place_name,
    address: patch.address ?? event.address,
    online_url: patch.onlineUrl === undefined ? event.online_url : patch.onlineUrl,
    cover_media_id: patch.coverMediaId === undefined ? event.cover_media_id : patch.coverMediaId,
    capacity: patch.capacity === undefined ? event.capacity : patch.capacity,
    requires_approval: patch.requiresApproval ?? event.requires_approval,
    guest_limit: patch.guestLimit ?? event.guest_limit,
  };
}

/** [GA6] Moving an event keeps its times sane; other edits, also after it is over, are fine. */
function requireRetimed(after: ReturnType<typeof patched>, patch: EventPatch, now: Date) {
  if (patch.startsAt !== undefined || patch.endsAt !== undefined)
    requireTimes(after.starts_at, after.ends_at, now);
}

/**
 * [GA8] Managers edit any field; null clears onlineUrl, coverMediaId and capacity. A raised (or
 * removed) capacity promotes the waitlist in the same transaction; a lowered one moves nobody out.
 */
export const updateEvent = defineMutation({
  name: 'updateEvent',
  args: z
    .strictObject({
      eventId: existingId,
      title: eventFields.title.optional(),
      description: eventFields.description.optional(),
      visibility: visibility.optional(),
      startsAt: instant.optional(),
      endsAt: instant.optional(),
      timeZone: timeZone.optional(),
      placeName: eventFields.placeName.optional(),
      address: eventFields.address.optional(),
      onlineUrl: eventFields.onlineUrl.optional(),
      coverMediaId: eventFields.coverMediaId.optional(),
      capacity: eventFields.capacity.optional(),
      requiresApproval: z.boolean().optional(),
      guestLimit: guestLimit.optional(),
    })
    .refine(
      ({ eventId: _, ...fields }) => Object.values(fields).some((value) => value !== undefined),
      'give at least one field to change',
    ),
  async authorize(tx, args, ctx) {
    const found = await lockedEvent(tx, args.eventId, ctx);
    requireManager(found.standing);
    requireNotCancelled(found.event);
    const { eventId: _, ...patch } = args;
    const after = patched(found.event, patch);
    requireVisibilityAllowed(found.event.community_visibility, after.visibility);
    requireRetimed(after, patch, ctx.now);
    return { event: found.event, after };
  },
  async apply(tx, args, ctx, { event, after }) {
    await tx.query(
      `update events set title = $2, description = $3, visibility = $4, starts_at = $5, ends_at = $6,
         time_zone = $7, place_name = $8, address = $9, online_url = $10, cover_media_id = $11,
         capacity = $12, requires_approval = $13, guest_limit = $14, updated_at = $15
       where id = $1`,
      [
        args.eventId,
        after.title,
        after.description,
        after.visibility,
        after.starts_at,
        after.ends_at,
        after.time_zone,
        after.place_name,
        after.address,
        after.online_url,
        after.cover_media_id,
        after.capacity,
        after.requires_approval,
        after.guest_limit,
        ctx.now,
      ],
    );
    if (after.capacity === null || (event.capacity !== null && after.capacity > event.capacity))
      await promoteWaitlist(tx, { id: event.id, capacity: after.capacity }, ctx.now);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, community, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireManager(standing);
      requireNotCancelled(event);
      const { eventId: _, ...patch } = args;
      const after = patched(event, patch);
      if (community) requireVisibilityAllowed(community.visibility, after.visibility);
      requireRetimed(after, patch, ctx.now);
      return [
        { table: 'events', op: 'upsert', row: { ...event, ...after, updated_at: ctx.now.toISOString() } },
      ];
    }),
});

/**
 * [GA4] The host or a community organizer cancels; RSVPs and tickets stay, as a record. [GA35] What
 * reserved tickets still owed at the door is dropped through the payment provider, and the door
 * refuses the event's tickets from then on.
 */
export const cancelEvent = defineMutation({
  name: 'cancelEvent',
  args: z.strictObject({ eventId: existingId }),
  async authorize(tx, args, ctx) {
    const found = await lockedEvent(tx, args.eventId, ctx);
    requireCanCancel(found.standing);
    requireNotCancelled(found.event);
  },
  async apply(tx, args, ctx) {
    await tx.query(
      `update events set status = 'cancelled', cancelled_at = $2, updated_at = $2 where id = $1`,
      [args.eventId, ctx.now],
    );
    const owing = await tx.query<{ id: string }>(
      `select id from tickets where event_id = $1 and status = 'reserved' order by id`,
      [args.eventId],
    );
    if (owing.rows.length === 0) return;
    if (!ctx.services) throw new Error('cancelEvent needs the payment provider on the server');
    for (const ticket of owing.rows) await ctx.services.payments.cancel(tx, ticket.id, ctx.now);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireCanCancel(standing);
      requireNotCancelled(event);
      const now = ctx.now.toISOString();
      return [
        {
          table: 'events',
          op: 'upsert',
          row: { ...event, status: 'cancelled', cancelled_at: now, updated_at: now },
        },
      ];
    }),
});

const coHostRole = z.enum(['manager', 'checkin']);

/** [GA9] Managers add co-hosts (manager or check-in) or change a co-host's role; the host stays host. */
export const addEventHost = defineMutation({
  name: 'addEventHost',
  args: z.strictObject({ eventId: existingId, userId: existingId, role: coHostRole, hostId: newId }),
  async authorize(tx, args, ctx) {
    const found = await lockedEvent(tx, args.eventId, ctx);
    requireManager(found.standing);
    const user = await tx.query(`select 1 from users where id = $1 and deleted_at is null`, [args.userId]);
    if (user.rows.length === 0) reject(ErrorCode.notFound, 'userId: this person does not exist.');
    const { rows } = await tx.query<{ id: string; role: string }>(
      `select id, role from event_hosts where event_id = $1 and user_id = $2`,
      [args.eventId, args.userId],
    );
    const existing = rows[0] ?? null;
    if (existing?.role === 'host')
      reject(ErrorCode.conflict, 'userId: this person is the host of the event.');
    return existing;
  },
  async apply(tx, args, ctx, existing) {
    if (existing) {
      await tx.query(`update event_hosts set role = $2 where id = $1`, [existing.id, args.role]);
      return;
    }
    await tx.query(
      `insert into event_hosts (id, event_id, user_id, role, added_by, created_at) values ($1, $2, $3, $4, $5, $6)`,
      [args.hostId, args.eventId, args.userId, args.role, ctx.userId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      requireManager(standing);
      const [existing] = await local.find('event_hosts', { event_id: args.eventId, user_id: args.userId });
      if (existing?.role === 'host') return [];
      const row = existing
        ? { ...existing, role: args.role }
        : {
            id: args.hostId,
            event_id: args.eventId,
            user_id: args.userId,
            role: args.role,
            added_by: ctx.userId,
            created_at: ctx.now.toISOString(),
          };
      return [{ table: 'event_hosts', op: 'upsert', row }];
    }),
});

/** [GA9] Managers remove a co-host; a co-host may step down; the host cannot be removed. */
export const removeEventHost = defineMutation({
  name: 'removeEventHost',
  args: z.strictObject({ eventId: existingId, userId: existingId }),
  async authorize(tx, args, ctx) {
    const found = await lockedEvent(tx, args.eventId, ctx);
    if (args.userId !== ctx.userId) requireManager(found.standing);
    const { rows } = await tx.query<{ id: string; role: string }>(
      `select id, role from event_hosts where event_id = $1 and user_id = $2`,
      [args.eventId, args.userId],
    );
    const existing = rows[0];
    if (!existing) return reject(ErrorCode.notFound, 'userId: this person is not a co-host of the event.');
    if (existing.role === 'host')
      reject(ErrorCode.conflict, 'userId: the host of an event cannot be removed.');
    return existing;
  },
  async apply(tx, _args, _ctx, existing) {
    await tx.query(`delete from event_hosts where id = $1`, [existing.id]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { event, standing } = await localEventContext(local, args.eventId, ctx.userId);
      if (!event || !canSeeEvent(event, standing)) return [];
      if (args.userId !== ctx.userId) requireManager(standing);
      const rows = await local.find('event_hosts', { event_id: args.eventId, user_id: args.userId });
      return rows
        .filter((row) => row.role !== 'host')
        .map((row): RowChange => ({ table: 'event_hosts', op: 'delete', row }));
    }),
});
