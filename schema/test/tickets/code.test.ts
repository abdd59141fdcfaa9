// The signed ticket code without a network (GA20–GA22): canonical bytes, the QR text, and the offline
// check against altered, forged and unknown-key codes.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids';
import {
  decodeTicketCode,
  encodeTicketCode,
  fromBase64Url,
  ticketCodeOfPass,
  ticketPayload,
  toBase64Url,
  verifyTicketCode,
  type TicketClaims,
} from '../../src/tickets';

const seed = new Uint8Array(32).fill(7);
const secretKey = seed;
const publicKey = ed25519.getPublicKey(secretKey);
const keyId = '0192f0c1-0000-7000-8000-000000000001';
const keys = [{ id: keyId, public_key: publicKey }];

function issue(claims: TicketClaims = { ticketId: newId(), eventId: newId(), holderId: newId() }) {
  const signature = ed25519.sign(ticketPayload(claims), secretKey);
  return { claims, text: encodeTicketCode({ ...claims, keyId, signature }) };
}

/** Flips one character of the text at `index` to another base64url character. */
function alter(text: string, index: number): string {
  const c = text[index]!;
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1);
}

describe('ticket code', () => {
  it('[GA20] the payload is the tag and the three ids as 16 raw bytes each, in that order', () => {
    const claims = { ticketId: newId(), eventId: newId(), holderId: newId() };
    const payload = ticketPayload(claims);
    const tag = new TextEncoder().encode('hearth-ticket-v1\u0000');
    expect(payload.length).toBe(tag.length + 48);
    expect(payload.slice(0, tag.length)).toEqual(tag);
    const hex = Array.from(payload.slice(tag.length), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex).toBe([claims.ticketId, claims.eventId, claims.holderId].join('').replace(/-/g, ''));
    expect(ticketPayload({ ...claims, holderId: newId() })).not.toEqual(payload);
  });

  it('[GA21] the QR text is HT1 and five base64url parts, and decodes back to the same claims', () => {
    const { claims, text } = issue();
    expect(text).toMatch(/^HT1(\.[A-Za-z0-9_-]+){5}$/);
    expect(text.length).toBeLessThan(200);
    const decoded = decodeTicketCode(`  ${text}\n`);
    expect(decoded.ok && decoded.code).toMatchObject({ ...claims, keyId });
  });

  it('[GA21] base64url is canonical: padding, other alphabets and stray bits are refused', () => {
    const bytes = new Uint8Array([250, 251, 252, 1]);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(fromBase64Url('+/8=')).toBeNull();
    expect(fromBase64Url('AB')).toBeNull(); // "AB" carries bits past the one byte it encodes
    expect(fromBase64Url('A')).toBeNull();
  });

  it('[GA22] a code the server signed verifies offline with the public key', () => {
    const { claims, text } = issue();
    const result = verifyTicketCode(text, keys);
    expect(result.ok).toBe(true);
    expect(result.ok && result.code.ticketId).toBe(claims.ticketId);
    expect(verifyTicketCode(text, (id) => keys.find((k) => k.id === id)).ok).toBe(true);
  });

  it('[GA22] altering any character of any part makes the code fail', () => {
    const { text } = issue();
    const starts = [...text.matchAll(/\./g)].map((m) => m.index + 1);
    for (const start of starts) {
      for (const offset of [0, 5, 10]) {
        const altered = alter(text, start + offset);
        const result = verifyTicketCode(altered, keys);
        expect(result.ok, altered).toBe(false);
      }
    }
  });

  it('[GA22] a code for another holder, made by swapping ids, fails: the signature covers all three', () => {
    const a = issue();
    const b = issue();
    const parts = a.text.split('.');
    const swapped = [parts[0], parts[1], parts[2], b.text.split('.')[3], parts[4], parts[5]].join('.');
    const result = verifyTicketCode(swapped, keys);
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('[GA22] a code signed by another key, or naming an unknown key, fails with a reason', () => {
    const claims = { ticketId: newId(), eventId: newId(), holderId: newId() };
    const forged = encodeTicketCode({
      ...claims,
      keyId,
      signature: ed25519.sign(ticketPayload(claims), new Uint8Array(32).fill(9)),
    });
    expect(verifyTicketCode(forged, keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyTicketCode(issue().text, [])).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('[GA22] text that is not a ticket code, or a newer version, says so', () => {
    expect(verifyTicketCode('hello', keys)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyTicketCode('HT1.a.b', keys)).toMatchObject({ ok: false, reason: 'malformed' });
    const next = issue().text.replace(/^HT1/, 'HT2');
    expect(verifyTicketCode(next, keys)).toMatchObject({ ok: false, reason: 'unknown_version' });
    expect(verifyTicketCode(issue().text, keys).ok).toBe(true);
  });

  it('[GA21] a synced pass row and its event render the same QR text the server signed', () => {
    const { claims, text } = issue();
    const parts = text.split('.');
    const pass = {
      ticket_id: claims.ticketId,
      holder_id: claims.holderId,
      signature: parts[5]!,
      signing_key_id: keyId,
    };
    expect(ticketCodeOfPass(pass, claims.eventId)).toBe(text);
  });
});
