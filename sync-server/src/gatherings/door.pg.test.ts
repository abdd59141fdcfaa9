// Paying at the door and cancelled events at the door, through POST /api/mutations on a real Postgres:
// who may mark a ticket paid, the amounts it takes, every refusal with its typed code, replays (GA34);
// a cancelled event's pending payments dropped and its tickets refused at the door (GA35).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { communityWorld, post, send, type World, type WriteHarness } from '../writes/test-support/harness';
import { createTestUser, type TestUser } from '../writes/test-support/sessions';
import { accept, inDays, makeEvent, makeTier, startGatheringsHarness } from './test-support';

let h: WriteHarness;
let world: World;
beforeAll(async () => {
  h = await startGatheringsHarness();
  world = await communityWorld(h.db.pool, 'public');
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

async function expectRefused(user: TestUser, name: string, args: unknown, code: string, message?: RegExp) {
  const outcome = await send(h.app, user, name, args);
  expect(outcome, `${name} by ${user.id}`).toMatchObject({ status: 'rejected', code });
  if (message) expect(outcome.message).toMatch(message);
}

/** The admin's event with a manager and a check-in co-host, a £12 tier and a pay-what-you-want one. */
async function door() {
  const [manager, staff, guest, other] = await Promise.all(
    Array.from({ length: 4 }, () => createTestUser(h.db.pool)),
  );
  const eventId = await makeEvent(h.app, world.actors.admin, world.communityId);
  for (const [user, role] of [
    [manager!, 'manager'],
    [staff!, 'checkin'],
  ] as const)
    await accept(h.app, world.actors.admin, 'addEventHost', {
      eventId,
      userId: user.id,
      role,
      hostId: newId(),
    });
  const fixed = await makeTier(h.app, manager!, eventId, {
    pricing: 'fixed',
    priceCents: 1200,
    currency: 'GBP',
  });
  const pwyw = await makeTier(h.app, manager!, eventId, { pricing: 'pay_what_you_want', priceCents: 500 });
  const ticketId = newId();
  await accept(h.app, guest!, 'claimTicket', { ticketId, tierId: fixed });
  return { eventId, manager: manager!, staff: staff!, guest: guest!, other: other!, fixed, pwyw, ticketId };
}

const paymentOf = (ticketId: string) =>
  q(
    `select status, amount_cents, method::text, settled_by, settled_at from payments where ticket_id = $1 order by created_at`,
    [ticketId],
  );
const ticketOf = async (ticketId: string) =>
  (await q(`select status, price_cents from tickets where id = $1`, [ticketId]))[0];

describe('paying at the door', () => {
  it('[GA34] a check-in co-host marks a fixed-price ticket paid in cash: payment settled, ticket paid', async () => {
    const d = await door();
    await accept(h.app, d.staff, 'recordDoorPayment', {
      ticketId: d.ticketId,
      method: 'cash',
      amountCents: 1200,
    });
    expect(await ticketOf(d.ticketId)).toEqual({ status: 'paid', price_cents: 1200 });
    expect(await paymentOf(d.ticketId)).toEqual([
      {
        status: 'succeeded',
        amount_cents: 1200,
        method: 'cash',
        settled_by: d.staff.id,
        settled_at: expect.any(Date) as Date,
      },
    ]);
  });

  it('[GA34] the holder, a member and an outsider cannot; a wrong amount for a fixed price is refused', async () => {
    const d = await door();
    const pay = (amountCents: number) => ({ ticketId: d.ticketId, method: 'card', amountCents });
    await expectRefused(d.guest, 'recordDoorPayment', pay(1200), ErrorCode.forbidden);
    await expectRefused(world.actors.member, 'recordDoorPayment', pay(1200), ErrorCode.forbidden);
    await expectRefused(d.manager, 'recordDoorPayment', pay(1000), ErrorCode.paymentAmountMismatch, /1200/);
    await expectRefused(d.manager, 'recordDoorPayment', pay(1300), ErrorCode.paymentAmountMismatch);
    await expectRefused(
      d.manager,
      'recordDoorPayment',
      { ticketId: newId(), method: 'cash', amountCents: 1200 },
      ErrorCode.notFound,
    );
    // Bad input is a 400 with the field named, before anything is read.
    expect(await send(h.app, d.manager, 'recordDoorPayment', { ...pay(1200), method: 'iou' })).toMatchObject({
      status: 'http 400',
      code: ErrorCode.validationFailed,
    });
    expect(await ticketOf(d.ticketId)).toEqual({ status: 'reserved', price_cents: 1200 });
    expect(await paymentOf(d.ticketId)).toMatchObject([{ status: 'pending', method: null }]);
  });

  it('[GA34] an already-paid, a free and a cancelled ticket are refused with their codes', async () => {
    const d = await door();
    const pay = (ticketId: string) => ({ ticketId, method: 'cash', amountCents: 1200 });
    await accept(h.app, d.manager, 'recordDoorPayment', pay(d.ticketId));
    await expectRefused(d.staff, 'recordDoorPayment', pay(d.ticketId), ErrorCode.ticketAlreadyPaid);
    const free = await makeTier(h.app, d.manager, d.eventId);
    const freeTicket = newId();
    await accept(h.app, d.other, 'claimTicket', { ticketId: freeTicket, tierId: free });
    await expectRefused(d.staff, 'recordDoorPayment', pay(freeTicket), ErrorCode.ticketAlreadyPaid);
    const late = await createTestUser(h.db.pool);
    const cancelled = newId();
    await accept(h.app, late, 'claimTicket', { ticketId: cancelled, tierId: d.fixed });
    await accept(h.app, late, 'cancelTicket', { ticketId: cancelled });
    await expectRefused(d.staff, 'recordDoorPayment', pay(cancelled), ErrorCode.ticketCancelled);
    expect(await paymentOf(cancelled)).toMatchObject([{ status: 'failed' }]);
  });

  it('[GA34] pay what you want: at least the tier minimum, and the ticket records what was paid', async () => {
    const d = await door();
    const ticketId = newId();
    await accept(h.app, d.other, 'claimTicket', { ticketId, tierId: d.pwyw, priceCents: 2000 });
    const pay = (amountCents: number) => ({ ticketId, method: 'transfer', amountCents });
    await expectRefused(d.staff, 'recordDoorPayment', pay(400), ErrorCode.paymentAmountMismatch, /500/);
    await accept(h.app, d.staff, 'recordDoorPayment', pay(1500));
    expect(await ticketOf(ticketId)).toEqual({ status: 'paid', price_cents: 1500 });
    expect(await paymentOf(ticketId)).toMatchObject([
      { status: 'succeeded', amount_cents: 1500, method: 'transfer' },
    ]);
  });

  it('[GA34][WP4] a replayed door payment answers its stored outcome and settles once', async () => {
    const d = await door();
    const id = newId();
    const body = {
      mutations: [
        { id, name: 'recordDoorPayment', args: { ticketId: d.ticketId, method: 'cash', amountCents: 1200 } },
      ],
    };
    expect((await post(h.app, d.staff, body)).body.outcomes).toEqual([{ id, status: 'accepted' }]);
    expect((await post(h.app, d.staff, body)).body.outcomes).toEqual([{ id, status: 'accepted' }]);
    expect(await paymentOf(d.ticketId)).toMatchObject([{ status: 'succeeded', amount_cents: 1200 }]);
  });
});

describe('a cancelled event at the door', () => {
  it('[GA35] cancelling drops what reserved tickets owed; tickets stay; check-in and payment are refused', async () => {
    const d = await door();
    const paid = newId();
    await accept(h.app, d.other, 'claimTicket', { ticketId: paid, tierId: d.pwyw, priceCents: 500 });
    await accept(h.app, d.staff, 'recordDoorPayment', { ticketId: paid, method: 'card', amountCents: 500 });
    await accept(h.app, world.actors.admin, 'cancelEvent', { eventId: d.eventId });
    // Tickets stay as a record; only what was still owed is dropped through the provider.
    expect(await ticketOf(d.ticketId)).toEqual({ status: 'reserved', price_cents: 1200 });
    expect(await paymentOf(d.ticketId)).toMatchObject([{ status: 'failed' }]);
    expect(await paymentOf(paid)).toMatchObject([{ status: 'succeeded' }]);
    await expectRefused(
      d.staff,
      'checkIn',
      {
        checkInId: newId(),
        eventId: d.eventId,
        ticketId: d.ticketId,
        method: 'manual',
        deviceScannedAt: inDays(7, 1),
      },
      ErrorCode.eventCancelled,
    );
    await expectRefused(
      d.staff,
      'recordDoorPayment',
      { ticketId: d.ticketId, method: 'cash', amountCents: 1200 },
      ErrorCode.eventCancelled,
    );
    expect(await q(`select 1 from check_ins where event_id = $1`, [d.eventId])).toEqual([]);
  });
});
