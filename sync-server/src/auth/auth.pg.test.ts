// The accounts HTTP surface on a real Postgres, through Fastify's inject: sign-up, sign-in, sign-out,
// /api/me, generic errors, rate limits, session fixation, expired / forged / revoked cookies, CSRF.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { v7 as uuidv7 } from 'uuid';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { readMigrationFiles } from '../db/migrations';
import { buildApp } from '../http/app';
import { silentLogger } from '../log';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from './config';
import { DEFAULT_RATE_LIMITS, type AuthRateLimits } from './rate-limit';
import { authRoutes } from './routes';
import { encodeToken, RENEW_AFTER_MS, SESSION_COOKIE, SESSION_TTL_MS, tokenHash } from './session-logic';
import { requireSession, resolveSession } from './sessions';

const ORIGIN = 'http://hearth.test';
const CONFIG: AuthConfig = { ...DEFAULT_AUTH_CONFIG, publicUrl: ORIGIN };
const PASSWORD = 'a quiet evening by the fire';
const DAY = 24 * 60 * 60 * 1000;

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
});
afterAll(() => db.drop());

/** One Hearth app with its own clock and its own rate-limit counters. */
class TestServer {
  now = new Date('2026-03-01T12:00:00Z');
  app!: FastifyInstance;

  static async start(
    options: { rateLimits?: Partial<AuthRateLimits>; config?: AuthConfig } = {},
  ): Promise<TestServer> {
    const server = new TestServer();
    server.app = await buildApp({
      pool: db.pool,
      migrations: await readMigrationFiles(MIGRATIONS_DIR),
      webDist: '/nonexistent-web-dist',
      log: silentLogger(),
      routes: [
        // Registered before authRoutes: the origin check must cover it all the same.
        (app) => {
          app.delete('/api/test/before', () => ({ deleted: true }));
        },
        authRoutes({
          pool: db.pool,
          config: options.config ?? CONFIG,
          clock: () => server.now,
          rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
        }),
        // A feature route registered after authRoutes, as the gateway and mutations will be.
        (app) => {
          app.post('/api/test/echo', { preHandler: requireSession }, async (request) => ({
            session: await resolveSession(request),
          }));
          app.get('/api/test/whoami', async (request) => ({ session: await resolveSession(request) }));
        },
      ],
    });
    return server;
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { origin: ORIGIN, ...headers },
    });
  }

  get(url: string, cookie?: string): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'GET', url, headers: cookie === undefined ? {} : { cookie } });
  }

  signup(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
    return this.post('/api/auth/signup', { email, password, displayName: 'Ana' }, headers);
  }

  signin(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
    return this.post('/api/auth/signin', { email, password }, headers);
  }
}

function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
  if (cookie === undefined || cookie.value === '') throw new Error(`no session cookie: ${response.body}`);
  return `${SESSION_COOKIE}=${cookie.value}`;
}

let emails = 0;
function freshEmail(): string {
  emails += 1;
  return `person${emails}.${randomBytes(3).toString('hex')}@example.org`;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`select count(*) as n from (${sql}) q`, params);
  return Number(rows[0]?.n);
}

describe('sign-up', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start();
  });

  it('[AC1] [SS1] [SS2] creates the account, hashes with argon2id, signs in with a cookie whose hash alone is stored', async () => {
    const email = freshEmail().replace('person', 'Person');
    const response = await server.signup(email);
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{ user: { id: string; displayName: string }; email: string }>();
    expect(body).toMatchObject({
      user: { displayName: 'Ana' },
      email,
      roles: { site: 'member', communities: [] },
    });

    const identity = await db.pool.query<{ subject: string; password_hash: string; email_verified: boolean }>(
      "select subject, password_hash, email_verified from identities where user_id = $1 and provider = 'password'",
      [body.user.id],
    );
    expect(identity.rows[0]?.subject).toBe(email.toLowerCase());
    expect(identity.rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(identity.rows[0]?.email_verified).toBe(false);

    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    expect(cookie?.secure).toBeFalsy();
    const token = cookie?.value ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.pool.query<{ token_hash: Buffer }>(
      'select token_hash from sessions where user_id = $1',
      [body.user.id],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.token_hash.equals(tokenHash(token))).toBe(true);
  });

  it('[AC2] a weak password gets weak_password with what to change, and nothing is written', async () => {
    const email = freshEmail();
    for (const password of ['too-short', email, 'Password123']) {
      const response = await server.signup(email, password);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: ErrorCode.weakPassword });
      expect(response.json<{ message: string }>().message).not.toContain(password);
    }
    expect(await count('select 1 from identities where lower(email) = $1', [email])).toBe(0);
  });

  it('[AC3] an email that has an account (any case) gets the generic signup_refused, and nothing changes', async () => {
    const email = freshEmail();
    expect((await server.signup(email)).statusCode).toBe(201);
    const users = await count('select 1 from users');
    const response = await server.signup(email.toUpperCase(), 'another long passphrase');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      code: ErrorCode.signupRefused,
      message: 'We could not create an account with this email. If you already have one, sign in instead.',
    });
    expect(response.cookies).toEqual([]);
    expect(await count('select 1 from users')).toBe(users);
  });

  it('[AC3] concurrent sign-ups of one email make exactly one account', async () => {
    const email = freshEmail();
    const responses = await Promise.all([server.signup(email), server.signup(email), server.signup(email)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await count('select 1 from identities where lower(email) = $1', [email])).toBe(1);
  });

  it('[AC6] malformed bodies get validation_failed naming the field, never echoing the password', async () => {
    const cases: [unknown, RegExp][] = [
      [{ email: 'ana@example.org', displayName: 'Ana' }, /password: Choose a password/],
      [
        { email: 'not-an-email', password: PASSWORD, displayName: 'Ana' },
        /email: Enter a valid email address/,
      ],
      [{ email: 'ana@example.org', password: PASSWORD, displayName: '   ' }, /displayName: Enter the name/],
      [
        { email: 'ana@example.org', password: PASSWORD, displayName: 'Ana', role: 'admin' },
        /Unknown field: role/,
      ],
      [
        { email: 42, password: PASSWORD, displayName: 'x'.repeat(81) },
        /email: .*displayName: Use at most 80/,
      ],
      [[1, 2, 3], /Send a JSON object/],
    ];
    for (const [payload, message] of cases) {
      const response = await server.post('/api/auth/signup', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json<{ code: string; message: string }>();
      expect(body.code).toBe(ErrorCode.validationFailed);
      expect(body.message).toMatch(message);
      expect(body.message).not.toContain(PASSWORD);
    }
  });
});

describe('sign-in', () => {
  let server: TestServer;
  let email: string;
  beforeAll(async () => {
    server = await TestServer.start();
    email = freshEmail();
    await server.signup(email);
  });

  it('[AC4] the right password signs in with a new session', async () => {
    const response = await server.signin(email.toUpperCase());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ email, user: { displayName: 'Ana' } });
    const me = await server.get('/api/me', sessionCookieOf(response));
    expect(me.statusCode).toBe(200);
  });

  it('[AC4] wrong password, unknown email and an account without a password get the same answer', async () => {
    const oidcOnlyUser = uuidv7();
    const oidcEmail = freshEmail();
    await db.pool.query("insert into users (id, display_name) values ($1, 'Oidc only')", [oidcOnlyUser]);
    await db.pool.query(
      `insert into identities (id, user_id, provider, issuer, subject, email, email_verified)
       values ($1, $2, 'oidc', 'https://idp.example', 'sub-1', $3, true)`,
      [uuidv7(), oidcOnlyUser, oidcEmail],
    );
    const answers = await Promise.all([
      server.signin(email, 'not the right password'),
      server.signin(freshEmail(), PASSWORD),
      server.signin(oidcEmail, PASSWORD),
    ]);
    for (const response of answers) {
      expect(response.statusCode).toBe(401);
      expect(response.cookies).toEqual([]);
    }
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    expect(answers[0]?.json()).toMatchObject({ code: ErrorCode.invalidCredentials });
  });
});

describe('sessions', () => {
  let server: TestServer;
  let email: string;
  beforeAll(async () => {
    server = await TestServer.start();
    email = freshEmail();
    await server.signup(email);
  });

  it('[AC5] /api/me without a session is 401 unauthenticated', async () => {
    const response = await server.get('/api/me');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.unauthenticated });
  });

  it('[AC5] /api/me lists the site role and active and pending memberships, not left or removed ones', async () => {
    const signedIn = await server.signin(email);
    const cookie = sessionCookieOf(signedIn);
    const userId = signedIn.json<{ user: { id: string } }>().user.id;
    await db.pool.query("update users set site_role = 'moderator' where id = $1", [userId]);
    const statuses = [
      ['admin', 'active'],
      ['member', 'pending'],
      ['organizer', 'removed'],
      ['member', 'left'],
    ] as const;
    for (const [index, [role, status]] of statuses.entries()) {
      const communityId = uuidv7();
      await db.pool.query('insert into communities (id, slug, name, created_by) values ($1, $2, $3, $4)', [
        communityId,
        `c-${index}-${communityId.slice(-6)}`,
        `Community ${index}`,
        userId,
      ]);
      await db.pool.query(
        'insert into memberships (id, community_id, user_id, role, status) values ($1, $2, $3, $4, $5)',
        [uuidv7(), communityId, userId, role, status],
      );
    }
    const me = await server.get('/api/me', cookie);
    expect(me.json()).toMatchObject({
      email,
      roles: {
        site: 'moderator',
        communities: [
          { name: 'Community 0', role: 'admin', status: 'active' },
          { name: 'Community 1', role: 'member', status: 'pending' },
        ],
      },
    });
    expect(me.json<{ roles: { communities: unknown[] } }>().roles.communities).toHaveLength(2);
  });

  it('[SS4] a cookie present before sign-in is never reused: a new token, the old session revoked', async () => {
    const first = sessionCookieOf(await server.signin(email));
    const second = await server.signin(email, PASSWORD, { cookie: first });
    const secondCookie = sessionCookieOf(second);
    expect(secondCookie).not.toBe(first);
    expect((await server.get('/api/me', first)).statusCode).toBe(401);
    expect((await server.get('/api/me', secondCookie)).statusCode).toBe(200);

    // An attacker-chosen token planted in the victim's browser: never becomes a session.
    const planted = `${SESSION_COOKIE}=${encodeToken(randomBytes(32))}`;
    const third = await server.signin(email, PASSWORD, { cookie: planted });
    expect(sessionCookieOf(third)).not.toBe(planted);
    expect((await server.get('/api/me', planted)).statusCode).toBe(401);
  });

  it('[SS5] forged and malformed cookies are refused', async () => {
    for (const value of [encodeToken(randomBytes(32)), 'garbage', '', `${'A'.repeat(43)}; x=1`])
      expect((await server.get('/api/me', `${SESSION_COOKIE}=${value}`)).statusCode).toBe(401);
  });

  it('[SS3] [SS5] the expiry slides with use, and a session left alone for 30 days is refused', async () => {
    const cookie = sessionCookieOf(await server.signin(email));
    server.advance(29 * DAY);
    const renewed = await server.get('/api/me', cookie);
    expect(renewed.statusCode).toBe(200);
    expect(renewed.cookies.find((c) => c.name === SESSION_COOKIE)?.maxAge).toBe(SESSION_TTL_MS / 1000);
    server.advance(29 * DAY); // 58 days after sign-in, 29 after the last use
    expect((await server.get('/api/me', cookie)).statusCode).toBe(200);
    server.advance(RENEW_AFTER_MS / 2); // within a minute: no write, the expiry stays
    expect((await server.get('/api/me', cookie)).statusCode).toBe(200);
    server.advance(SESSION_TTL_MS);
    expect((await server.get('/api/me', cookie)).statusCode).toBe(401);
  });

  it('[SS6] sign-out revokes this session only and clears the cookie', async () => {
    const here = sessionCookieOf(await server.signin(email));
    const elsewhere = sessionCookieOf(await server.signin(email));
    const response = await server.post('/api/auth/signout', undefined, { cookie: here });
    expect(response.statusCode).toBe(204);
    expect(response.cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ value: '', maxAge: 0 });
    expect((await server.get('/api/me', here)).statusCode).toBe(401);
    expect((await server.get('/api/me', elsewhere)).statusCode).toBe(200);
    const token = here.split('=')[1] ?? '';
    const row = await db.pool.query<{ revoked_at: Date | null }>(
      'select revoked_at from sessions where token_hash = $1',
      [tokenHash(token)],
    );
    expect(row.rows[0]?.revoked_at).toEqual(server.now);
    // Signing out with no session is still a clean 204.
    expect((await server.post('/api/auth/signout', undefined)).statusCode).toBe(204);
  });

  it('[SS6] sign-out everywhere revokes every session of the user and nobody else’s', async () => {
    const other = freshEmail();
    const otherCookie = sessionCookieOf(await server.signup(other));
    const devices = [
      sessionCookieOf(await server.signin(email)),
      sessionCookieOf(await server.signin(email)),
    ];
    const response = await server.post('/api/auth/signout-all', undefined, { cookie: devices[0] ?? '' });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ revoked: number }>().revoked).toBeGreaterThanOrEqual(2);
    for (const device of devices) expect((await server.get('/api/me', device)).statusCode).toBe(401);
    expect((await server.get('/api/me', otherCookie)).statusCode).toBe(200);
    expect((await server.post('/api/auth/signout-all', undefined)).statusCode).toBe(401);
  });

  it('[SS5] a revoked session and a deleted user are refused by resolveSession everywhere', async () => {
    const signedUp = await server.signup(freshEmail());
    const cookie = sessionCookieOf(signedUp);
    const userId = signedUp.json<{ user: { id: string } }>().user.id;
    const whoami = await server.get('/api/test/whoami', cookie);
    expect(whoami.json()).toMatchObject({ session: { userId, siteRole: 'member' } });
    await db.pool.query('update users set deleted_at = now() where id = $1', [userId]);
    expect((await server.get('/api/test/whoami', cookie)).json()).toEqual({ session: null });
    await db.pool.query('update users set deleted_at = null where id = $1', [userId]);
    await db.pool.query('update sessions set revoked_at = now() where user_id = $1', [userId]);
    expect((await server.get('/api/test/whoami', cookie)).json()).toEqual({ session: null });
    const refused = await server.post('/api/test/echo', {}, { cookie });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: ErrorCode.unauthenticated });
  });
});

describe('rate limits', () => {
  it('[RL1] [RL2] failed sign-ins lock the account key for known and unknown emails alike, with Retry-After', async () => {
    const server = await TestServer.start({
      rateLimits: { signinFailuresPerAccount: { points: 3, durationSeconds: 900 } },
    });
    const known = freshEmail();
    await server.signup(known);
    for (const email of [known, freshEmail()]) {
      for (let i = 0; i < 3; i += 1)
        expect((await server.signin(email, 'wrong password!')).statusCode).toBe(401);
      const limited = await server.signin(email, PASSWORD);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ code: ErrorCode.rateLimited });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
    }
    // Another account from the same IP is not affected.
    const other = freshEmail();
    await server.signup(other);
    expect((await server.signin(other)).statusCode).toBe(200);
  });

  it('[RL1] a successful sign-in clears the failures of its account', async () => {
    const server = await TestServer.start({
      rateLimits: { signinFailuresPerAccount: { points: 2, durationSeconds: 900 } },
    });
    const email = freshEmail();
    await server.signup(email);
    expect((await server.signin(email, 'wrong password!')).statusCode).toBe(401);
    expect((await server.signin(email)).statusCode).toBe(200);
    expect((await server.signin(email, 'wrong password!')).statusCode).toBe(401);
    expect((await server.signin(email)).statusCode).toBe(200);
  });

  it('[RL1] sign-in attempts per IP and sign-ups per IP and per email are limited', async () => {
    const server = await TestServer.start({
      rateLimits: {
        signinPerIp: { points: 2, durationSeconds: 300 },
        signupPerIp: { points: 3, durationSeconds: 3600 },
        signupPerAccount: { points: 1, durationSeconds: 3600 },
      },
    });
    const email = freshEmail();
    expect((await server.signup(email)).statusCode).toBe(201);
    const again = await server.signup(email);
    expect(again.statusCode).toBe(429);
    expect(again.headers['retry-after']).toBeDefined();
    expect((await server.signup(freshEmail())).statusCode).toBe(201);
    expect((await server.signup(freshEmail())).statusCode).toBe(429);

    expect((await server.signin(email)).statusCode).toBe(200);
    expect((await server.signin(freshEmail())).statusCode).toBe(401);
    expect((await server.signin(email)).statusCode).toBe(429);
  });
});

describe('origin check', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ config: { ...CONFIG, allowedOrigins: ['https://app.example.org'] } });
  });

  it('[CS1] [CS2] sign-up and sign-in from another site or without Origin are refused before anything runs', async () => {
    const email = freshEmail();
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: '' }]) {
      const response = await server.signup(email, PASSWORD, headers);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: ErrorCode.csrfOriginMismatch });
    }
    expect(await count('select 1 from identities where lower(email) = $1', [email])).toBe(0);
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ message: string }>().message).toMatch(/no Origin or Referer/);
  });

  it('[CS1] our origin, an allowed one, or a same-origin Referer pass', async () => {
    expect((await server.signup(freshEmail())).statusCode).toBe(201);
    expect(
      (await server.signup(freshEmail(), PASSWORD, { origin: 'https://app.example.org' })).statusCode,
    ).toBe(201);
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: freshEmail(), password: PASSWORD, displayName: 'Ana' },
      headers: { referer: `${ORIGIN}/signup?next=%2F` },
    });
    expect(response.statusCode).toBe(201);
  });

  it('[CS3] routes registered before and after authRoutes are covered, with the cookie of a signed-in user', async () => {
    const cookie = sessionCookieOf(await server.signup(freshEmail()));
    const crossSite = await server.post('/api/test/echo', {}, { cookie, origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json()).toMatchObject({ code: ErrorCode.csrfOriginMismatch });
    expect((await server.post('/api/test/echo', {}, { cookie })).statusCode).toBe(200);
    const before = await server.app.inject({
      method: 'DELETE',
      url: '/api/test/before',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(before.statusCode).toBe(403);
    // Reads are not checked.
    expect((await server.get('/api/test/whoami', cookie)).statusCode).toBe(200);
  });
});

describe('secure cookies behind a trusted proxy', () => {
  it('[SS2] X-Forwarded-Proto: https marks the cookie Secure only when the proxy is trusted', async () => {
    const headers = { 'x-forwarded-proto': 'https', origin: 'https://hearth.test' };
    const trusted = await TestServer.start({
      config: { ...DEFAULT_AUTH_CONFIG, trustProxy: true, allowedOrigins: ['https://hearth.test'] },
    });
    const viaProxy = await trusted.signup(freshEmail(), PASSWORD, headers);
    expect(viaProxy.cookies.find((c) => c.name === SESSION_COOKIE)?.secure).toBe(true);

    const untrusted = await TestServer.start({
      config: { ...DEFAULT_AUTH_CONFIG, allowedOrigins: ['https://hearth.test'] },
    });
    const direct = await untrusted.signup(freshEmail(), PASSWORD, headers);
    expect(direct.cookies.find((c) => c.name === SESSION_COOKIE)?.secure).toBeFalsy();
  });
});
