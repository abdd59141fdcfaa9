import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { readMigrationFiles, type MigrationFile } from '../db/migrations';
import { silentLogger } from '../log';
import { buildApp, IMMUTABLE, NO_CACHE } from './app';
import { HttpError } from './errors';

const webBuilds: string[] = [];
afterAll(() => {
  for (const dir of webBuilds) fs.rmSync(dir, { recursive: true, force: true });
});

function webBuild(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-web-'));
  webBuilds.push(dir);
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

const INDEX = '<!doctype html><title>Hearth</title><div id="root"></div>';
const built = webBuild({
  'index.html': INDEX,
  'sw.js': 'self.addEventListener("fetch", () => {});',
  'manifest.webmanifest': '{"name":"Hearth"}',
  'assets/index-B4x9Qz1a.js': 'console.log("app")',
});

let files: MigrationFile[];
beforeAll(async () => {
  files = await readMigrationFiles(MIGRATIONS_DIR);
});

describe('GET /healthz', () => {
  let migrated: FreshDatabase;
  let empty: FreshDatabase;
  beforeAll(async () => {
    [migrated, empty] = await Promise.all([freshDatabase({ migrate: true }), freshDatabase()]);
  });
  afterAll(() => Promise.all([migrated.drop(), empty.drop()]));

  it('[HT1] answers 200 with the migration count when the database is fully migrated', async () => {
    const app = await buildApp({
      pool: migrated.pool,
      migrations: files,
      webDist: built,
      log: silentLogger(),
    });
    const response = await app.inject('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok', migrations: files.length });
    expect(response.headers['cache-control']).toBe('no-store');
    await app.close();
  });

  it('[HT2] answers 503 with the reason while migrations are pending', async () => {
    const app = await buildApp({ pool: empty.pool, migrations: files, webDist: built, log: silentLogger() });
    const response = await app.inject('/healthz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'unavailable',
      code: ErrorCode.unavailable,
      database: 'ok',
      migrations: 0,
      message: `The database is not fully migrated: ${files.length} of ${files.length} migrations are pending.`,
    });
    await app.close();
  });

  it('[HT3] answers 503 with database "unreachable" when the database does not answer', async () => {
    const url = new URL(migrated.url);
    url.port = '1'; // nothing listens on port 1
    const pool = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 2000 });
    const app = await buildApp({ pool, migrations: files, webDist: built, log: silentLogger() });
    const response = await app.inject('/healthz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'unavailable',
      database: 'unreachable',
      migrations: null,
    });
    await app.close();
    await pool.end();
  });
});

describe('the web app on the same origin', () => {
  let db: FreshDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await freshDatabase({ migrate: true });
    app = await buildApp({
      pool: db.pool,
      migrations: files,
      webDist: built,
      log: silentLogger(),
      routes: [
        (routes) => {
          routes.get('/api/teapot', () => {
            throw new HttpError(409, ErrorCode.conflict, 'The kettle is already on.');
          });
          routes.get('/api/broken', () => {
            throw new Error('secret internals');
          });
          routes.post('/api/echo', (request) => request.body);
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('[HT4] page navigations get index.html, revalidated on every load', async () => {
    for (const url of [
      '/',
      '/events/0190c3f2-aaaa-7bbb-8ccc-123456789abc',
      '/stories?emotion=joy',
      '/settings/',
    ]) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe(INDEX);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe(NO_CACHE);
    }
  });

  it('[HT5] server paths and missing assets are a JSON 404, never the web app', async () => {
    for (const url of [
      '/api/nope',
      '/api',
      '/v1/shape',
      '/healthz/deep',
      '/collab/abc',
      '/assets/gone-123.js',
      '/x.png',
    ]) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({
        code: ErrorCode.notFound,
        message: expect.stringContaining(url.split('?')[0]!) as string,
      });
    }
    const post = await app.inject({ method: 'POST', url: '/api/unknown', payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ code: ErrorCode.notFound });
  });

  it('[HT6] the shell and the service worker revalidate; hashed assets are immutable', async () => {
    const sw = await app.inject('/sw.js');
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['cache-control']).toBe(NO_CACHE);
    expect((await app.inject('/index.html')).headers['cache-control']).toBe(NO_CACHE);
    expect((await app.inject('/manifest.webmanifest')).headers['cache-control']).toBe(NO_CACHE);
    const asset = await app.inject('/assets/index-B4x9Qz1a.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('[HT8] errors are JSON { code, message }; a crash does not leak its message', async () => {
    const teapot = await app.inject('/api/teapot');
    expect(teapot.statusCode).toBe(409);
    expect(teapot.json()).toEqual({ code: ErrorCode.conflict, message: 'The kettle is already on.' });

    const broken = await app.inject('/api/broken');
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({
      code: ErrorCode.internal,
      message: expect.stringContaining('try again') as string,
    });
    expect(broken.body).not.toContain('secret internals');

    const badJson = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"unfinished": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ code: ErrorCode.badRequest });
  });
});

describe('without a web build', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshDatabase({ migrate: true });
  });
  afterAll(() => db.drop());

  it('[HT7] warns to run `pnpm build` and answers pages with a 503 saying so', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const webDist = webBuild({ 'leftover.txt': 'no index here' });
    const app = await buildApp({ pool: db.pool, migrations: files, webDist, log });
    expect(lines.join('')).toContain('Run `pnpm build` in the repo root');

    const page = await app.inject('/');
    expect(page.statusCode).toBe(503);
    expect(page.json()).toEqual({
      code: ErrorCode.webNotBuilt,
      message: expect.stringContaining('Run `pnpm build`') as string,
    });
    expect((await app.inject('/events/1')).statusCode).toBe(503);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/api/x')).statusCode).toBe(404);
    await app.close();
  });
});

describe('closing', () => {
  it('[HT9] a request answered while the server closes does not keep its connection open', async () => {
    const db = await freshDatabase();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => (arrived = resolve));
    const app = await buildApp({
      pool: db.pool,
      migrations: [],
      webDist: built,
      log: silentLogger(),
      routes: [
        (routes) => {
          // Like a held long poll: answered only once the server starts closing.
          routes.get('/api/hold', async (_request, reply) => {
            arrived();
            await released;
            return reply.code(503).send({ code: ErrorCode.unavailable, message: 'stopping' });
          });
          routes.addHook('preClose', (done) => {
            release();
            done();
          });
        },
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answer = new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/api/hold', agent }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          })
          .on('error', reject);
      });
      await held;
      // With the keep-alive connection left open, close() would take the 72 s keep-alive timeout and
      // this test its time limit.
      await app.close();
      expect(await answer).toBe(503);
    } finally {
      agent.destroy();
      await db.drop();
    }
  });

  it('[HT10] a connection still busy past the grace period is closed, and close() returns', async () => {
    const db = await freshDatabase();
    let arrived!: () => void;
    const started = new Promise<void>((resolve) => (arrived = resolve));
    const app = await buildApp({
      pool: db.pool,
      migrations: [],
      webDist: built,
      log: silentLogger(),
      closeGraceMs: 200,
      routes: [
        (routes) => {
          routes.post('/api/upload', (_request, reply) => reply.send({ ok: true }));
        },
      ],
    });
    app.addHook('onRequest', (_request, _reply, done) => {
      arrived();
      done();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    // A request whose body stops halfway: node:http never counts its connection idle.
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    try {
      socket.write(
        'POST /api/upload HTTP/1.1\r\nHost: hearth\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc',
      );
      await started;
      // Without HT10 this waits until the client gives up, past this test's time limit.
      await app.close();
      await closed;
    } finally {
      socket.destroy();
      await db.drop();
    }
  });
});
