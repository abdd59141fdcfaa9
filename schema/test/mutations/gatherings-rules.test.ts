// The gatherings rules as pure functions (sync-server/src/gatherings/SPEC.md): who may run an event,
// the seat arithmetic of RSVPs and waitlists, sale windows and prices, and the door's decisions.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors';
import { MutationRejected } from '../../src/mutations/define';
import {
  alreadyCheckedInMessage,
  clampScanTime,
  requireAdmissible,
  scanWins,
} from '../../src/mutations/check-ins-rules';
import {
  canSeeEvent,
  isManager,
  isStaff,
  requireCanCancel,
  requireOpen,
  requireTimes,
  requireVisibilityAllowed,
  type EventStanding,
} from '../../src/mutations/events-rules';
import {
  decideAnswer,
  decideApproval,
  guessRsvpStatus,
  promotions,
  requireGuestLimit,
  type RsvpSituation,
} from '../../src/mutations/rsvps-rules';
import {
  priceOf,
  requireCodeForHidden,
  requireDoorAmount,
  requireOnSale,
  requireOwing,
  requirePricing,
  requireTierSeat,
  statusForPrice,
} from '../../src/mutations/tickets-rules';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MutationRejected) return error.code;
    throw error;
  }
}

const standing = (
  role: 'member' | 'organizer' | 'admin' | null,
  hostRole: EventStanding['hostRole'] = null,
  status: 'active' | 'pending' | 'removed' = 'active',
): EventStanding => ({ membership: role ? { role, status } : null, hostRole });

const NOW = new Date('2030-05-04T12:00:00Z');
const hours = (n: number) => new Date(NOW.getTime() + n * 3_600_000);

describe('events', () => {
  it('[GA1] public and unlisted events to anyone; community-only ones to active members and hosts', () => {
    expect(canSeeEvent({ visibility: 'public' }, standing(null))).toBe(true);
    expect(canSeeEvent({ visibility: 'unlisted' }, standing(null))).toBe(true);
    expect(canSeeEvent({ visibility: 'community' }, standing(null))).toBe(false);
    expect(canSeeEvent({ visibility: 'community' }, standing('member', null, 'pending'))).toBe(false);
    expect(canSeeEvent({ visibility: 'community' }, standing('member'))).toBe(true);
    expect(canSeeEvent({ visibility: 'community' }, standing(null, 'checkin'))).toBe(true);
  });

  it('[GA3] managers are hosts, manager co-hosts, organizers and admins; staff adds check-in co-hosts', () => {
    expect(isManager(standing(null, 'host'))).toBe(true);
    expect(isManager(standing(null, 'manager'))).toBe(true);
    expect(isManager(standing('organizer'))).toBe(true);
    expect(isManager(standing('admin', null, 'removed'))).toBe(false);
    expect(isManager(standing('member', 'checkin'))).toBe(false);
    expect(isStaff(standing('member', 'checkin'))).toBe(true);
    expect(isStaff(standing('member'))).toBe(false);
  });

  it('[GA4] the host and community organizers cancel; a manager co-host cannot', () => {
    expect(codeOf(() => requireCanCancel(standing(null, 'host')))).toBeUndefined();
    expect(codeOf(() => requireCanCancel(standing('organizer')))).toBeUndefined();
    expect(codeOf(() => requireCanCancel(standing('member', 'manager')))).toBe(ErrorCode.forbidden);
  });

  it('[GA5] a private community holds no public events', () => {
    expect(codeOf(() => requireVisibilityAllowed('private', 'public'))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireVisibilityAllowed('private', 'unlisted'))).toBeUndefined();
    expect(codeOf(() => requireVisibilityAllowed('public', 'public'))).toBeUndefined();
  });

  it('[GA6] an event ends after it starts, and not in the past', () => {
    expect(codeOf(() => requireTimes(hours(2), hours(1), NOW))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireTimes(hours(-3), hours(-1), NOW))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireTimes(hours(-1), hours(1), NOW))).toBeUndefined();
  });

  it('[GA7] a cancelled or ended event takes no answers', () => {
    expect(codeOf(() => requireOpen({ status: 'cancelled', ends_at: hours(5) }, NOW))).toBe(
      ErrorCode.eventCancelled,
    );
    expect(codeOf(() => requireOpen({ status: 'scheduled', ends_at: hours(0) }, NOW))).toBe(
      ErrorCode.eventPast,
    );
    expect(
      codeOf(() => requireOpen({ status: 'scheduled', ends_at: hours(1).toISOString() }, NOW)),
    ).toBeUndefined();
  });
});

describe('RSVP seats', () => {
  const base: RsvpSituation = {
    capacity: 10,
    requiresApproval: false,
    othersSeats: 0,
    othersWaiting: 0,
    own: null,
  };

  it('[GA10] going while seats (1 + guests) fit and nobody waits; otherwise waitlisted at the end', () => {
    expect(decideAnswer('going', 2, { ...base, othersSeats: 7 })).toEqual({
      status: 'going',
      position: null,
    });
    expect(decideAnswer('going', 3, { ...base, othersSeats: 7 })).toEqual({
      status: 'waitlisted',
      position: 'next',
    });
    expect(decideAnswer('going', 0, { ...base, othersSeats: 0, othersWaiting: 1 })).toEqual({
      status: 'waitlisted',
      position: 'next',
    });
    expect(decideAnswer('going', 5, { ...base, capacity: null, othersSeats: 1000 }).status).toBe('going');
  });

  it('[GA10] approval-required events put new going answers in pending; maybe and not going hold no seat', () => {
    expect(decideAnswer('going', 0, { ...base, requiresApproval: true }).status).toBe('pending');
    expect(decideAnswer('maybe', 0, { ...base, othersSeats: 10 })).toEqual({
      status: 'maybe',
      position: null,
    });
    expect(decideAnswer('not_going', 0, base)).toEqual({ status: 'not_going', position: null });
  });

  it('[GA10] an RSVP keeps its place: waitlisted keeps its position, pending stays pending', () => {
    expect(decideAnswer('going', 0, { ...base, own: { status: 'waitlisted', guests: 1 } })).toEqual({
      status: 'waitlisted',
      position: 'keep',
    });
    expect(decideAnswer('going', 0, { ...base, own: { status: 'pending', guests: 0 } }).status).toBe(
      'pending',
    );
  });

  it('[GA11] guests up to the limit; a going RSVP asking for more seats than are left is event_full', () => {
    expect(codeOf(() => requireGuestLimit(2, 1))).toBe(ErrorCode.guestLimitExceeded);
    expect(codeOf(() => requireGuestLimit(1, 1))).toBeUndefined();
    const own = { status: 'going' as const, guests: 0 };
    expect(codeOf(() => decideAnswer('going', 2, { ...base, othersSeats: 8, own }))).toBe(
      ErrorCode.eventFull,
    );
    expect(decideAnswer('going', 1, { ...base, othersSeats: 8, own }).status).toBe('going');
  });

  it('[GA12] approving a pending RSVP: going when it fits and nobody waits, else waitlisted', () => {
    expect(decideApproval(10, 9, 0, 0).status).toBe('going');
    expect(decideApproval(10, 9, 0, 1).status).toBe('waitlisted');
    expect(decideApproval(10, 0, 2, 0).status).toBe('waitlisted');
    expect(decideApproval(null, 99, 0, 3).status).toBe('going');
  });

  it('[GA13] freed seats promote the waitlist in position order while the head fits', () => {
    const waitlist = [
      { id: 'c', guests: 0, waitlist_position: 7 },
      { id: 'a', guests: 1, waitlist_position: 2 },
      { id: 'b', guests: 0, waitlist_position: 5 },
    ];
    expect(promotions(10, 10, waitlist)).toEqual([]);
    expect(promotions(10, 8, waitlist)).toEqual(['a']);
    expect(promotions(10, 6, waitlist)).toEqual(['a', 'b', 'c']);
    expect(promotions(null, 1000, waitlist)).toEqual(['a', 'b', 'c']);
  });

  it('[GA13] the line is strict: a party at the head that does not fit is not skipped', () => {
    const waitlist = [
      { id: 'big', guests: 3, waitlist_position: 1 },
      { id: 'small', guests: 0, waitlist_position: 2 },
    ];
    expect(promotions(10, 8, waitlist)).toEqual([]);
    expect(promotions(10, 6, waitlist)).toEqual(['big']);
  });

  it('[GA14] the offline guess is exact when it can be, pending when it cannot know', () => {
    const open = { capacity: null, requires_approval: false };
    expect(guessRsvpStatus('going', open, undefined)).toBe('going');
    expect(guessRsvpStatus('going', { capacity: 5, requires_approval: false }, undefined)).toBe('pending');
    expect(guessRsvpStatus('going', undefined, undefined)).toBe('pending');
    expect(
      guessRsvpStatus('going', { capacity: 5, requires_approval: false }, { status: 'waitlisted' }),
    ).toBe('waitlisted');
    expect(guessRsvpStatus('not_going', { capacity: 5, requires_approval: true }, { status: 'going' })).toBe(
      'not_going',
    );
  });
});

describe('tickets', () => {
  it('[GA16] free costs nothing, fixed costs something, a hidden tier has a code and only it does', () => {
    expect(codeOf(() => requirePricing('free', 100))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requirePricing('fixed', 0))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requirePricing('pay_what_you_want', 0))).toBeUndefined();
    expect(codeOf(() => requireCodeForHidden(true, false))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireCodeForHidden(false, true))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireCodeForHidden(true, true))).toBeUndefined();
  });

  it('[GA17] claims inside the sale window only, and while the tier has a seat', () => {
    const window = { sales_start_at: hours(-1), sales_end_at: hours(1) };
    expect(codeOf(() => requireOnSale(window, NOW))).toBeUndefined();
    expect(codeOf(() => requireOnSale(window, hours(-2)))).toBe(ErrorCode.salesClosed);
    expect(codeOf(() => requireOnSale(window, hours(1)))).toBe(ErrorCode.salesClosed);
    expect(codeOf(() => requireOnSale({ sales_start_at: null, sales_end_at: null }, NOW))).toBeUndefined();
    expect(codeOf(() => requireTierSeat(3, 3))).toBe(ErrorCode.tierSoldOut);
    expect(codeOf(() => requireTierSeat(null, 3000))).toBeUndefined();
  });

  it('[GA18] the price: fixed as set, pay-what-you-want at least the minimum; zero is settled, else reserved', () => {
    expect(priceOf({ pricing: 'fixed', price_cents: 800 }, undefined)).toBe(800);
    expect(codeOf(() => priceOf({ pricing: 'fixed', price_cents: 800 }, 100))).toBe(
      ErrorCode.validationFailed,
    );
    expect(priceOf({ pricing: 'pay_what_you_want', price_cents: 200 }, 500)).toBe(500);
    expect(priceOf({ pricing: 'pay_what_you_want', price_cents: 200 }, undefined)).toBe(200);
    expect(codeOf(() => priceOf({ pricing: 'pay_what_you_want', price_cents: 200 }, 100))).toBe(
      ErrorCode.validationFailed,
    );
    expect(statusForPrice(0)).toBe('paid');
    expect(statusForPrice(800)).toBe('reserved');
  });

  it('[GA34] the door takes what a reserved ticket owes: fixed exactly, pay-what-you-want at least the minimum', () => {
    expect(codeOf(() => requireOwing({ status: 'reserved' }))).toBeUndefined();
    expect(codeOf(() => requireOwing({ status: 'paid' }))).toBe(ErrorCode.ticketAlreadyPaid);
    expect(codeOf(() => requireOwing({ status: 'cancelled' }))).toBe(ErrorCode.ticketCancelled);
    const owed = { cents: 1200, currency: 'EUR' };
    expect(
      codeOf(() => requireDoorAmount({ pricing: 'fixed', price_cents: 1200 }, owed, 1200)),
    ).toBeUndefined();
    expect(codeOf(() => requireDoorAmount({ pricing: 'fixed', price_cents: 1200 }, owed, 1000))).toBe(
      ErrorCode.paymentAmountMismatch,
    );
    const pwyw = { pricing: 'pay_what_you_want', price_cents: 500 } as const;
    expect(codeOf(() => requireDoorAmount(pwyw, owed, 500))).toBeUndefined();
    expect(codeOf(() => requireDoorAmount(pwyw, owed, 400))).toBe(ErrorCode.paymentAmountMismatch);
  });
});

describe('check-in', () => {
  const event = { starts_at: hours(-1) };

  it('[GA24] a ticket of another event, or a cancelled one, is refused with its code', () => {
    expect(codeOf(() => requireAdmissible({ event_id: 'a', status: 'paid' }, 'b'))).toBe(
      ErrorCode.ticketWrongEvent,
    );
    expect(codeOf(() => requireAdmissible({ event_id: 'a', status: 'cancelled' }, 'a'))).toBe(
      ErrorCode.ticketCancelled,
    );
    expect(codeOf(() => requireAdmissible({ event_id: 'a', status: 'reserved' }, 'a'))).toBeUndefined();
  });

  it('[GA25] the earliest scan wins; a tie keeps the first applied', () => {
    expect(scanWins(hours(-0.5), hours(-0.25))).toBe(true);
    expect(scanWins(hours(-0.25), hours(-0.5))).toBe(false);
    expect(scanWins(hours(-0.25), hours(-0.25))).toBe(false);
  });

  it('[GA26] a device clock is believed between a day before the start and the server now', () => {
    expect(clampScanTime(hours(-0.5), NOW, event)).toEqual(hours(-0.5));
    expect(clampScanTime(hours(3), NOW, event)).toEqual(NOW);
    expect(clampScanTime(hours(-100), NOW, event)).toEqual(hours(-25));
    // Before the door could open, and the server itself is earlier: the server's now.
    expect(clampScanTime(hours(-100), NOW, { starts_at: hours(48) })).toEqual(NOW);
  });

  it('[GA27] the later scan is told when, in the event zone, and by whom', () => {
    expect(alreadyCheckedInMessage('2030-05-04T18:02:30Z', 'Sam Rivera', 'Europe/London')).toBe(
      'Already checked in at 19:02 by Sam Rivera.',
    );
  });
});
