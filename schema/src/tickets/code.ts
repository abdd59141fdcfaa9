// The signed ticket code (GA20–GA23 in sync-server/src/gatherings/SPEC.md): the canonical bytes the
// server signs with Ed25519 over (ticket, event, holder), the QR text that carries them, and the
// offline check a door device runs with the server's public key. Pure: runs in the browser and Node.
import { ed25519 } from '@noble/curves/ed25519.js';
import { parse as parseUuid, validate as validUuid } from 'uuid';

/** Version tag of the QR text; a new format gets a new tag and both are read during a change-over. */
export const TICKET_CODE_VERSION = 'HT1';

/** Domain separation: these bytes can never be mistaken for another signed message. */
const PAYLOAD_TAG = new TextEncoder().encode('hearth-ticket-v1\u0000');

export interface TicketClaims {
  readonly ticketId: string;
  readonly eventId: string;
  readonly holderId: string;
}

export interface TicketCode extends TicketClaims {
  /** The signing_keys row whose public key verifies `signature`. */
  readonly keyId: string;
  /** 64 bytes, Ed25519. */
  readonly signature: Uint8Array;
}

function uuidBytes(value: string): Uint8Array {
  if (!validUuid(value)) throw new TypeError(`not a UUID: ${JSON.stringify(value)}`);
  return parseUuid(value);
}

/** [GA20] The canonical bytes signed for a ticket: tag, then the three ids as 16 raw bytes each. */
export function ticketPayload(claims: TicketClaims): Uint8Array {
  const out = new Uint8Array(PAYLOAD_TAG.length + 48);
  out.set(PAYLOAD_TAG, 0);
  out.set(uuidBytes(claims.ticketId), PAYLOAD_TAG.length);
  out.set(uuidBytes(claims.eventId), PAYLOAD_TAG.length + 16);
  out.set(uuidBytes(claims.holderId), PAYLOAD_TAG.length + 32);
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** 16 bytes in the 8-4-4-4-12 spelling (any bytes: an altered code still reads, then fails to verify). */
function uuidOf(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Decodes unpadded base64url; null for anything else (padding, other alphabets, impossible lengths). */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // Canonical only: re-encoding gives the same text (no stray bits in the last character).
  return toBase64Url(bytes) === text ? bytes : null;
}

/** [GA21] `HT1.<ticket>.<event>.<holder>.<key>.<signature>`, each part base64url without padding. */
export function encodeTicketCode(code: TicketCode): string {
  return [
    TICKET_CODE_VERSION,
    toBase64Url(uuidBytes(code.ticketId)),
    toBase64Url(uuidBytes(code.eventId)),
    toBase64Url(uuidBytes(code.holderId)),
    toBase64Url(uuidBytes(code.keyId)),
    toBase64Url(code.signature),
  ].join('.');
}

/** The QR text of a synced `ticket_passes` row (signature stored as base64url) and its ticket. */
export function ticketCodeOfPass(
  pass: {
    readonly ticket_id: string;
    readonly holder_id: string;
    readonly signature: string;
    readonly signing_key_id: string;
  },
  eventId: string,
): string {
  const signature = fromBase64Url(pass.signature);
  if (!signature) throw new TypeError('the pass signature is not base64url');
  return encodeTicketCode({
    ticketId: pass.ticket_id,
    eventId,
    holderId: pass.holder_id,
    keyId: pass.signing_key_id,
    signature,
  });
}

export type DecodeFailure = 'malformed' | 'unknown_version';

/** Reads the QR text (surrounding whitespace ignored); says why when it is not a ticket code. */
export function decodeTicketCode(
  text: string,
): { ok: true; code: TicketCode } | { ok: false; reason: DecodeFailure } {
  const parts = text.trim().split('.');
  if (parts[0] !== TICKET_CODE_VERSION)
    return { ok: false, reason: parts.length === 6 ? 'unknown_version' : 'malformed' };
  if (parts.length !== 6) return { ok: false, reason: 'malformed' };
  const ids: string[] = [];
  for (const part of parts.slice(1, 5)) {
    const bytes = fromBase64Url(part);
    if (bytes?.length !== 16) return { ok: false, reason: 'malformed' };
    ids.push(uuidOf(bytes));
  }
  const signature = fromBase64Url(parts[5] ?? '');
  if (signature?.length !== 64) return { ok: false, reason: 'malformed' };
  const [ticketId, eventId, holderId, keyId] = ids as [string, string, string, string];
  return { ok: true, code: { ticketId, eventId, holderId, keyId, signature } };
}

/** A public key as the replica holds it (`signing_keys` synced without its private key). */
export interface PublicKeyRow {
  readonly id: string;
  readonly public_key: Uint8Array;
  readonly retired_at?: string | null;
}

export type VerifyFailure = DecodeFailure | 'unknown_key' | 'bad_signature';

export type VerifyResult =
  | { readonly ok: true; readonly code: TicketCode }
  | { readonly ok: false; readonly reason: VerifyFailure; readonly message: string };

const FAILURE_MESSAGES: Record<VerifyFailure, string> = {
  malformed: 'This is not a Hearth ticket code.',
  unknown_version: 'This ticket code is from a newer version of Hearth; update the app.',
  unknown_key:
    'This ticket was signed with a key this device does not know yet; sync once, or check the guest in by name.',
  bad_signature: 'This ticket code is forged or altered: its signature does not match.',
};

/**
 * [GA22] The offline check at the door: the code parses, its key is one of `keys`, and the Ed25519
 * signature (strict RFC 8032, no malleable forms) matches the canonical bytes of its claims.
 * Which event the door is for, and the ticket's status, are the caller's (GA24).
 */
export function verifyTicketCode(
  text: string,
  keys: readonly PublicKeyRow[] | ((keyId: string) => PublicKeyRow | undefined),
): VerifyResult {
  const fail = (reason: VerifyFailure): VerifyResult => ({
    ok: false,
    reason,
    message: FAILURE_MESSAGES[reason],
  });
  const decoded = decodeTicketCode(text);
  if (!decoded.ok) return fail(decoded.reason);
  const { code } = decoded;
  const key = typeof keys === 'function' ? keys(code.keyId) : keys.find((k) => k.id === code.keyId);
  if (key?.public_key.length !== 32) return fail('unknown_key');
  let valid = false;
  try {
    valid = ed25519.verify(code.signature, ticketPayload(code), key.public_key, { zip215: false });
  } catch {
    valid = false;
  }
  return valid ? { ok: true, code } : fail('bad_signature');
}
