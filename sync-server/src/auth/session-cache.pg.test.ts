// The session cache on a real Postgres with the real LISTEN connection (SPEC.md SS8–SS11): a cached
// session costs no query, yet every way it ends (here, by SQL, by account deletion, by expiry) or
// changes (site role) is seen, and nothing is served from the cache while the watch is down.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { watchDatabase, type DbWatch } from '../db/watch';
import { readMigrationFiles } from '../db/migrations';
import { buildApp } from '../http/app';
import { silentLogger } from '../log';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from './config';
import { authRoutes } from './routes';
import { SESSION_CACHE_CHANNELS, SESSION_CHANGED_CHANNEL, SESSION_ENDED_CHANNEL } from './session-cache';
import { RENEW_AFTER_MS, SESSION_COOKIE, SESSION_TTL_MS } from './session-logic';
import { resolveSession, type FoundSession } from './sessions';

const ORIGIN = 'http://hearth.test';
const CONFIG: AuthConfig = { ...DEFAULT_AUTH_CONFIG, publicUrl: ORIGIN };
const PASSWORD = 'a quiet evening by the fire';

let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
});
afterAll(() => db.drop());

/** The watch's connection, named so that a test can cut exactly it. */
function watchUrl(name: string): string {
  const url = new URL(db.url);
  url.searchParams.set('application_name', name);
  return url.toString();
}

/** Resolves on the next notification (or `lost` / `resync`) of `watch` that `match` accepts. */
function next(
  watch: DbWatch,
  match: { channel: string; payload: string } | 'lost' | 'resync',
): Promise<void> {
  return new Promise((resolve) => {
    const done = (matched: boolean) => {
      if (!matched) return;
      unsubscribe();
      resolve();
    };
    const unsubscribe = watch.subscribe({
      notification: (channel, payload) =>
        done(typeof match === 'object' && channel === match.channel && payload === match.payload),
      lost: () => done(match === 'lost'),
      resync: () => done(match === 'resync'),
    });
  });
}

/** A Hearth app whose auth follows `watch`, on a pool of its own that counts the session reads. */
class CachedServer {
  now = new Date();
  /** Connections the app's pool handed out: one per query outside a transaction. */
  reads = 0;
  app!: FastifyInstance;
  watch!: DbWatch;
  private pool!: pg.Pool;

  static async start(name: string): Promise<CachedServer> {
    const server = new CachedServer();
    server.watch = await watchDatabase({
      databaseUrl: watchUrl(name),
      log: silentLogger(),
      channels: SESSION_CACHE_CHANNELS,
    });
    server.pool = new pg.Pool({ connectionString: db.url, max: 4 });
    server.pool.on('acquire', () => (server.reads += 1));
    server.app = await buildApp({
      pool: server.pool,
      migrations: await readMigrationFiles(MIGRATIONS_DIR),
      webDist: '/nonexistent-web-dist',
      log: silentLogger(),
      routes: [
        authRoutes({ pool: server.pool, config: CONFIG, clock: () => server.now, watch: server.watch }),
        (app) => {
          app.get('/api/test/whoami', async (request) => ({ session: await resolveSession(request) }));
        },
      ],
    });
    return server;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.watch.stop();
    await this.pool.end();
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  post(url: string, payload: unknown, cookie?: string): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { origin: ORIGIN, ...(cookie === undefined ? {} : { cookie }) },
    });
  }

  async whoami(cookie: string): Promise<FoundSession | null> {
    const response = await this.app.inject({ method: 'GET', url: '/api/test/whoami', headers: { cookie } });
    const { session } = response.json<{ session: (FoundSession & { expiresAt: string }) | null }>();
    return session === null ? null : { ...session, expiresAt: new Date(session.expiresAt) };
  }

  /** How many connections `work` took from the app's pool. */
  async readsOf(work: () => Promise<unknown>): Promise<number> {
    const before = this.reads;
    await work();
    return this.reads - before;
  }

  async signin(
    email: string,
    cookie?: string,
  ): Promise<{ cookie: string; userId: string; sessionId: string }> {
    return this.identify(await this.post('/api/auth/signin', { email, password: PASSWORD }, cookie));
  }

  private async identify(response: LightMyRequestResponse) {
    const value = response.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
    if (value === undefined || value === '') throw new Error(`no session cookie: ${response.body}`);
    const cookie = `${SESSION_COOKIE}=${value}`;
    const session = await this.whoami(cookie);
    if (session === null) throw new Error('a new session is not live');
    return { cookie, userId: session.userId, sessionId: session.sessionId };
  }
}

async function signedUp(server: CachedServer) {
  const email = `person.${randomBytes(4).toString('hex')}@example.org`;
  const response = await server.post('/api/auth/signup', { email, password: PASSWORD, displayName: 'Ana' });
  expect(response.statusCode).toBe(201);
  return { email, ...(await server.signin(email)) };
}

describe('session cache', () => {
  let server: CachedServer;
  beforeAll(async () => {
    server = await CachedServer.start('hearth-cache-main');
  });
  afterAll(() => server.stop());

  it('[SS8] a live session read once costs no query, and its renewal is still written when due', async () => {
    const ana = await signedUp(server);
    // signin's whoami read it; from now on it is cached.
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);

    server.advance(RENEW_AFTER_MS);
    const renewed = await server.whoami(ana.cookie);
    expect(renewed?.expiresAt).toEqual(new Date(server.now.getTime() + SESSION_TTL_MS));
    const { rows } = await db.pool.query<{ last_seen_at: Date; expires_at: Date }>(
      'select last_seen_at, expires_at from sessions where id = $1',
      [ana.sessionId],
    );
    expect(rows[0]).toEqual({ last_seen_at: server.now, expires_at: renewed?.expiresAt });
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);
  });

  it('[SS8] a session that expires while cached is refused', async () => {
    const ana = await signedUp(server);
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);
    server.advance(SESSION_TTL_MS);
    expect(await server.whoami(ana.cookie)).toBeNull();
  });

  it('[SS9] sign-out, sign-out everywhere and a sign-in over an old cookie end cached sessions at once', async () => {
    const ana = await signedUp(server);
    const phone = await server.signin(ana.email);
    const laptop = await server.signin(ana.email);
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);

    expect((await server.post('/api/auth/signout', undefined, ana.cookie)).statusCode).toBe(204);
    expect(await server.whoami(ana.cookie)).toBeNull();
    expect(await server.whoami(laptop.cookie)).not.toBeNull();

    expect((await server.post('/api/auth/signout-all', undefined, phone.cookie)).statusCode).toBe(200);
    expect(await server.whoami(laptop.cookie)).toBeNull();

    const tablet = await server.signin(ana.email);
    await server.signin(ana.email, tablet.cookie);
    expect(await server.whoami(tablet.cookie)).toBeNull();
  });

  it('[SS10] a revoke, a session delete and an account deletion by direct SQL are refused once notified', async () => {
    const [revoked, deleted, erased] = [
      await signedUp(server),
      await signedUp(server),
      await signedUp(server),
    ];
    for (const who of [revoked, deleted, erased])
      expect(await server.readsOf(() => server.whoami(who.cookie))).toBe(0);

    const ended = (who: { sessionId: string }) =>
      next(server.watch, { channel: SESSION_ENDED_CHANNEL, payload: who.sessionId });
    let notified = ended(revoked);
    await db.pool.query('update sessions set revoked_at = now() where id = $1', [revoked.sessionId]);
    await notified;
    expect(await server.whoami(revoked.cookie)).toBeNull();

    notified = ended(deleted);
    await db.pool.query('delete from sessions where id = $1', [deleted.sessionId]);
    await notified;
    expect(await server.whoami(deleted.cookie)).toBeNull();

    notified = ended(erased);
    await db.pool.query('update users set deleted_at = now() where id = $1', [erased.userId]);
    await notified;
    expect(await server.whoami(erased.cookie)).toBeNull();
  });

  it('[SS11] a site role change, and an expiry cut short, are served on the next request once notified', async () => {
    const ana = await signedUp(server);
    expect(await server.whoami(ana.cookie)).toMatchObject({ siteRole: 'member' });
    const changed = () => next(server.watch, { channel: SESSION_CHANGED_CHANNEL, payload: ana.sessionId });

    let notified = changed();
    await db.pool.query(`update users set site_role = 'moderator' where id = $1`, [ana.userId]);
    await notified;
    expect(await server.whoami(ana.cookie)).toMatchObject({ siteRole: 'moderator' });
    expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);

    notified = changed();
    await db.pool.query('update sessions set expires_at = $2 where id = $1', [
      ana.sessionId,
      new Date(server.now.getTime() - 1),
    ]);
    await notified;
    expect(await server.whoami(ana.cookie)).toBeNull();
  });
});

describe('session cache while the watch is down', () => {
  it('[SS10] with the watch stopped every request reads its session, so a revoke by SQL is refused at once', async () => {
    const server = await CachedServer.start('hearth-cache-stopped');
    try {
      const ana = await signedUp(server);
      expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);
      await server.watch.stop();
      expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(1);
      expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(1);
      await db.pool.query('update sessions set revoked_at = now() where id = $1', [ana.sessionId]);
      expect(await server.whoami(ana.cookie)).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it('[SS10] after the LISTEN connection is cut, a revoke made meanwhile is refused, and caching resumes', async () => {
    const name = 'hearth-cache-cut';
    const server = await CachedServer.start(name);
    try {
      const ana = await signedUp(server);
      const ben = await signedUp(server);
      expect(await server.readsOf(() => server.whoami(ana.cookie))).toBe(0);
      const lost = next(server.watch, 'lost');
      const back = next(server.watch, 'resync');
      await db.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and application_name = $1`,
        [name],
      );
      await lost;
      await db.pool.query('update sessions set revoked_at = now() where id = $1', [ana.sessionId]);
      expect(await server.whoami(ana.cookie)).toBeNull();
      await back;
      expect(await server.whoami(ana.cookie)).toBeNull();
      // Listening again: a session read once is served from the cache again.
      expect(await server.readsOf(() => server.whoami(ben.cookie))).toBe(1);
      expect(await server.readsOf(() => server.whoami(ben.cookie))).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
