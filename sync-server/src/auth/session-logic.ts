// The pure rules of sessions (SPEC.md SS1–SS5): token format and hashing, the cookie's attributes,
// whether a stored session still counts, and when its sliding expiry is pushed forward. Time is an
// input, so tests move the clock instead of waiting.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';

export const SESSION_COOKIE = 'hearth_session';
/** Holds the `state` of an OpenID Connect sign-in in flight (OI2); sent only to the OIDC routes. */
export const OIDC_COOKIE = 'hearth_oidc';
export const OIDC_COOKIE_PATH = '/api/auth/oidc';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** last_seen_at (and the sliding expiry) is written at most this often per session. */
export const RENEW_AFTER_MS = 60 * 1000;
export const OIDC_LOGIN_TTL_MS = 10 * 60 * 1000;

export const TOKEN_BYTES = 32;
/** 32 bytes in base64url, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function encodeToken(bytes: Uint8Array): string {
  if (bytes.length !== TOKEN_BYTES) throw new Error(`a session token is ${TOKEN_BYTES} random bytes`);
  return Buffer.from(bytes).toString('base64url');
}

/** A value that could be one of our tokens; anything else is refused without a database read. */
export function isWellFormedToken(value: string | undefined): value is string {
  return value !== undefined && TOKEN_PATTERN.test(value);
}

/** What is stored (sessions.token_hash, oidc_logins.state_hash): the token itself never is. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Compares two secrets by their hashes, so neither length nor content leaks through timing. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(tokenHash(a), tokenHash(b));
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  return parseCookie(header)[name];
}

export interface CookieContext {
  /** The request came over TLS (directly, or per a trusted proxy's X-Forwarded-Proto). */
  secure: boolean;
}

/** Every cookie of ours: httpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs). */
function setCookie(
  name: string,
  value: string,
  path: string,
  maxAgeSeconds: number,
  ctx: CookieContext,
): string {
  return stringifySetCookie({
    name,
    value,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path,
    maxAge: maxAgeSeconds,
  });
}

export function sessionCookie(token: string, expiresAt: Date, now: Date, ctx: CookieContext): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return setCookie(SESSION_COOKIE, token, '/', maxAge, ctx);
}

export function clearedSessionCookie(ctx: CookieContext): string {
  return setCookie(SESSION_COOKIE, '', '/', 0, ctx);
}

/** Lax is enough here: the provider's redirect back is a top-level GET navigation, which carries it. */
export function oidcCookie(state: string, ctx: CookieContext): string {
  return setCookie(OIDC_COOKIE, state, OIDC_COOKIE_PATH, OIDC_LOGIN_TTL_MS / 1000, ctx);
}

export function clearedOidcCookie(ctx: CookieContext): string {
  return setCookie(OIDC_COOKIE, '', OIDC_COOKIE_PATH, 0, ctx);
}

export interface StoredSession {
  expiresAt: Date;
  revokedAt: Date | null;
  lastSeenAt: Date;
  /** The user's deleted_at. */
  userDeletedAt: Date | null;
}

export type SessionVerdict = 'active' | 'expired' | 'revoked' | 'user-deleted';

/** SS5: only an unrevoked, unexpired session of a live user counts. */
export function sessionVerdict(session: StoredSession, now: Date): SessionVerdict {
  if (session.revokedAt !== null) return 'revoked';
  if (session.userDeletedAt !== null) return 'user-deleted';
  if (session.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function expiryFrom(now: Date): Date {
  return new Date(now.getTime() + SESSION_TTL_MS);
}

/** SS3: the new last_seen_at and expires_at when a minute has passed since the last write, else null. */
export function renewal(session: StoredSession, now: Date): { lastSeenAt: Date; expiresAt: Date } | null {
  if (now.getTime() - session.lastSeenAt.getTime() < RENEW_AFTER_MS) return null;
  return { lastSeenAt: now, expiresAt: expiryFrom(now) };
}
