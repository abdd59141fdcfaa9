// The gatherings' optimistic applies over the in-memory replica (GA14, GA24, MU16): what a device
// shows before the server decides, including a check-in at the door with no network.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids';
import { MemoryReplica, mutations, type MutationContext, type ReplicaRow } from '../../src/mutations/index';
import { encodeTicketCode, ticketPayload } from '../../src/tickets';

const NOW = new Date('2030-05-04T18:00:00.000Z');
const ctxFor = (userId: string): MutationContext => ({
  userId,
  siteRole: 'member',
  now: NOW,
  mutationId: newId(),
});

function event(
  id: string,
  communityId: string,
  extra: Partial<ReplicaRow<'events'>> = {},
): ReplicaRow<'events'> {
  return {
    id,
    community_id: communityId,
    created_by: newId(),
    title: 'Story circle',
    description: '',
    visibility: 'public',
    status: 'scheduled',
    starts_at: '2030-05-04T17:00:00.000Z',
    ends_at: '2030-05-04T21:00:00.000Z',
    time_zone: 'Europe/London',
    place_name: 'Library',
    address: '',
    online_url: null,
    cover_media_id: null,
    capacity: null,
    requires_approval: false,
    guest_limit: 1,
    cancelled_at: null,
    seats_taken: 0,
    waitlist_length: 0,
    created_at: NOW.toISOString(),
    updated_at: NOW.toISOString(),
    ...extra,
  };
}

const parse = <N extends keyof typeof mutations>(name: N, args: unknown) =>
  mutations[name].args.parse(args) as never;

describe('optimistic gatherings', () => {
  it('[GA14] an RSVP the device cannot decide shows pending; an open event shows going at once', async () => {
    const me = newId();
    const full = newId();
    const open = newId();
    const local = new MemoryReplica({
      events: [event(full, newId(), { capacity: 3 }), event(open, newId())],
    });
    const guessOf = async (eventId: string) => {
      const args = parse('setRsvp', { eventId, rsvpId: newId(), status: 'going' });
      const [change] = await mutations.setRsvp.optimistic(args, ctxFor(me), local);
      return change?.table === 'rsvps' ? change.row.status : undefined;
    };
    expect(await guessOf(full)).toBe('pending');
    expect(await guessOf(open)).toBe('going');
    // An event this device has not synced: pending too.
    expect(await guessOf(newId())).toBe('pending');
  });

  it('[GA11] over the +1 limit the device shows nothing: the server would refuse', async () => {
    const eventId = newId();
    const local = new MemoryReplica({ events: [event(eventId, newId())] });
    const args = parse('setRsvp', { eventId, rsvpId: newId(), status: 'going', guests: 2 });
    expect(await mutations.setRsvp.optimistic(args, ctxFor(newId()), local)).toEqual([]);
  });

  it('[GA24] offline at the door: a signed code verifies with the synced key and lays a check-in row', async () => {
    const host = newId();
    const eventId = newId();
    const ticketId = newId();
    const holderId = newId();
    const keyId = newId();
    const secret = new Uint8Array(32).fill(3);
    const signature = ed25519.sign(ticketPayload({ ticketId, eventId, holderId }), secret);
    const code = encodeTicketCode({ ticketId, eventId, holderId, keyId, signature });
    const local = new MemoryReplica({
      events: [event(eventId, newId())],
      event_hosts: [
        {
          id: newId(),
          event_id: eventId,
          user_id: host,
          role: 'checkin',
          added_by: null,
          created_at: NOW.toISOString(),
        },
      ],
      signing_keys: [
        {
          id: keyId,
          algorithm: 'ed25519',
          public_key: ed25519.getPublicKey(secret),
          created_at: NOW.toISOString(),
          retired_at: null,
        },
      ],
    });
    const scan = (text: string) =>
      parse('checkIn', {
        checkInId: newId(),
        eventId,
        ticketId,
        method: 'qr',
        code: text,
        deviceScannedAt: '2030-05-04T18:02:00Z',
      });
    const changes = await mutations.checkIn.optimistic(scan(code), ctxFor(host), local);
    expect(changes).toMatchObject([
      {
        table: 'check_ins',
        op: 'upsert',
        row: { ticket_id: ticketId, checked_in_by: host, checked_in_at: '2030-05-04T18:02:00.000Z' },
      },
    ]);
    // Altered, or scanned by someone who is not staff: nothing is laid over.
    const altered = code.slice(0, -2) + (code.at(-2) === 'A' ? 'B' : 'A') + code.slice(-1);
    expect(await mutations.checkIn.optimistic(scan(altered), ctxFor(host), local)).toEqual([]);
    expect(await mutations.checkIn.optimistic(scan(code), ctxFor(newId()), local)).toEqual([]);
    // Already checked in on this device: nothing new.
    local.apply(changes);
    expect(await mutations.checkIn.optimistic(scan(code), ctxFor(host), local)).toEqual([]);
  });
  it('[GA34][GA35] offline at the door: staff mark a reserved ticket paid; the holder, a wrong amount and a cancelled event change nothing', async () => {
    const staff = newId();
    const holder = newId();
    const eventId = newId();
    const cancelledId = newId();
    const tierId = newId();
    const now = NOW.toISOString();
    const ticket = (id: string, event_id: string) => ({
      id,
      tier_id: tierId,
      event_id,
      holder_id: holder,
      rsvp_id: null,
      status: 'reserved' as const,
      price_cents: 1200,
      currency: 'EUR',
      issued_at: now,
      updated_at: now,
    });
    const hostRow = (event_id: string) => ({
      id: newId(),
      event_id,
      user_id: staff,
      role: 'checkin' as const,
      added_by: null,
      created_at: now,
    });
    const local = new MemoryReplica({
      events: [
        event(eventId, newId()),
        event(cancelledId, newId(), { status: 'cancelled', cancelled_at: now }),
      ],
      event_hosts: [hostRow(eventId), hostRow(cancelledId)],
      ticket_tiers: [
        {
          id: tierId,
          event_id: eventId,
          name: 'Seat',
          description: '',
          pricing: 'fixed',
          price_cents: 1200,
          currency: 'EUR',
          capacity: null,
          sales_start_at: null,
          sales_end_at: null,
          hidden: false,
          position: 0,
          created_at: now,
          updated_at: now,
        },
      ],
      tickets: [
        ticket('10000000-0000-4000-8000-000000000001', eventId),
        ticket('10000000-0000-4000-8000-000000000002', cancelledId),
      ],
    });
    const pay = (ticketId: string, amountCents: number) =>
      parse('recordDoorPayment', { ticketId, method: 'cash', amountCents });
    const paid = await mutations.recordDoorPayment.optimistic(
      pay('10000000-0000-4000-8000-000000000001', 1200),
      ctxFor(staff),
      local,
    );
    expect(paid).toMatchObject([
      { table: 'tickets', op: 'upsert', row: { status: 'paid', price_cents: 1200 } },
    ]);
    for (const [ticketId, amount, user] of [
      ['10000000-0000-4000-8000-000000000001', 1200, holder],
      ['10000000-0000-4000-8000-000000000001', 1000, staff],
      ['10000000-0000-4000-8000-000000000002', 1200, staff],
    ] as const)
      expect(
        await mutations.recordDoorPayment.optimistic(pay(ticketId, amount), ctxFor(user), local),
      ).toEqual([]);
  });
});
