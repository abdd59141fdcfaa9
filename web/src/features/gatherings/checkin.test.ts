// The door's decision, offline (./SPEC.md GW6–GW8): real Ed25519 signatures over the canonical
// ticket bytes of schema/src/tickets, verified with public keys as the replica holds them.
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeTicketCode, ticketPayload, type PublicKeyRow } from '@hearth/schema/tickets/index';
import { describe, expect, it } from 'vitest';
import { alreadyText, counterText, doorVerdict, normalizeCode, owedCents, type DoorFacts } from './checkin';

const EVENT = '0197f2a0-0000-7000-8000-000000000001';
const OTHER_EVENT = '0197f2a0-0000-7000-8000-000000000002';
const TICKET = '0197f2a0-0000-7000-8000-0000000000a1';
const HOLDER = '0197f2a0-0000-7000-8000-0000000000b1';
const KEY = '0197f2a0-0000-7000-8000-0000000000c1';

const secret = ed25519.utils.randomSecretKey();
const keys: PublicKeyRow[] = [{ id: KEY, public_key: ed25519.getPublicKey(secret) }];

function codeFor(eventId: string, signWith = secret): string {
  const claims = { ticketId: TICKET, eventId, holderId: HOLDER };
  return encodeTicketCode({
    ...claims,
    keyId: KEY,
    signature: ed25519.sign(ticketPayload(claims), signWith),
  });
}

function door(overrides: Partial<DoorFacts> = {}): DoorFacts {
  return {
    eventId: EVENT,
    eventCancelled: false,
    keys,
    ticket: (id) =>
      id === TICKET ? { id, event_id: EVENT, holder_id: HOLDER, status: 'reserved' } : undefined,
    checkIn: () => undefined,
    ...overrides,
  };
}

describe('check-in at the door', () => {
  it('[GW6] a valid code for this event is admitted, also typed with spaces and line breaks', () => {
    const code = codeFor(EVENT);
    const typed = `  ${code.slice(0, 20)}\n${code.slice(20, 50)} ${code.slice(50)} `;
    expect(normalizeCode(typed)).toBe(code);
    const verdict = doorVerdict(typed, door());
    expect(verdict.kind).toBe('admit');
    if (verdict.kind === 'admit') {
      expect(verdict.code.ticketId).toBe(TICKET);
      expect(verdict.onGuestList).toBe(true);
    }
  });

  it('[GW6] a forged code (signed by another key) and an altered one are refused', () => {
    const forged = doorVerdict(codeFor(EVENT, ed25519.utils.randomSecretKey()), door());
    expect(forged).toMatchObject({ kind: 'refuse', reason: 'forged' });
    const code = codeFor(EVENT);
    const last = code.at(-2) === 'A' ? 'B' : 'A';
    const altered = doorVerdict(code.slice(0, -2) + last + code.slice(-1), door());
    expect(altered.kind).toBe('refuse');
    expect(doorVerdict('hello', door())).toMatchObject({ kind: 'refuse', reason: 'unreadable' });
  });

  it('[GW6] a genuine code of another event is refused as such', () => {
    expect(doorVerdict(codeFor(OTHER_EVENT), door())).toMatchObject({
      kind: 'refuse',
      reason: 'other_event',
      message: 'This ticket is for another event.',
    });
  });

  it('[GW6] a cancelled ticket is refused', () => {
    const cancelled = door({
      ticket: (id) => ({ id, event_id: EVENT, holder_id: HOLDER, status: 'cancelled' }),
    });
    expect(doorVerdict(codeFor(EVENT), cancelled)).toMatchObject({ kind: 'refuse', reason: 'cancelled' });
  });

  it('[GW7] a ticket the replica has a check-in for says when and by whom', () => {
    const checkIn = {
      ticket_id: TICKET,
      checked_in_by: 'x',
      checked_in_at_ms: Date.UTC(2026, 10, 23, 19, 2),
    };
    const verdict = doorVerdict(codeFor(EVENT), door({ checkIn: () => checkIn }));
    expect(verdict).toMatchObject({ kind: 'already', checkIn });
    expect(alreadyText('19:02', 'Ada')).toBe('Already checked in at 19:02 by Ada.');
  });

  it('[GW6] a valid code not yet on this device’s guest list is still admitted', () => {
    const verdict = doorVerdict(codeFor(EVENT), door({ ticket: () => undefined }));
    expect(verdict).toMatchObject({ kind: 'admit', onGuestList: false });
  });

  it('[GW8] the counter reads checked-in over expected', () => {
    expect(counterText(3, 40)).toBe('3 / 40 checked in');
  });

  it('[GW17] every ticket of a cancelled event is refused, however valid its code', () => {
    const verdict = doorVerdict(codeFor(EVENT), door({ eventCancelled: true }));
    expect(verdict).toMatchObject({ kind: 'refuse', reason: 'event_cancelled', message: /cancelled/ });
  });

  it('[GW16] a reserved priced ticket owes its price; paid, free and cancelled ones owe nothing', () => {
    expect(owedCents({ status: 'reserved', price_cents: 1200 })).toBe(1200);
    expect(owedCents({ status: 'paid', price_cents: 1200 })).toBeNull();
    expect(owedCents({ status: 'reserved', price_cents: 0 })).toBeNull();
    expect(owedCents({ status: 'cancelled', price_cents: 1200 })).toBeNull();
  });
});
