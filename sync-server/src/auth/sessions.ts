// Server-side sessions (SPEC.md SS1–SS6) and `resolveSession(request)`, the one way any route learns
// who is asking. The cookie carries a random 256-bit token; the table holds only its sha256.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { ErrorCode } from '@hearth/schema/errors';
import { HttpError } from '../http/errors';
import type { AuthConfig } from './config';
import type { SiteRole } from './roles';
import { cacheKey, storedFacts, type CachedSession, type SessionCache } from './session-cache';
import {
  encodeToken,
  expiryFrom,
  isWellFormedToken,
  readCookie,
  renewal,
  SESSION_COOKIE,
  sessionVerdict,
  TOKEN_BYTES,
  tokenHash,
  type StoredSession,
} from './session-logic';

export type Db = Pick<pg.ClientBase, 'query'>;

export interface Session {
  sessionId: string;
  userId: string;
  siteRole: SiteRole;
}

export interface NewSession {
  sessionId: string;
  /** Goes into the cookie and nowhere else. */
  token: string;
  expiresAt: Date;
}

/** What authRoutes puts on the app for resolveSession and the routes. */
export interface AuthContext {
  pool: pg.Pool;
  config: AuthConfig;
  clock: () => Date;
  /** SS8: present when authRoutes was given the database watch. */
  cache?: SessionCache;
}

declare module 'fastify' {
  interface FastifyInstance {
    hearthAuth: AuthContext;
  }
}

const MAX_USER_AGENT = 512;

export async function createSession(
  db: Db,
  input: { userId: string; userAgent: string | undefined; ip: string; now: Date },
): Promise<NewSession> {
  const token = encodeToken(randomBytes(TOKEN_BYTES));
  const sessionId = uuidv7();
  const expiresAt = expiryFrom(input.now);
  await db.query(
    `insert into sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip)
     values ($1, $2, $3, $4, $4, $5, $6, $7)`,
    [
      sessionId,
      input.userId,
      tokenHash(token),
      input.now,
      expiresAt,
      (input.userAgent ?? '').slice(0, MAX_USER_AGENT),
      net.isIP(input.ip) === 0 ? null : input.ip,
    ],
  );
  return { sessionId, token, expiresAt };
}

export interface FoundSession extends Session {
  expiresAt: Date;
}

/** The row behind a token, as sessionVerdict and renewal read it. */
async function readSession(db: Db, hash: Buffer): Promise<(CachedSession & StoredSession) | null> {
  const { rows } = await db.query<{
    id: string;
    user_id: string;
    site_role: SiteRole;
    last_seen_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    deleted_at: Date | null;
  }>(
    `select s.id, s.user_id, u.site_role, s.last_seen_at, s.expires_at, s.revoked_at, u.deleted_at
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    sessionId: row.id,
    userId: row.user_id,
    siteRole: row.site_role,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
    userDeletedAt: row.deleted_at,
  };
}

/**
 * SS3, SS5: the live session this token names (its expiry pushed forward when due), or null.
 * SS8: with a cache, a live session already seen costs no read; the verdict and the renewal are
 * decided on the cached facts all the same.
 */
export async function findSession(
  db: Db,
  token: string | undefined,
  now: Date,
  cache?: SessionCache,
): Promise<FoundSession | null> {
  if (!isWellFormedToken(token)) return null;
  const hash = tokenHash(token);
  const key = cacheKey(hash);
  // SS9: a read (or renewal) that an eviction overtakes is not stored.
  let ticket: number | undefined;
  let session: CachedSession | undefined = cache?.get(key);
  // SS8: a cached session past its expiry is read again (another server may have renewed it).
  if (session !== undefined && sessionVerdict(storedFacts(session), now) !== 'active') {
    cache?.evictKey(key);
    session = undefined;
  }
  if (session === undefined) {
    ticket = cache?.ticket();
    const stored = await readSession(db, hash);
    if (stored === null || sessionVerdict(stored, now) !== 'active') return null;
    session = stored;
  }
  const renewed = renewal(storedFacts(session), now);
  if (renewed !== null) {
    ticket ??= cache?.ticket();
    // Guarded on revoked_at: a sign-out racing with this request wins.
    const result = await db.query(
      'update sessions set last_seen_at = $2, expires_at = $3 where id = $1 and revoked_at is null',
      [session.sessionId, renewed.lastSeenAt, renewed.expiresAt],
    );
    if (result.rowCount === 0) {
      cache?.evictKey(key);
      return null;
    }
    session = { ...session, ...renewed };
  }
  if (cache !== undefined && ticket !== undefined)
    cache.put(ticket, key, {
      sessionId: session.sessionId,
      userId: session.userId,
      siteRole: session.siteRole,
      lastSeenAt: session.lastSeenAt,
      expiresAt: session.expiresAt,
    });
  return {
    sessionId: session.sessionId,
    userId: session.userId,
    siteRole: session.siteRole,
    expiresAt: session.expiresAt,
  };
}

/** SS6, SS8: `cache` drops the session before the caller answers (its NOTIFY reaches the others). */
export async function revokeSession(
  db: Db,
  sessionId: string,
  now: Date,
  cache?: SessionCache,
): Promise<void> {
  await db.query('update sessions set revoked_at = $2 where id = $1 and revoked_at is null', [
    sessionId,
    now,
  ]);
  cache?.evictSession(sessionId);
}

/** SS4: the session a cookie names, whoever's it is, ends when a new sign-in happens on that browser. */
export async function revokeSessionByToken(
  db: Db,
  token: string | undefined,
  now: Date,
  cache?: SessionCache,
): Promise<void> {
  if (!isWellFormedToken(token)) return;
  const hash = tokenHash(token);
  await db.query('update sessions set revoked_at = $2 where token_hash = $1 and revoked_at is null', [
    hash,
    now,
  ]);
  cache?.evictKey(cacheKey(hash));
}

/** SS6: sign-out everywhere. Returns how many sessions ended. */
export async function revokeAllSessions(
  db: Db,
  userId: string,
  now: Date,
  cache?: SessionCache,
): Promise<number> {
  const result = await db.query(
    'update sessions set revoked_at = $2 where user_id = $1 and revoked_at is null',
    [userId, now],
  );
  cache?.evictUser(userId);
  return result.rowCount ?? 0;
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

function authContext(app: FastifyInstance): AuthContext {
  if (!app.hasDecorator('hearthAuth'))
    throw new Error('resolveSession needs authRoutes(...) registered on this Fastify app.');
  return app.hearthAuth;
}

const resolved = new WeakMap<FastifyRequest, Promise<FoundSession | null>>();

/**
 * Who is asking: the session of this request's cookie, or null (no cookie, forged, expired, revoked,
 * user deleted). Looked up once per request however many times it is called.
 */
export function resolveSession(request: FastifyRequest): Promise<FoundSession | null> {
  let session = resolved.get(request);
  if (session === undefined) {
    const { pool, clock, cache } = authContext(request.server);
    session = findSession(pool, sessionToken(request), clock(), cache);
    resolved.set(request, session);
  }
  return session;
}

/** The session, or a 401 `unauthenticated` for routes that need one. */
export async function requireSessionOf(request: FastifyRequest): Promise<FoundSession> {
  const session = await resolveSession(request);
  if (session === null)
    throw new HttpError(
      401,
      ErrorCode.unauthenticated,
      'You are not signed in (or your session ended). Sign in and try again.',
    );
  return session;
}

/** A preHandler for routes that need a signed-in user: `app.post(url, { preHandler: requireSession }, …)`. */
export async function requireSession(request: FastifyRequest): Promise<void> {
  await requireSessionOf(request);
}
