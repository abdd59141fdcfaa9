import { randomBytes } from 'node:crypto';
import { parseSetCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookie,
  encodeToken,
  isWellFormedToken,
  oidcCookie,
  readCookie,
  RENEW_AFTER_MS,
  renewal,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  sessionVerdict,
  tokenHash,
  type StoredSession,
} from './session-logic';

const NOW = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

function stored(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    lastSeenAt: NOW,
    expiresAt: later(SESSION_TTL_MS),
    revokedAt: null,
    userDeletedAt: null,
    ...overrides,
  };
}

describe('session tokens', () => {
  it('[SS1] a token is 32 random bytes in base64url and only its sha256 is kept', () => {
    const token = encodeToken(randomBytes(32));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isWellFormedToken(token)).toBe(true);
    const hash = tokenHash(token);
    expect(hash).toHaveLength(32);
    expect(hash.toString('hex')).not.toContain(Buffer.from(token).toString('hex'));
    expect(tokenHash(token).equals(hash)).toBe(true);
    expect(() => encodeToken(randomBytes(16))).toThrow(/32 random bytes/);
  });

  it('[SS5] malformed cookie values are refused before any lookup', () => {
    for (const value of [undefined, '', 'abc', 'x'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`])
      expect(isWellFormedToken(value)).toBe(false);
  });
});

describe('the session cookie', () => {
  it('[SS2] is httpOnly, SameSite=Lax, for the whole site, lives as long as the session', () => {
    const token = encodeToken(randomBytes(32));
    const cookie = parseSetCookie(sessionCookie(token, later(SESSION_TTL_MS), NOW, { secure: false }));
    expect(cookie).toMatchObject({
      name: SESSION_COOKIE,
      value: token,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
    expect(cookie.maxAge).toBe(SESSION_TTL_MS / 1000);
    expect(cookie.secure).toBeFalsy();
  });

  it('[SS2] is Secure when the request came over TLS', () => {
    const token = encodeToken(randomBytes(32));
    expect(sessionCookie(token, later(SESSION_TTL_MS), NOW, { secure: true })).toMatch(/; Secure/);
    expect(clearedSessionCookie({ secure: true })).toMatch(/; Secure/);
  });

  it('[SS6] sign-out clears it with the same name and path', () => {
    expect(parseSetCookie(clearedSessionCookie({ secure: false }))).toMatchObject({
      name: SESSION_COOKIE,
      value: '',
      maxAge: 0,
      path: '/',
    });
  });

  it('[OI2] the OIDC state cookie goes only to the OIDC routes and lives 10 minutes', () => {
    expect(parseSetCookie(oidcCookie('state-value', { secure: false }))).toMatchObject({
      name: 'hearth_oidc',
      path: '/api/auth/oidc',
      maxAge: 600,
      httpOnly: true,
      sameSite: 'lax',
    });
  });

  it('[SS5] reads our cookie among others', () => {
    expect(readCookie(`theme=dark; ${SESSION_COOKIE}=abc; other=1`, SESSION_COOKIE)).toBe('abc');
    expect(readCookie(undefined, SESSION_COOKIE)).toBeUndefined();
    expect(readCookie('theme=dark', SESSION_COOKIE)).toBeUndefined();
  });
});

describe('session verdict and renewal', () => {
  it('[SS5] an unrevoked, unexpired session of a live user is active', () => {
    expect(sessionVerdict(stored(), NOW)).toBe('active');
  });

  it('[SS5] expired at expires_at, revoked, or its user deleted: refused', () => {
    expect(sessionVerdict(stored({ expiresAt: NOW }), NOW)).toBe('expired');
    expect(sessionVerdict(stored(), later(SESSION_TTL_MS + 1))).toBe('expired');
    expect(sessionVerdict(stored({ revokedAt: NOW }), NOW)).toBe('revoked');
    expect(sessionVerdict(stored({ userDeletedAt: NOW }), NOW)).toBe('user-deleted');
  });

  it('[SS3] the expiry slides 30 days from a use, written at most once a minute', () => {
    expect(renewal(stored(), later(RENEW_AFTER_MS - 1))).toBeNull();
    const at = later(RENEW_AFTER_MS);
    expect(renewal(stored(), at)).toEqual({
      lastSeenAt: at,
      expiresAt: new Date(at.getTime() + SESSION_TTL_MS),
    });
  });
});
