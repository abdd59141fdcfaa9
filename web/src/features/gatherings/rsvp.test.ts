// The RSVP controls' words (./SPEC.md GW3, GW4).
import { describe, expect, it } from 'vitest';
import { guestOptions, outcomeNotice, replyLine, rsvpText, seatsText, sendingText } from './rsvp';

describe('rsvp wording', () => {
  it('[GW3][GW18] seats left, full, and no limit read as such; a line ahead means the waitlist', () => {
    expect(seatsText(40, 28)).toBe('12 of 40 seats left');
    expect(seatsText(1, 0)).toBe('1 of 1 seat left');
    expect(seatsText(3, 3)).toBe("Full — you'd be waitlisted");
    expect(seatsText(3, 5, 2)).toBe("Full — you'd be waitlisted");
    expect(seatsText(40, 38, 3)).toBe("2 of 40 seats left · 3 waiting: you'd be waitlisted");
    expect(seatsText(null, 12)).toBe('No seat limit');
    expect(seatsText(40, null)).toBe('40 seats');
  });

  it('[GW3] the reply shows going with guests, the waitlist with its position, and pending approval', () => {
    expect(rsvpText({ status: 'going', guests: 2, waitlistPosition: null })).toBe("You're going (+2 guests)");
    expect(rsvpText({ status: 'going', guests: 1, waitlistPosition: null })).toBe("You're going (+1 guest)");
    expect(rsvpText({ status: 'waitlisted', guests: 0, waitlistPosition: 4 })).toBe(
      'You are on the waitlist (#4)',
    );
    expect(rsvpText({ status: 'pending', guests: 0, waitlistPosition: null })).toMatch(/host to approve/);
  });

  it('[GW3] an unsent reply offline is pending until we are back online', () => {
    expect(sendingText('pending', false)).toMatch(/^Pending until we're back online/);
    expect(sendingText('sending', true)).toMatch(/^Sending/);
    expect(sendingText('settled', false)).toBeNull();
  });

  it('[GW3] an unconfirmed answer reads as what was asked, not as the replica’s guess', () => {
    const guess = { status: 'pending' as const, guests: 0, waitlistPosition: null };
    expect(replyLine(guess, 'going', 'pending')).toBe('You answered "Going": not confirmed yet');
    expect(replyLine(guess, 'going', 'settled')).toMatch(/host to approve/);
    expect(replyLine(undefined, null, undefined)).toBe('You have not replied yet.');
  });

  it('[GW3] +1 guests are offered up to the event’s limit', () => {
    expect(guestOptions(0)).toEqual([0]);
    expect(guestOptions(2)).toEqual([0, 1, 2]);
  });

  it('[GW4] a going reply that came back waitlisted says what was asked and what was decided', () => {
    const notice = outcomeNotice('going', { status: 'waitlisted', guests: 0, waitlistPosition: 2 });
    expect(notice?.tone).toBe('warn');
    expect(notice?.text).toMatch(/You asked to go/);
    expect(notice?.text).toMatch(/waitlist at #2/);
  });

  it('[GW4] a reply decided as asked needs no notice', () => {
    expect(outcomeNotice('going', { status: 'going', guests: 0, waitlistPosition: null })).toBeNull();
    expect(outcomeNotice('going', { status: 'pending', guests: 0, waitlistPosition: null })?.text).toMatch(
      /approval/,
    );
  });
});
