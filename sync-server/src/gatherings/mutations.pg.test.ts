// Every gatherings mutation through POST /api/mutations on a real Postgres: who may run it (GA1–GA4,
// GA9, GA24), every refusal with its typed code, the seat decisions and the capacity race (GA10–GA15),
// tickets and their signed passes (GA16–GA23), and check-in at the door (GA24–GA28).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { signingKeys } from '@hearth/schema/tables/gatherings';
import { syncedColumnNames } from '@hearth/schema/table';
import {
  encodeTicketCode,
  fromBase64Url,
  ticketCodeOfPass,
  verifyTicketCode,
} from '@hearth/schema/tickets/index';
import {
  communityWorld,
  FROZEN_NOW,
  post,
  send,
  type World,
  type WriteHarness,
} from '../writes/test-support/harness';
import { createTestUser, type TestUser } from '../writes/test-support/sessions';
import { accept, inDays, makeEvent, makeTier, startGatheringsHarness } from './test-support';

let h: WriteHarness;
let world: World;
let privateWorld: World;
beforeAll(async () => {
  h = await startGatheringsHarness();
  world = await communityWorld(h.db.pool, 'public');
  privateWorld = await communityWorld(h.db.pool, 'private');
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

const sendAs = (user: TestUser, name: string, args: unknown) => send(h.app, user, name, args);

async function expectRefused(user: TestUser, name: string, args: unknown, code: string, message?: RegExp) {
  const outcome = await sendAs(user, name, args);
  expect(outcome, `${name} by ${user.id}`).toMatchObject({ status: 'rejected', code });
  if (message) expect(outcome.message).toMatch(message);
}

const rsvpOf = async (eventId: string, userId: string) =>
  (
    await q<{
      id: string;
      status: string;
      guests: number;
      waitlist_position: number | null;
      decided_by: string | null;
    }>(
      `select id, status, guests, waitlist_position, decided_by from rsvps where event_id = $1 and user_id = $2`,
      [eventId, userId],
    )
  )[0];

const rsvp = (eventId: string, status: string, guests = 0) => ({ eventId, rsvpId: newId(), status, guests });

const users = (n: number) => Promise.all(Array.from({ length: n }, () => createTestUser(h.db.pool)));

/** The admin's event with `role` co-hosts: a manager and a check-in co-host. */
async function hostedEvent(fields: Record<string, unknown> = {}) {
  const [manager, door] = await users(2);
  const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, fields);
  await accept(h.app, world.actors.admin, 'addEventHost', {
    eventId,
    userId: manager!.id,
    role: 'manager',
    hostId: newId(),
  });
  await accept(h.app, world.actors.admin, 'addEventHost', {
    eventId,
    userId: door!.id,
    role: 'checkin',
    hostId: newId(),
  });
  return { eventId, manager: manager!, door: door! };
}

describe('events', () => {
  it('[GA2] organizers and admins create events and become their host; others are refused', async () => {
    const { admin, organizer, member, outsider } = world.actors;
    for (const user of [admin, organizer]) {
      const id = await makeEvent(h.app, user, world.communityId, { timeZone: 'america/new_york' });
      const [event] = await q<{ created_by: string; time_zone: string; status: string }>(
        `select created_by, time_zone, status from events where id = $1`,
        [id],
      );
      expect(event).toEqual({ created_by: user.id, time_zone: 'America/New_York', status: 'scheduled' });
      expect(
        await q(`select role from event_hosts where event_id = $1 and user_id = $2`, [id, user.id]),
      ).toEqual([{ role: 'host' }]);
    }
    const args = () => ({
      id: newId(),
      hostId: newId(),
      communityId: world.communityId,
      title: 'T',
      startsAt: inDays(1),
      endsAt: inDays(2),
      timeZone: 'UTC',
      onlineUrl: 'https://meet.example.org/x',
    });
    await expectRefused(member, 'createEvent', args(), ErrorCode.forbidden);
    await expectRefused(outsider, 'createEvent', args(), ErrorCode.forbidden);
    await expectRefused(
      outsider,
      'createEvent',
      { ...args(), communityId: privateWorld.communityId },
      ErrorCode.notFound,
    );
  });

  it('[GA5][GA6] a private community holds no public event; times must make sense; zones are IANA names', async () => {
    const base = {
      hostId: newId(),
      communityId: privateWorld.communityId,
      title: 'T',
      startsAt: inDays(1),
      endsAt: inDays(2),
      timeZone: 'Africa/Cairo',
      placeName: 'Hall',
    };
    const admin = privateWorld.actors.admin;
    await expectRefused(
      admin,
      'createEvent',
      { ...base, id: newId() },
      ErrorCode.validationFailed,
      /^visibility:/,
    );
    await accept(h.app, admin, 'createEvent', { ...base, id: newId(), visibility: 'community' });
    await expectRefused(
      admin,
      'createEvent',
      { ...base, id: newId(), visibility: 'community', endsAt: inDays(0.5) },
      ErrorCode.validationFailed,
      /^endsAt:/,
    );
    await expectRefused(
      admin,
      'createEvent',
      { ...base, id: newId(), visibility: 'community', startsAt: inDays(-3), endsAt: inDays(-2) },
      ErrorCode.validationFailed,
      /already passed/,
    );
    const badZone = await sendAs(admin, 'createEvent', {
      ...base,
      id: newId(),
      visibility: 'community',
      timeZone: 'Mars/Olympus',
    });
    expect(badZone).toMatchObject({ status: 'http 400', code: ErrorCode.validationFailed });
    expect(badZone.message).toMatch(/timeZone: must be an IANA time zone/);
  });

  it('[GA3][GA8] managers edit (null clears); check-in co-hosts and members cannot', async () => {
    const { eventId, manager, door } = await hostedEvent({
      capacity: 10,
      onlineUrl: 'https://x.example.org/a',
    });
    await accept(h.app, manager, 'updateEvent', {
      eventId,
      title: 'Renamed',
      capacity: null,
      onlineUrl: null,
    });
    await accept(h.app, world.actors.organizer, 'updateEvent', { eventId, guestLimit: 2 });
    expect(
      (await q(`select title, capacity, online_url, guest_limit from events where id = $1`, [eventId]))[0],
    ).toEqual({ title: 'Renamed', capacity: null, online_url: null, guest_limit: 2 });
    await expectRefused(door, 'updateEvent', { eventId, title: 'No' }, ErrorCode.forbidden);
    await expectRefused(world.actors.member, 'updateEvent', { eventId, title: 'No' }, ErrorCode.forbidden);
  });

  it('[GA4][GA7] the host cancels (a manager co-host cannot); a cancelled event takes nothing more', async () => {
    const { eventId, manager } = await hostedEvent();
    const tierId = await makeTier(h.app, manager, eventId);
    await expectRefused(manager, 'cancelEvent', { eventId }, ErrorCode.forbidden);
    await accept(h.app, world.actors.admin, 'cancelEvent', { eventId });
    expect((await q(`select status, cancelled_at from events where id = $1`, [eventId]))[0]).toEqual({
      status: 'cancelled',
      cancelled_at: FROZEN_NOW,
    });
    await expectRefused(world.actors.member, 'setRsvp', rsvp(eventId, 'going'), ErrorCode.eventCancelled);
    await expectRefused(
      world.actors.member,
      'claimTicket',
      { ticketId: newId(), tierId },
      ErrorCode.eventCancelled,
    );
    await expectRefused(manager, 'updateEvent', { eventId, title: 'X' }, ErrorCode.eventCancelled);
    await expectRefused(world.actors.admin, 'cancelEvent', { eventId }, ErrorCode.eventCancelled);
  });

  it('[GA7] an event that is over takes no RSVP or claim', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId);
    const tierId = await makeTier(h.app, world.actors.admin, eventId);
    await q(`update events set starts_at = $2, ends_at = $3 where id = $1`, [
      eventId,
      inDays(-2),
      inDays(-1),
    ]);
    await expectRefused(world.actors.member, 'setRsvp', rsvp(eventId, 'going'), ErrorCode.eventPast);
    await expectRefused(
      world.actors.member,
      'claimTicket',
      { ticketId: newId(), tierId },
      ErrorCode.eventPast,
    );
  });

  it('[GA9] managers add and re-role co-hosts; the host stays; a co-host may step down', async () => {
    const { eventId, manager, door } = await hostedEvent();
    const [helper] = await users(1);
    await accept(h.app, manager, 'addEventHost', {
      eventId,
      userId: helper!.id,
      role: 'checkin',
      hostId: newId(),
    });
    await accept(h.app, manager, 'addEventHost', {
      eventId,
      userId: helper!.id,
      role: 'manager',
      hostId: newId(),
    });
    expect(
      await q(`select role, added_by from event_hosts where event_id = $1 and user_id = $2`, [
        eventId,
        helper!.id,
      ]),
    ).toEqual([{ role: 'manager', added_by: manager.id }]);
    const admin = world.actors.admin;
    await expectRefused(
      door,
      'addEventHost',
      { eventId, userId: world.target.id, role: 'checkin', hostId: newId() },
      ErrorCode.forbidden,
    );
    await expectRefused(
      manager,
      'addEventHost',
      { eventId, userId: admin.id, role: 'checkin', hostId: newId() },
      ErrorCode.conflict,
    );
    await expectRefused(manager, 'removeEventHost', { eventId, userId: admin.id }, ErrorCode.conflict);
    await expectRefused(door, 'removeEventHost', { eventId, userId: helper!.id }, ErrorCode.forbidden);
    await accept(h.app, door, 'removeEventHost', { eventId, userId: door.id });
    await accept(h.app, manager, 'removeEventHost', { eventId, userId: helper!.id });
    await expectRefused(manager, 'removeEventHost', { eventId, userId: helper!.id }, ErrorCode.notFound);
    expect(
      (await q(`select user_id from event_hosts where event_id = $1 order by user_id`, [eventId])).length,
    ).toBe(2);
  });

  it('[GA1] a community-only event does not exist for outsiders and removed members', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      visibility: 'community',
    });
    await expectRefused(world.actors.outsider, 'setRsvp', rsvp(eventId, 'going'), ErrorCode.notFound);
    await expectRefused(world.actors.removed, 'setRsvp', rsvp(eventId, 'going'), ErrorCode.notFound);
    await accept(h.app, world.actors.member, 'setRsvp', rsvp(eventId, 'going'));
    const unlisted = await makeEvent(h.app, world.actors.admin, world.communityId, {
      visibility: 'unlisted',
    });
    await accept(h.app, world.actors.outsider, 'setRsvp', rsvp(unlisted, 'maybe'));
  });
});

describe('RSVPs', () => {
  it('[GA10][GA13] going while seats fit; full -> waitlisted in order; leaving promotes the head', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      capacity: 3,
      guestLimit: 2,
    });
    const [a, b, c, d] = await users(4);
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'going', 1));
    await accept(h.app, b!, 'setRsvp', rsvp(eventId, 'going', 1)); // 2 + 2 > 3
    await accept(h.app, c!, 'setRsvp', rsvp(eventId, 'going')); // fits, but b waits: no jumping
    await accept(h.app, d!, 'setRsvp', rsvp(eventId, 'maybe'));
    expect(await rsvpOf(eventId, a!.id)).toMatchObject({
      status: 'going',
      guests: 1,
      waitlist_position: null,
    });
    expect(await rsvpOf(eventId, b!.id)).toMatchObject({ status: 'waitlisted', waitlist_position: 1 });
    expect(await rsvpOf(eventId, c!.id)).toMatchObject({ status: 'waitlisted', waitlist_position: 2 });
    expect(await rsvpOf(eventId, d!.id)).toMatchObject({ status: 'maybe' });
    // Answering again changes the same row and keeps the place in line.
    const before = await rsvpOf(eventId, c!.id);
    await accept(h.app, c!, 'setRsvp', rsvp(eventId, 'going'));
    expect(await rsvpOf(eventId, c!.id)).toEqual(before);
    // a leaves: b (2 seats) then c (1 seat) move up in the same transaction.
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'not_going'));
    expect(await rsvpOf(eventId, a!.id)).toMatchObject({ status: 'not_going', guests: 0 });
    expect(await rsvpOf(eventId, b!.id)).toMatchObject({ status: 'going', waitlist_position: null });
    expect(await rsvpOf(eventId, c!.id)).toMatchObject({ status: 'going', waitlist_position: null });
  });

  it('[GA11] guests beyond the limit, and more guests than seats left, are refused and change nothing', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      capacity: 3,
      guestLimit: 1,
    });
    const [a, b] = await users(2);
    await expectRefused(
      a!,
      'setRsvp',
      rsvp(eventId, 'going', 2),
      ErrorCode.guestLimitExceeded,
      /at most 1 guest/,
    );
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'going'));
    await accept(h.app, b!, 'setRsvp', rsvp(eventId, 'going', 1));
    await expectRefused(a!, 'setRsvp', rsvp(eventId, 'going', 1), ErrorCode.eventFull, /at most 0/);
    expect(await rsvpOf(eventId, a!.id)).toMatchObject({ status: 'going', guests: 0 });
  });

  it('[GA8][GA13] a raised capacity promotes the waitlist in the same transaction', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, { capacity: 1 });
    const [a, b, c] = await users(3);
    for (const user of [a!, b!, c!]) await accept(h.app, user, 'setRsvp', rsvp(eventId, 'going'));
    await accept(h.app, world.actors.admin, 'updateEvent', { eventId, capacity: 2 });
    expect((await rsvpOf(eventId, b!.id))?.status).toBe('going');
    expect(await rsvpOf(eventId, c!.id)).toMatchObject({ status: 'waitlisted', waitlist_position: 2 });
    await accept(h.app, world.actors.admin, 'updateEvent', { eventId, capacity: null });
    expect((await rsvpOf(eventId, c!.id))?.status).toBe('going');
  });

  it('[GA12] approval-required: pending until a manager decides; declining a going RSVP promotes', async () => {
    const { eventId, manager, door } = await hostedEvent({ capacity: 1, requiresApproval: true });
    const [a, b] = await users(2);
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'going'));
    await accept(h.app, b!, 'setRsvp', rsvp(eventId, 'going'));
    const ra = await rsvpOf(eventId, a!.id);
    const rb = await rsvpOf(eventId, b!.id);
    expect([ra?.status, rb?.status]).toEqual(['pending', 'pending']);
    await expectRefused(door, 'decideRsvp', { rsvpId: ra!.id, decision: 'approve' }, ErrorCode.forbidden);
    await expectRefused(a!, 'decideRsvp', { rsvpId: ra!.id, decision: 'approve' }, ErrorCode.forbidden);
    await accept(h.app, manager, 'decideRsvp', { rsvpId: ra!.id, decision: 'approve' });
    await accept(h.app, manager, 'decideRsvp', { rsvpId: rb!.id, decision: 'approve' });
    expect(await rsvpOf(eventId, a!.id)).toMatchObject({ status: 'going', decided_by: manager.id });
    expect(await rsvpOf(eventId, b!.id)).toMatchObject({ status: 'waitlisted', waitlist_position: 1 });
    await expectRefused(manager, 'decideRsvp', { rsvpId: ra!.id, decision: 'approve' }, ErrorCode.conflict);
    await accept(h.app, manager, 'decideRsvp', { rsvpId: ra!.id, decision: 'decline' });
    expect((await rsvpOf(eventId, a!.id))?.status).toBe('not_going');
    expect((await rsvpOf(eventId, b!.id))?.status).toBe('going');
    await expectRefused(manager, 'decideRsvp', { rsvpId: newId(), decision: 'decline' }, ErrorCode.notFound);
  });

  it('[GA36] the event row counts going seats and the waitlist through answers, guests, decisions and promotions', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      capacity: 3,
      guestLimit: 2,
    });
    const seats = async () =>
      (await q(`select seats_taken, waitlist_length from events where id = $1`, [eventId]))[0];
    const [a, b, c] = await users(3);
    expect(await seats()).toEqual({ seats_taken: 0, waitlist_length: 0 });
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'going', 1));
    expect(await seats()).toEqual({ seats_taken: 2, waitlist_length: 0 });
    await accept(h.app, b!, 'setRsvp', rsvp(eventId, 'going', 2));
    await accept(h.app, c!, 'setRsvp', rsvp(eventId, 'maybe'));
    expect(await seats()).toEqual({ seats_taken: 2, waitlist_length: 1 });
    // Fewer guests free a seat, but the head of the line needs three: nobody moves (GA13).
    await accept(h.app, a!, 'setRsvp', rsvp(eventId, 'going', 0));
    expect(await seats()).toEqual({ seats_taken: 1, waitlist_length: 1 });
    // A manager's decline frees the seat; the head moves up in the same transaction.
    const aRsvp = await rsvpOf(eventId, a!.id);
    await accept(h.app, world.actors.admin, 'decideRsvp', { rsvpId: aRsvp!.id, decision: 'decline' });
    expect(await seats()).toEqual({ seats_taken: 3, waitlist_length: 0 });
    await accept(h.app, c!, 'setRsvp', rsvp(eventId, 'going'));
    expect(await seats()).toEqual({ seats_taken: 3, waitlist_length: 1 });
    // Rows leaving by other paths (an erased account) are counted out too.
    await q(`delete from rsvps where event_id = $1 and user_id = $2`, [eventId, b!.id]);
    expect(await seats()).toEqual({ seats_taken: 0, waitlist_length: 1 });
    // Tickets hold no event seats (GA17: tiers have their own capacity).
    const tierId = await makeTier(h.app, world.actors.admin, eventId);
    await accept(h.app, a!, 'claimTicket', { ticketId: newId(), tierId });
    expect(await seats()).toEqual({ seats_taken: 0, waitlist_length: 1 });
  });

  it('[GA15][GA36] 20 concurrent RSVPs for the last 3 seats: exactly 3 going, 17 waitlisted at 1..17 in order', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId, {
      capacity: 10,
      guestLimit: 3,
    });
    const [early] = await users(1);
    await accept(h.app, early!, 'setRsvp', rsvp(eventId, 'going', 3)); // 4 seats
    const [early2] = await users(1);
    await accept(h.app, early2!, 'setRsvp', rsvp(eventId, 'going', 2)); // 3 seats: 7 of 10 taken
    const crowd = await users(20);
    const outcomes = await Promise.all(crowd.map((user) => sendAs(user, 'setRsvp', rsvp(eventId, 'going'))));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const rows = await q<{ user_id: string; status: string; waitlist_position: number | null }>(
      `select user_id, status, waitlist_position from rsvps where event_id = $1 and user_id = any($2) order by waitlist_position nulls first`,
      [eventId, crowd.map((u) => u.id)],
    );
    expect(rows.filter((r) => r.status === 'going')).toHaveLength(3);
    const waiting = rows.filter((r) => r.status === 'waitlisted');
    expect(waiting.map((r) => r.waitlist_position)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    const seats = await q<{ n: number }>(
      `select sum(1 + guests)::int as n from rsvps where event_id = $1 and status = 'going'`,
      [eventId],
    );
    expect(seats[0]?.n).toBe(10);
    // [GA36] The event row's count followed every one of those decisions.
    expect(await q(`select seats_taken, waitlist_length from events where id = $1`, [eventId])).toEqual([
      { seats_taken: 10, waitlist_length: 17 },
    ]);
    // The line is served in that order: two seats free, positions 1 and 2 move up, 3 waits.
    await accept(h.app, early2!, 'setRsvp', rsvp(eventId, 'going', 0));
    const promoted = await q<{ user_id: string }>(
      `select user_id from rsvps where event_id = $1 and user_id = any($2) and status = 'going'`,
      [eventId, waiting.slice(0, 3).map((r) => r.user_id)],
    );
    expect(promoted.map((r) => r.user_id).sort()).toEqual(
      waiting
        .slice(0, 2)
        .map((r) => r.user_id)
        .sort(),
    );
  });
});

describe('tickets', () => {
  it('[GA16] managers create and edit tiers; pricing, window, hidden-code and capacity rules hold', async () => {
    const { eventId, manager, door } = await hostedEvent();
    await expectRefused(
      door,
      'createTicketTier',
      { tierId: newId(), eventId, name: 'X' },
      ErrorCode.forbidden,
    );
    await expectRefused(
      world.actors.member,
      'createTicketTier',
      { tierId: newId(), eventId, name: 'X' },
      ErrorCode.forbidden,
    );
    await expectRefused(
      manager,
      'createTicketTier',
      { tierId: newId(), eventId, name: 'X', pricing: 'fixed' },
      ErrorCode.validationFailed,
    );
    await expectRefused(
      manager,
      'createTicketTier',
      { tierId: newId(), eventId, name: 'X', hidden: true },
      ErrorCode.validationFailed,
      /^code:/,
    );
    await expectRefused(
      manager,
      'createTicketTier',
      { tierId: newId(), eventId, name: 'X', salesStartAt: inDays(2), salesEndAt: inDays(1) },
      ErrorCode.validationFailed,
      /^salesEndAt:/,
    );
    const tierId = await makeTier(h.app, manager, eventId, {
      hidden: true,
      code: 'friends-2030',
      capacity: 1,
    });
    const [codeRow] = await q<{ hex: string }>(
      `select encode(code_hash, 'hex') as hex from ticket_tier_codes where tier_id = $1`,
      [tierId],
    );
    expect(codeRow?.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await q(`select * from ticket_tiers where id = $1`, [tierId]))).not.toContain(
      'FRIENDS',
    );
    await accept(h.app, world.target, 'claimTicket', { ticketId: newId(), tierId, code: 'FRIENDS-2030' });
    await accept(h.app, manager, 'updateTicketTier', { tierId, name: 'Friends', code: 'NEW-CODE' });
    await accept(h.app, manager, 'updateTicketTier', { tierId, capacity: 5 });
    expect((await q(`select name, capacity from ticket_tiers where id = $1`, [tierId]))[0]).toEqual({
      name: 'Friends',
      capacity: 5,
    });
    const [x, y] = await users(2);
    await accept(h.app, x!, 'claimTicket', { ticketId: newId(), tierId, code: 'new-code' });
    await accept(h.app, y!, 'claimTicket', { ticketId: newId(), tierId, code: 'new-code' });
    await expectRefused(
      manager,
      'updateTicketTier',
      { tierId, capacity: 2 },
      ErrorCode.conflict,
      /3 tickets/,
    );
  });

  it('[GA17][GA20][GA21][GA23] a free claim is paid at once and carries a pass that verifies offline', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId);
    const tierId = await makeTier(h.app, world.actors.admin, eventId, { capacity: 2 });
    const [guest] = await users(1);
    await accept(h.app, guest!, 'setRsvp', rsvp(eventId, 'going'));
    const ticketId = newId();
    await accept(h.app, guest!, 'claimTicket', { ticketId, tierId });
    const [ticket] = await q<{
      status: string;
      price_cents: number;
      rsvp_id: string | null;
      holder_id: string;
    }>(`select status, price_cents, rsvp_id, holder_id from tickets where id = $1`, [ticketId]);
    expect(ticket).toMatchObject({ status: 'paid', price_cents: 0, holder_id: guest!.id });
    expect(ticket?.rsvp_id).toBe((await rsvpOf(eventId, guest!.id))?.id);
    const [pass] = await q<{
      ticket_id: string;
      holder_id: string;
      signature: string;
      signing_key_id: string;
    }>(`select ticket_id, holder_id, signature, signing_key_id from ticket_passes where ticket_id = $1`, [
      ticketId,
    ]);
    expect(pass).toBeDefined();
    // What a device holds: the synced public key (never the private one).
    expect(syncedColumnNames(signingKeys)).not.toContain('private_key');
    const keys = await q<{ id: string; public_key: Uint8Array }>(`select id, public_key from signing_keys`);
    expect(keys).toHaveLength(1);
    const text = ticketCodeOfPass(pass!, eventId);
    expect(verifyTicketCode(text, keys)).toMatchObject({
      ok: true,
      code: { ticketId, eventId, holderId: guest!.id },
    });
    // A second claim (another tier, another event) is signed by the same key.
    const other = await makeTier(
      h.app,
      world.actors.admin,
      await makeEvent(h.app, world.actors.admin, world.communityId),
    );
    await accept(h.app, guest!, 'claimTicket', { ticketId: newId(), tierId: other });
    expect(
      await q(`select distinct signing_key_id from ticket_passes where holder_id = $1`, [guest!.id]),
    ).toHaveLength(1);
  });

  it('[GA17][GA19] hidden tiers, sale windows, capacity and one ticket each are refused with their codes', async () => {
    const eventId = await makeEvent(h.app, world.actors.admin, world.communityId);
    const hidden = await makeTier(h.app, world.actors.admin, eventId, { hidden: true, code: 'SECRET-1' });
    const [a, b, c] = await users(3);
    await expectRefused(
      a!,
      'claimTicket',
      { ticketId: newId(), tierId: hidden },
      ErrorCode.tierLocked,
      /unlocked by a code/,
    );
    await expectRefused(
      a!,
      'claimTicket',
      { ticketId: newId(), tierId: hidden, code: 'WRONG-1' },
      ErrorCode.tierLocked,
    );
    const later = await makeTier(h.app, world.actors.admin, eventId, { salesStartAt: inDays(1) });
    const closed = await makeTier(h.app, world.actors.admin, eventId, { salesEndAt: inDays(-1) });
    await expectRefused(
      a!,
      'claimTicket',
      { ticketId: newId(), tierId: later },
      ErrorCode.salesClosed,
      /go on sale/,
    );
    await expectRefused(
      a!,
      'claimTicket',
      { ticketId: newId(), tierId: closed },
      ErrorCode.salesClosed,
      /ended/,
    );
    const small = await makeTier(h.app, world.actors.admin, eventId, { capacity: 1 });
    await accept(h.app, a!, 'claimTicket', { ticketId: newId(), tierId: small });
    await expectRefused(b!, 'claimTicket', { ticketId: newId(), tierId: small }, ErrorCode.tierSoldOut);
    await expectRefused(
      a!,
      'claimTicket',
      { ticketId: newId(), tierId: hidden, code: 'secret-1' },
      ErrorCode.alreadyHasTicket,
    );
    await accept(h.app, c!, 'claimTicket', { ticketId: newId(), tierId: hidden, code: 'secret-1' });
    await expectRefused(a!, 'claimTicket', { ticketId: newId(), tierId: newId() }, ErrorCode.notFound);
    expect(await q(`select 1 from tickets where holder_id = $1`, [b!.id])).toHaveLength(0);
  });

  it('[GA18][GA19] a priced ticket is reserved and owes in person; cancelling drops what it owed', async () => {
    const { eventId, manager } = await hostedEvent();
    const fixed = await makeTier(h.app, manager, eventId, {
      pricing: 'fixed',
      priceCents: 800,
      currency: 'GBP',
    });
    const pwyw = await makeTier(h.app, manager, eventId, { pricing: 'pay_what_you_want', priceCents: 200 });
    const [a, b, c] = await users(3);
    const ticketId = newId();
    await accept(h.app, a!, 'claimTicket', { ticketId, tierId: fixed });
    expect(
      (await q(`select status, price_cents, currency from tickets where id = $1`, [ticketId]))[0],
    ).toEqual({
      status: 'reserved',
      price_cents: 800,
      currency: 'GBP',
    });
    expect(
      await q(`select provider, amount_cents, currency, status from payments where ticket_id = $1`, [
        ticketId,
      ]),
    ).toEqual([{ provider: 'in_person', amount_cents: 800, currency: 'GBP', status: 'pending' }]);
    await expectRefused(
      b!,
      'claimTicket',
      { ticketId: newId(), tierId: pwyw, priceCents: 100 },
      ErrorCode.validationFailed,
    );
    const offered = newId();
    await accept(h.app, b!, 'claimTicket', { ticketId: offered, tierId: pwyw, priceCents: 1500 });
    expect((await q(`select price_cents from tickets where id = $1`, [offered]))[0]).toEqual({
      price_cents: 1500,
    });
    // Someone else's ticket does not exist for them; the holder and managers cancel.
    await expectRefused(c!, 'cancelTicket', { ticketId }, ErrorCode.notFound);
    await accept(h.app, a!, 'cancelTicket', { ticketId });
    expect((await q(`select status from payments where ticket_id = $1`, [ticketId]))[0]).toEqual({
      status: 'failed',
    });
    await expectRefused(a!, 'cancelTicket', { ticketId }, ErrorCode.ticketCancelled);
    await accept(h.app, manager, 'cancelTicket', { ticketId: offered });
    // A cancelled ticket frees its holder to claim again.
    await accept(h.app, a!, 'claimTicket', { ticketId: newId(), tierId: pwyw });
  });
});

describe('check-in', () => {
  async function door() {
    const { eventId, manager, door: staff } = await hostedEvent();
    const tierId = await makeTier(h.app, manager, eventId);
    // The doors opened two hours ago (device clocks are believed from a day before the start, GA26).
    await q(`update events set starts_at = $2 where id = $1`, [eventId, inDays(0, -2)]);
    const [guest] = await users(1);
    const ticketId = newId();
    await accept(h.app, guest!, 'claimTicket', { ticketId, tierId });
    const [pass] = await q<{
      ticket_id: string;
      holder_id: string;
      signature: string;
      signing_key_id: string;
    }>(`select ticket_id, holder_id, signature, signing_key_id from ticket_passes where ticket_id = $1`, [
      ticketId,
    ]);
    return {
      eventId,
      manager,
      staff,
      tierId,
      guest: guest!,
      ticketId,
      code: ticketCodeOfPass(pass!, eventId),
      pass: pass!,
    };
  }

  const scan = (eventId: string, ticketId: string, code: string, at: string) => ({
    checkInId: newId(),
    eventId,
    ticketId,
    method: 'qr',
    code,
    deviceScannedAt: at,
  });

  it('[GA24] check-in staff scan a signed code; the row records who, how and when', async () => {
    const d = await door();
    await accept(h.app, d.staff, 'checkIn', scan(d.eventId, d.ticketId, d.code, inDays(0, -1)));
    expect(
      await q(
        `select checked_in_by, method, checked_in_at, device_scanned_at from check_ins where ticket_id = $1`,
        [d.ticketId],
      ),
    ).toEqual([
      {
        checked_in_by: d.staff.id,
        method: 'qr',
        checked_in_at: new Date(inDays(0, -1)),
        device_scanned_at: new Date(inDays(0, -1)),
      },
    ]);
  });

  it('[GA24] a non-host, a forged or altered code, another event, a cancelled ticket are each refused', async () => {
    const d = await door();
    const at = inDays(0, -1);
    await expectRefused(d.guest, 'checkIn', scan(d.eventId, d.ticketId, d.code, at), ErrorCode.forbidden);
    await expectRefused(
      world.actors.member,
      'checkIn',
      scan(d.eventId, d.ticketId, d.code, at),
      ErrorCode.forbidden,
    );
    // Altered: one character of the signature changed.
    const altered = d.code.slice(0, -3) + (d.code.at(-3) === 'A' ? 'B' : 'A') + d.code.slice(-2);
    await expectRefused(
      d.staff,
      'checkIn',
      scan(d.eventId, d.ticketId, altered, at),
      ErrorCode.ticketCodeInvalid,
      /forged or altered/,
    );
    // Forged: a well-formed code signed by a key the server never had, naming the real key id.
    const signature = fromBase64Url(d.pass.signature)!.map((b) => b ^ 0xff);
    const forged = encodeTicketCode({
      ticketId: d.ticketId,
      eventId: d.eventId,
      holderId: d.guest.id,
      keyId: d.pass.signing_key_id,
      signature,
    });
    await expectRefused(
      d.staff,
      'checkIn',
      scan(d.eventId, d.ticketId, forged, at),
      ErrorCode.ticketCodeInvalid,
    );
    // Another ticket's (valid) code presented for this ticket.
    const other = await door();
    await expectRefused(
      d.staff,
      'checkIn',
      scan(d.eventId, d.ticketId, other.code, at),
      ErrorCode.ticketWrongEvent,
    );
    // A valid ticket of another event at this door, by hand.
    const manual = {
      checkInId: newId(),
      eventId: d.eventId,
      ticketId: other.ticketId,
      method: 'manual',
      deviceScannedAt: at,
    };
    await expectRefused(d.staff, 'checkIn', manual, ErrorCode.ticketWrongEvent);
    await accept(h.app, d.guest, 'cancelTicket', { ticketId: d.ticketId });
    await expectRefused(
      d.staff,
      'checkIn',
      scan(d.eventId, d.ticketId, d.code, at),
      ErrorCode.ticketCancelled,
    );
    expect(await q(`select 1 from check_ins where event_id = $1`, [d.eventId])).toHaveLength(0);
  });

  it('[GA25][GA27] two offline devices: the earliest scan wins in either order; the later one is told', async () => {
    const { rows } = await h.db.pool.query<{ display_name: string }>(
      `update users set display_name = 'Sam Rivera' where id = $1 returning display_name`,
      [world.actors.organizer.id],
    );
    expect(rows).toHaveLength(1);
    // Order 1: the later scan (19:05 London) syncs first, the earlier one (19:02) second and wins.
    const d = await door();
    const early = '2030-05-03T18:02:10.000Z';
    const late = '2030-05-03T18:05:00.000Z';
    await q(`update events set starts_at = $2 where id = $1`, [d.eventId, '2030-05-03T18:00:00Z']);
    await accept(h.app, d.staff, 'checkIn', scan(d.eventId, d.ticketId, d.code, late));
    await accept(h.app, world.actors.organizer, 'checkIn', scan(d.eventId, d.ticketId, d.code, early));
    expect(
      await q(`select checked_in_by, checked_in_at from check_ins where ticket_id = $1`, [d.ticketId]),
    ).toEqual([{ checked_in_by: world.actors.organizer.id, checked_in_at: new Date(early) }]);
    await expectRefused(
      d.staff,
      'checkIn',
      scan(d.eventId, d.ticketId, d.code, late),
      ErrorCode.alreadyCheckedIn,
      /^Already checked in at 19:02 by Sam Rivera\.$/,
    );
    // Order 2: the earlier scan syncs first; the later is refused with the same sentence.
    const e = await door();
    await q(`update events set starts_at = $2 where id = $1`, [e.eventId, '2030-05-03T18:00:00Z']);
    await accept(h.app, world.actors.organizer, 'checkIn', scan(e.eventId, e.ticketId, e.code, early));
    await expectRefused(
      e.staff,
      'checkIn',
      scan(e.eventId, e.ticketId, e.code, late),
      ErrorCode.alreadyCheckedIn,
      /at 19:02 by Sam Rivera/,
    );
    expect(await q(`select 1 from check_ins where ticket_id = $1`, [e.ticketId])).toHaveLength(1);
  });

  it('[GA26] a device clock ahead of the server cannot win: its scan counts as the server now', async () => {
    const d = await door();
    await accept(h.app, d.staff, 'checkIn', scan(d.eventId, d.ticketId, d.code, inDays(30)));
    expect(
      (
        await q(`select checked_in_at, device_scanned_at from check_ins where ticket_id = $1`, [d.ticketId])
      )[0],
    ).toEqual({
      checked_in_at: FROZEN_NOW,
      device_scanned_at: new Date(inDays(30)),
    });
    await accept(h.app, d.manager, 'checkIn', scan(d.eventId, d.ticketId, d.code, inDays(0, -1)));
    expect((await q(`select checked_in_by from check_ins where ticket_id = $1`, [d.ticketId]))[0]).toEqual({
      checked_in_by: d.manager.id,
    });
  });

  it('[GA28] a replayed check-in answers its stored outcome and adds nothing', async () => {
    const d = await door();
    const args = scan(d.eventId, d.ticketId, d.code, inDays(0, -1));
    const id = newId();
    const body = { mutations: [{ id, name: 'checkIn', args }] };
    const first = await post(h.app, d.staff, body);
    const again = await post(h.app, d.staff, body);
    expect(first.body.outcomes).toEqual([{ id, status: 'accepted' }]);
    expect(again.body.outcomes).toEqual([{ id, status: 'accepted' }]);
    expect(await q(`select 1 from check_ins where ticket_id = $1`, [d.ticketId])).toHaveLength(1);
  });
});
