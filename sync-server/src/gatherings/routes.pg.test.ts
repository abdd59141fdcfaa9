// Calendars, per-member feed links and the guest-list export over a real Postgres (GA30–GA33, GA37): the .ics is parsed with ical.js
// (an RFC 5545 parser), the CSV with a plain split after checking its escaping.
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { addMembership, communityWorld, type World, type WriteHarness } from '../writes/test-support/harness';
import { createTestUser, TEST_SESSION_HEADER, type TestUser } from '../writes/test-support/sessions';
import { accept, get, inDays, makeEvent, makeTier, startGatheringsHarness } from './test-support';

let h: WriteHarness;
let world: World;
let privateWorld: World;
beforeAll(async () => {
  h = await startGatheringsHarness();
  world = await communityWorld(h.db.pool, 'public');
  privateWorld = await communityWorld(h.db.pool, 'private');
});
afterAll(() => h.close());

function parseCalendar(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      location: event.location,
      status: vevent.getFirstPropertyValue('status'),
    };
  });
}

describe('calendars', () => {
  it('[GA30] one event as RFC 5545: UID, title, UTC times, place, status', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      title: 'Letters; never sent, read aloud',
      startsAt: '2030-06-01T19:00:00+01:00',
      endsAt: '2030-06-01T21:00:00+01:00',
      address: '14 Wharf Road, London',
    });
    const response = await get(h.app, null, `/api/events/${eventId}/calendar.ics`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/calendar/);
    expect(parseCalendar(response.body)).toEqual([
      {
        uid: `${eventId}@hearth`,
        summary: 'Letters; never sent, read aloud',
        start: '2030-06-01T18:00:00.000Z',
        end: '2030-06-01T20:00:00.000Z',
        location: 'Riverside Library, 14 Wharf Road, London',
        status: 'CONFIRMED',
      },
    ]);
    await accept(h.app, world.actors.admin, 'cancelEvent', { eventId });
    const cancelled = await get(h.app, null, `/api/events/${eventId}/calendar.ics`);
    expect(parseCalendar(cancelled.body)[0]?.status).toBe('CANCELLED');
  });

  it('[GA30] a community-only event is 404 to anonymous viewers and outsiders, served to members', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      visibility: 'community',
    });
    for (const user of [null, world.actors.outsider]) {
      const response = await get(h.app, user, `/api/events/${eventId}/calendar.ics`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: ErrorCode.notFound });
    }
    expect((await get(h.app, world.actors.member, `/api/events/${eventId}/calendar.ics`)).statusCode).toBe(
      200,
    );
    expect((await get(h.app, null, `/api/events/not-a-uuid/calendar.ics`)).json()).toMatchObject({
      code: ErrorCode.notFound,
    });
  });

  it('[GA31] the community feed: upcoming events the viewer may see; unlisted and ended ones left out', async () => {
    const own = await communityWorld(h.db.pool, 'public');
    const admin = own.actors.admin;
    const pub = await makeEvent(h.app, admin, own.communityId, {
      title: 'Public',
      startsAt: inDays(2),
      endsAt: inDays(2, 2),
    });
    const members = await makeEvent(h.app, admin, own.communityId, {
      title: 'Members',
      visibility: 'community',
    });
    await makeEvent(h.app, admin, own.communityId, { title: 'Unlisted', visibility: 'unlisted' });
    const ended = await makeEvent(h.app, admin, own.communityId, { title: 'Ended' });
    await h.db.pool.query(`update events set starts_at = $2, ends_at = $3 where id = $1`, [
      ended,
      inDays(-2),
      inDays(-1),
    ]);
    const url = `/api/communities/${own.communityId}/calendar.ics`;
    const anonymous = parseCalendar((await get(h.app, null, url)).body);
    expect(anonymous.map((e) => e.uid)).toEqual([`${pub}@hearth`]);
    const member = parseCalendar((await get(h.app, own.actors.member, url)).body);
    expect(member.map((e) => e.summary).sort()).toEqual(['Members', 'Public']);
    expect(member.map((e) => e.uid)).toContain(`${members}@hearth`);
    const privateFeed = `/api/communities/${privateWorld.communityId}/calendar.ics`;
    expect((await get(h.app, null, privateFeed)).statusCode).toBe(404);
    expect((await get(h.app, privateWorld.actors.member, privateFeed)).statusCode).toBe(200);
  });
});

describe('calendar feed links', () => {
  const feedLink = (user: TestUser | null, communityId: string, method: 'POST' | 'DELETE' = 'POST') =>
    h.app.inject({
      method,
      url: `/api/communities/${communityId}/calendar-feed`,
      headers: user ? { [TEST_SESSION_HEADER]: user.token } : {},
    });
  const tokenOf = (url: string) => new URL(url.replace(/^webcal:/, 'http:')).searchParams.get('token') ?? '';

  it('[GA37] a member gets a webcal link to their own view of a private community, with no cookie', async () => {
    const own = await communityWorld(h.db.pool, 'private');
    await makeEvent(h.app, own.actors.admin, own.communityId, { title: 'Members', visibility: 'community' });
    const issued = await feedLink(own.actors.member, own.communityId);
    expect(issued.statusCode).toBe(201);
    const body = issued.json<{ url: string; httpUrl: string }>();
    expect(body.url).toMatch(
      new RegExp(
        `^webcal://[^/]+/api/communities/${own.communityId}/calendar\\.ics\\?token=[A-Za-z0-9_-]{43}$`,
      ),
    );
    const token = tokenOf(body.url);
    const feed = await get(h.app, null, `/api/communities/${own.communityId}/calendar.ics?token=${token}`);
    expect(feed.statusCode).toBe(200);
    expect(parseCalendar(feed.body).map((e) => e.summary)).toEqual(['Members']);
    // Hashed at rest, like sessions: the token itself is stored nowhere.
    const stored = await h.db.pool.query<{ token_hash: Buffer }>(
      `select token_hash from calendar_feed_tokens where user_id = $1`,
      [own.actors.member.id],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.token_hash.toString('base64url')).not.toBe(token);
  });

  it('[GA37] a new link replaces the old; revoked, another community, removed members and junk get 404', async () => {
    const own = await communityWorld(h.db.pool, 'private');
    const other = await communityWorld(h.db.pool, 'private');
    const member = own.actors.member;
    await addMembership(h.db.pool, other.communityId, member.id, 'member', 'active');
    const feed = (communityId: string, token: string) =>
      get(h.app, null, `/api/communities/${communityId}/calendar.ics?token=${encodeURIComponent(token)}`);
    const first = tokenOf((await feedLink(member, own.communityId)).json<{ url: string }>().url);
    const second = tokenOf((await feedLink(member, own.communityId)).json<{ url: string }>().url);
    expect((await feed(own.communityId, first)).statusCode).toBe(404);
    expect((await feed(own.communityId, second)).statusCode).toBe(200);
    // The token only ever opens the community it was issued for.
    const refused = await feed(other.communityId, second);
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ code: ErrorCode.notFound, message: /community page/ });
    expect((await feed(own.communityId, 'not-a-token')).statusCode).toBe(404);
    // Removed from the community: the link stops working at once.
    await h.db.pool.query(
      `update memberships set status = 'removed' where community_id = $1 and user_id = $2`,
      [own.communityId, member.id],
    );
    expect((await feed(own.communityId, second)).statusCode).toBe(404);
    // Revoking deletes the row: a link of a community still joined stops too.
    const otherToken = tokenOf((await feedLink(member, other.communityId)).json<{ url: string }>().url);
    expect((await feed(other.communityId, otherToken)).statusCode).toBe(200);
    expect((await feedLink(member, other.communityId, 'DELETE')).statusCode).toBe(204);
    expect((await feed(other.communityId, otherToken)).statusCode).toBe(404);
  });

  it('[GA37] links are for signed-in active members: anonymous 401, outsiders of a private one 404, others 403', async () => {
    expect((await feedLink(null, world.communityId)).json()).toMatchObject({
      code: ErrorCode.unauthenticated,
    });
    expect((await feedLink(privateWorld.actors.outsider, privateWorld.communityId)).statusCode).toBe(404);
    const refused = await feedLink(world.actors.outsider, world.communityId);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: ErrorCode.forbidden });
    expect((await feedLink(privateWorld.actors.removed, privateWorld.communityId)).statusCode).toBe(404);
  });
});

describe('guest list export', () => {
  it('[GA32][GA33] staff get one line per guest with tier and check-in; formulas are escaped', async () => {
    const admin = world.actors.admin;
    const eventId = await makeEvent(h.app, admin, world.communityId, { guestLimit: 2 });
    const door = await createTestUser(h.db.pool);
    await accept(h.app, admin, 'addEventHost', {
      eventId,
      userId: door.id,
      role: 'checkin',
      hostId: newId(),
    });
    const tierId = await makeTier(h.app, admin, eventId, { name: 'Seat in the circle' });
    const [ada, mallory] = [
      await createTestUser(h.db.pool, { displayName: 'Ada Lovelace' }),
      await createTestUser(h.db.pool, { displayName: '=HYPERLINK("http://evil.example","x")' }),
    ];
    await accept(h.app, ada, 'setRsvp', { eventId, rsvpId: newId(), status: 'going', guests: 2 });
    const ticketId = newId();
    await accept(h.app, ada, 'claimTicket', { ticketId, tierId });
    await h.db.pool.query(`update events set starts_at = $2 where id = $1`, [eventId, inDays(0, -1)]);
    await accept(h.app, door, 'checkIn', {
      checkInId: newId(),
      eventId,
      ticketId,
      method: 'manual',
      deviceScannedAt: inDays(0, -0.5),
    });
    await accept(h.app, mallory, 'setRsvp', { eventId, rsvpId: newId(), status: 'maybe' });

    const response = await get(h.app, door, `/api/events/${eventId}/guests.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toBe('name,status,guests,tier,ticket,checked_in_at');
    expect(lines).toContain(`Ada Lovelace,going,2,Seat in the circle,paid,${inDays(0, -0.5)}`);
    const evil = lines.find((line) => line.includes('HYPERLINK'));
    expect(evil).toMatch(/^"'=HYPERLINK/);
    expect(lines).toHaveLength(3);
  });

  it('[GA32] anonymous is 401, a guest or member 403, an invisible event 404', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      visibility: 'community',
    });
    const url = `/api/events/${eventId}/guests.csv`;
    expect((await get(h.app, null, url)).json()).toMatchObject({ code: ErrorCode.unauthenticated });
    const member = await get(h.app, world.actors.member, url);
    expect(member.statusCode).toBe(403);
    expect(member.json()).toMatchObject({ code: ErrorCode.forbidden });
    expect((await get(h.app, world.actors.outsider, url)).statusCode).toBe(404);
    expect((await get(h.app, world.actors.organizer, url)).statusCode).toBe(200);
  });
});
