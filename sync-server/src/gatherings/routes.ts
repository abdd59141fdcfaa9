// Calendars and the guest list (GA30–GA33, GA37): `.ics` for one event and a subscribable feed per
// community (RFC 5545 through ical-generator, times in UTC) with per-member links for calendar apps,
// and the guest-list CSV for an event's staff (csv-stringify, formula-injection escaped). Visibility
// is the mutations' own rule (GA1).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ical, { ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { stringify } from 'csv-stringify/sync';
import type pg from 'pg';
import { validate as isUuid } from 'uuid';
import { ErrorCode } from '@hearth/schema/errors';
import type { Tx } from '@hearth/schema/mutations/define';
import { canSeeEvent, isStaff } from '@hearth/schema/mutations/events-rules';
import { readEventContext, type EventRecord } from '@hearth/schema/mutations/events-sql';
import { HttpError } from '../http/errors';
import { feedTokenViewer, issueFeedToken, revokeFeedToken } from './feeds';

export interface GatheringRoutesDeps {
  readonly pool: Pick<pg.Pool, 'query'>;
  /** Who is asking (auth's `resolveSession`), or null when nobody is signed in. */
  readonly resolveSession: (request: FastifyRequest) => Promise<{ readonly userId: string } | null>;
  readonly clock?: () => Date;
}

/** Stands in for "nobody" in the standing query: matches no membership and no host row. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

const PRODUCT = { company: 'Hearth', product: 'Hearth gatherings', language: 'EN' } as const;

function eventNotFound(): never {
  throw new HttpError(404, ErrorCode.notFound, 'This event does not exist, or you cannot see it.');
}

function requireUuid(id: string, what: 'event' | 'community'): string {
  if (!isUuid(id))
    throw new HttpError(404, ErrorCode.notFound, `There is no ${what} with the id "${id.slice(0, 64)}".`);
  return id;
}

/** [GA30] One VEVENT: UTC times, the event's zone named in the description, cancelled ones marked. */
function addEvent(calendar: ICalCalendar, event: EventRecord & { updated_at: Date }, origin: string): void {
  const where = [event.place_name, event.address].filter((part) => part !== '').join(', ');
  calendar.createEvent({
    id: `${event.id}@hearth`,
    start: new Date(event.starts_at),
    end: new Date(event.ends_at),
    stamp: event.updated_at,
    lastModified: event.updated_at,
    summary: event.title,
    description: `${event.description}${event.description === '' ? '' : '\n\n'}Held in the ${event.time_zone} time zone.`,
    location: where !== '' ? where : event.online_url,
    url: event.online_url ?? `${origin}/events/${event.id}`,
    status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
}

function sendCalendar(reply: FastifyReply, calendar: ICalCalendar, file: string) {
  return reply
    .header('content-type', 'text/calendar; charset=utf-8')
    .header('content-disposition', `inline; filename="${file}"`)
    .header('cache-control', 'private, no-cache')
    .send(calendar.toString());
}

const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

const EVENT_COLUMNS = `e.id, e.community_id, e.created_by, e.title, e.description, e.visibility, e.status,
  e.starts_at, e.ends_at, e.time_zone, e.place_name, e.address, e.online_url, e.cover_media_id, e.capacity,
  e.requires_approval, e.guest_limit, e.updated_at, c.visibility as community_visibility`;

export function gatheringRoutes(deps: GatheringRoutesDeps): (app: FastifyInstance) => void {
  const clock = deps.clock ?? (() => new Date());
  const tx: Tx = { query: (sql, params) => deps.pool.query(sql, params) };

  /** The event and the viewer's standing, or 404 when the viewer may not see it (GA1). */
  async function visibleEvent(request: FastifyRequest, id: string) {
    const session = await deps.resolveSession(request);
    const found = await readEventContext(tx, requireUuid(id, 'event'), session?.userId ?? NOBODY, false);
    if (!found || !canSeeEvent(found.event, found.standing)) return eventNotFound();
    const { rows } = await deps.pool.query<{ updated_at: Date }>(
      `select updated_at from events where id = $1`,
      [id],
    );
    return { ...found, session, updatedAt: rows[0]?.updated_at ?? new Date(0) };
  }

  /** [GA31][GA37] Whose view of the community's feed: the token's member, else the session's user. */
  async function feedViewer(
    request: FastifyRequest<{ Querystring: { token?: unknown } }>,
    communityId: string,
  ): Promise<string> {
    const token = request.query.token;
    if (token === undefined) return (await deps.resolveSession(request))?.userId ?? NOBODY;
    const member = typeof token === 'string' ? await feedTokenViewer(tx, communityId, token, clock()) : null;
    if (member === null)
      throw new HttpError(
        404,
        ErrorCode.notFound,
        'This calendar link is not valid (it was replaced or revoked, or you are no longer a member). ' +
          'Get a new one from the community page.',
      );
    return member;
  }

  /** [GA37] Feed links are for signed-in active members of a community they can see. */
  async function feedMember(request: FastifyRequest, id: string) {
    const communityId = requireUuid(id, 'community');
    const session = await deps.resolveSession(request);
    if (!session) throw new HttpError(401, ErrorCode.unauthenticated, 'Sign in to get your calendar link.');
    const { rows } = await deps.pool.query<{ visibility: string; status: string | null }>(
      `select c.visibility, m.status from communities c
       left join memberships m on m.community_id = c.id and m.user_id = $2 where c.id = $1`,
      [communityId, session.userId],
    );
    const row = rows[0];
    if (!row || (row.visibility === 'private' && row.status !== 'active' && row.status !== 'pending'))
      throw new HttpError(404, ErrorCode.notFound, 'This community does not exist, or you cannot see it.');
    if (row.status !== 'active')
      throw new HttpError(
        403,
        ErrorCode.forbidden,
        'Only members of this community get a private calendar link; its public feed needs no link.',
      );
    return { userId: session.userId, communityId };
  }

  return (app) => {
    // [GA30] One event, to anyone who may see it.
    app.get<{ Params: { id: string } }>('/api/events/:id/calendar.ics', async (request, reply) => {
      const { event, updatedAt } = await visibleEvent(request, request.params.id);
      const calendar = ical({ name: event.title, prodId: PRODUCT });
      addEvent(calendar, { ...event, updated_at: updatedAt }, originOf(request));
      return sendCalendar(reply, calendar, `event-${event.id}.ics`);
    });

    // [GA31] A community's upcoming events the viewer may see (anonymous: public ones), unlisted left out.
    // [GA37] With `?token=`, the viewer is the member the token was issued to (calendar apps send no
    // cookie); a token that is not valid for this community now is a 404, never the public feed.
    app.get<{ Params: { id: string }; Querystring: { token?: unknown } }>(
      '/api/communities/:id/calendar.ics',
      async (request, reply) => {
        const id = requireUuid(request.params.id, 'community');
        const viewer = await feedViewer(request, id);
        const community = await deps.pool.query<{ name: string; visibility: string; status: string | null }>(
          `select c.name, c.visibility, m.status from communities c
         left join memberships m on m.community_id = c.id and m.user_id = $2 where c.id = $1`,
          [id, viewer],
        );
        const row = community.rows[0];
        if (!row || (row.visibility === 'private' && row.status !== 'active' && row.status !== 'pending'))
          throw new HttpError(
            404,
            ErrorCode.notFound,
            'This community does not exist, or you cannot see it.',
          );
        const { rows } = await deps.pool.query<EventRecord & { updated_at: Date }>(
          `select ${EVENT_COLUMNS} from events e join communities c on c.id = e.community_id
         where e.community_id = $1 and e.ends_at > $3 and e.visibility <> 'unlisted'
           and (e.visibility = 'public'
                or exists (select 1 from memberships m where m.community_id = e.community_id and m.user_id = $2 and m.status = 'active')
                or exists (select 1 from event_hosts h where h.event_id = e.id and h.user_id = $2))
         order by e.starts_at, e.id`,
          [id, viewer, clock()],
        );
        const calendar = ical({ name: row.name, prodId: PRODUCT, ttl: 60 * 60 });
        for (const event of rows) addEvent(calendar, event, originOf(request));
        return sendCalendar(reply, calendar, `community-${id}.ics`);
      },
    );

    // [GA37] The signed-in member's private feed link: a new token replaces the old one.
    app.post<{ Params: { id: string } }>('/api/communities/:id/calendar-feed', async (request, reply) => {
      const { userId, communityId } = await feedMember(request, request.params.id);
      const token = await issueFeedToken(tx, { userId, communityId, now: clock() });
      const path = `/api/communities/${communityId}/calendar.ics?token=${token}`;
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ url: `webcal://${request.host}${path}`, httpUrl: `${originOf(request)}${path}` });
    });

    // [GA37] Revokes it: calendars subscribed with it get 404 from then on.
    app.delete<{ Params: { id: string } }>('/api/communities/:id/calendar-feed', async (request, reply) => {
      const { userId, communityId } = await feedMember(request, request.params.id);
      await revokeFeedToken(tx, userId, communityId);
      return reply.code(204).send();
    });

    // [GA32] The guest list for the event's staff: one line per person with an RSVP or a ticket.
    app.get<{ Params: { id: string } }>('/api/events/:id/guests.csv', async (request, reply) => {
      const session = await deps.resolveSession(request);
      if (!session)
        throw new HttpError(
          401,
          ErrorCode.unauthenticated,
          'Sign in as a host of this event to export its guest list.',
        );
      const { event, standing } = await visibleEvent(request, request.params.id);
      if (!isStaff(standing))
        throw new HttpError(
          403,
          ErrorCode.forbidden,
          'Only the hosts of this event can export its guest list.',
        );
      const { rows } = await deps.pool.query<{
        name: string;
        status: string | null;
        guests: number;
        tier: string | null;
        ticket: string | null;
        checked_in_at: Date | null;
      }>(
        `with people as (select user_id from rsvps where event_id = $1 union select holder_id from tickets where event_id = $1)
         select u.display_name as name, r.status::text as status, coalesce(r.guests, 0) as guests,
                tt.name as tier, t.status::text as ticket, ci.checked_in_at
         from people p
         join users u on u.id = p.user_id
         left join rsvps r on r.event_id = $1 and r.user_id = p.user_id
         left join lateral (
           select id, tier_id, status from tickets where event_id = $1 and holder_id = p.user_id
           order by (status in ('reserved', 'paid')) desc, issued_at desc limit 1
         ) t on true
         left join ticket_tiers tt on tt.id = t.tier_id
         left join check_ins ci on ci.ticket_id = t.id
         order by u.display_name, p.user_id`,
        [event.id],
      );
      // [GA33] Cells starting with = + - @ (and tab, CR) are prefixed so spreadsheets never run them.
      const csv = stringify(
        rows.map((r) => ({
          ...r,
          status: r.status ?? '',
          checked_in_at: r.checked_in_at?.toISOString() ?? '',
        })),
        {
          header: true,
          escape_formulas: true,
          columns: ['name', 'status', 'guests', 'tier', 'ticket', 'checked_in_at'],
        },
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="guests-${event.id}.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    });
  };
}
