// The HTTP surface against a real Postgres and the real engine, with raw fetch: the exact headers,
// status codes and bodies of Electric's Shape API (SPEC.md SE28–SE37, SE49–SE56, SE60, SE62–SE64).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../../http/app';
import { silentLogger } from '../../log';
import { ShapeEngine } from '../engine/shape-engine';
import {
  TEST_SHAPE_CONFIG,
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  type TestShapeServer,
} from '../engine/testing';
import { MemoryShapeLogStore } from '../storage/memory-store';
import type { ClientPresence } from './held-requests';
import { ShapeApi, type AnswerSink, type ShapeAnswer } from './shape-api';
import { shapeRoutes } from './shape-routes';

const SECRET = 'a-test-secret-of-32-characters!!';
let db: FreshDatabase;
let server: TestShapeServer;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(`
    create table items (id int primary key, title text not null, n int, tags text[], price numeric(10,2));
    insert into items values (1, 'one', 10, '{a,b}', 1.50), (2, 'two', 20, null, null);
    create table "Odd Name" (id int primary key, "has,comma" text);
  `);
  server = await startTestShapeServer({ db, config: { secret: SECRET, longPollMs: 1000 } });
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

function shapeUrl(params: Record<string, string>, secret: string | null = SECRET): string {
  const url = new URL(server.shapeUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (secret !== null) url.searchParams.set('secret', secret);
  return url.toString();
}

async function get(params: Record<string, string>, init?: RequestInit): Promise<Response> {
  return fetch(shapeUrl(params), init);
}

interface Message {
  headers: Record<string, unknown>;
  key?: string;
  value?: Record<string, string | null>;
}

async function initial(
  params: Record<string, string>,
): Promise<{ handle: string; offset: string; body: Message[] }> {
  const res = await get({ ...params, offset: '-1' });
  expect(res.status).toBe(200);
  return {
    handle: res.headers.get('electric-handle') as string,
    offset: res.headers.get('electric-offset') as string,
    body: (await res.json()) as Message[],
  };
}

describe('GET /v1/shape', () => {
  it('[SE36] answers 401 without the secret and with a wrong one', async () => {
    for (const secret of [null, 'wrong']) {
      const res = await fetch(shapeUrl({ table: 'items', offset: '-1' }, secret));
      expect(res.status).toBe(401);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ message: 'Unauthorized - Invalid API secret' });
    }
  });

  it('[SE31][SE37][SE49] offset=-1 returns the snapshot and snapshot-end, never up-to-date, with the schema', async () => {
    const res = await get({ table: 'items', offset: '-1' });
    expect(res.status).toBe(200);
    const handle = res.headers.get('electric-handle') as string;
    expect(handle).toMatch(/^\d+-\d+$/);
    expect(res.headers.get('electric-offset')).toBe('0_2');
    expect(res.headers.has('electric-up-to-date')).toBe(false);
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
    );
    expect(res.headers.get('etag')).toBe(`"${handle}:-1:0_2"`);
    expect(JSON.parse(res.headers.get('electric-schema') as string)).toEqual({
      id: { type: 'int4', pk_index: 0, not_null: true },
      title: { type: 'text', not_null: true },
      n: { type: 'int4' },
      tags: { type: 'text', dims: 1 },
      price: { type: 'numeric', precision: 10, scale: 2 },
    });
    const body = (await res.json()) as Message[];
    expect(body.map((m) => m.key ?? m.headers.control)).toEqual([
      '"public"."items"/"1"',
      '"public"."items"/"2"',
      'snapshot-end',
    ]);
    expect(body[0]).toEqual({
      headers: { operation: 'insert', relation: ['public', 'items'] },
      key: '"public"."items"/"1"',
      value: { id: '1', title: 'one', n: '10', tags: '{a,b}', price: '1.50' },
    });
  });

  it('[SE49] the -1 response stays byte-identical after new writes; the next read carries them', async () => {
    const first = await initial({ table: 'items', where: 'n >= 10' });
    const before = await (await get({ table: 'items', where: 'n >= 10', offset: '-1' })).text();
    await db.pool.query(`insert into items values (3, 'three', 30, null, null)`);
    const live = await get({
      table: 'items',
      where: 'n >= 10',
      offset: first.offset,
      handle: first.handle,
      live: 'true',
    });
    const again = await get({ table: 'items', where: 'n >= 10', offset: '-1' });
    expect(await again.text()).toBe(before);
    const changes = (await live.json()) as Message[];
    expect(changes.map((m) => m.headers.operation ?? m.headers.control)).toEqual(['insert', 'up-to-date']);
    await db.pool.query('delete from items where id = 3');
  });

  it('[SE48] concurrent first requests for one definition share one shape and one snapshot', async () => {
    const params = { table: 'items', where: 'n between 1 and 100', offset: '-1' };
    const responses = await Promise.all(Array.from({ length: 6 }, () => get(params)));
    const handles = new Set(responses.map((r) => r.headers.get('electric-handle')));
    expect(handles.size).toBe(1);
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect(bodies.size).toBe(1);
  });

  it('[SE28][SE29] catch-up ends with up-to-date; If-None-Match answers 304', async () => {
    const { handle, offset } = await initial({ table: 'items' });
    const res = await get({ table: 'items', handle, offset });
    expect(res.status).toBe(200);
    expect(res.headers.get('electric-up-to-date')).toBe('');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=300');
    const body = (await res.json()) as Message[];
    expect(body.at(-1)?.headers.control).toBe('up-to-date');
    expect(typeof body.at(-1)?.headers.global_last_seen_lsn).toBe('string');
    const tag = res.headers.get('etag') as string;
    const cached = await get({ table: 'items', handle, offset }, { headers: { 'if-none-match': tag } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
  });

  it('[SE33] a live request is held until a commit touches the shape, then returns it with a cursor', async () => {
    const { handle, offset } = await initial({ table: 'items', where: 'id = 4' });
    const pending = get({ table: 'items', where: 'id = 4', handle, offset, live: 'true' });
    await db.pool.query(`insert into items values (4, 'four', 40, '{x}', 4)`);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('electric-cursor')).toMatch(/^\d+$/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=5');
    expect(res.headers.has('electric-schema')).toBe(false);
    const body = (await res.json()) as Message[];
    expect(body[0]).toMatchObject({
      headers: { operation: 'insert', relation: ['public', 'items'], last: true },
      key: '"public"."items"/"4"',
      value: { id: '4', title: 'four', n: '40', tags: '{x}', price: '4.00' },
    });
    expect(body[1]?.headers).toEqual({
      control: 'up-to-date',
      global_last_seen_lsn: body[0]?.headers.lsn,
    });
  });

  it('[SE33][SE36] live answers to one commit are the same bytes for every client; CORS and If-None-Match stay per request', async () => {
    const { handle, offset } = await initial({ table: 'items', where: 'id = 5' });
    const params = { table: 'items', where: 'id = 5', handle, offset, live: 'true' };
    const pending = [
      get(params, { headers: { origin: 'http://a.test' } }),
      get(params, { headers: { origin: 'http://b.test' } }),
      get(params),
    ];
    await db.pool.query(`insert into items values (5, 'five', 50, null, 5)`);
    const responses = await Promise.all(pending);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect((JSON.parse(bodies[0] as string) as Message[])[0]?.key).toBe('"public"."items"/"5"');
    for (const name of ['etag', 'electric-offset', 'electric-handle', 'cache-control', 'content-type']) {
      expect(new Set(responses.map((r) => r.headers.get(name))).size).toBe(1);
    }
    const [a, b, plain] = responses;
    expect(a?.headers.get('access-control-allow-origin')).toBe('http://a.test');
    expect(a?.headers.get('vary')).toBe('origin');
    expect(b?.headers.get('access-control-allow-origin')).toBe('http://b.test');
    expect(plain?.headers.get('access-control-allow-origin')).toBe('*');
    expect(plain?.headers.get('vary')).toBeNull();
    expect(plain?.headers.get('access-control-expose-headers')).toContain('electric-cursor');
    expect(plain?.headers.get('electric-up-to-date')).toBe('');
    expect(plain?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const tag = plain?.headers.get('etag') as string;
    const cached = await get(params, { headers: { 'if-none-match': tag } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const again = await get(params);
    expect(again.headers.get('etag')).toBe(tag);
    expect(await again.text()).toBe(bodies[0]);
  });

  it('[SE60] a live read is reused while the shape tail stays; after an append the same offset reads anew', async () => {
    const where = 'id >= 60 and id < 70';
    const { handle, offset } = await initial({ table: 'items', where });
    const params = { table: 'items', where, handle, offset, live: 'true' };
    const held = get(params);
    await db.pool.query(`insert into items values (60, 'sixty', 60, null, 60)`);
    const first = await held;
    const firstBody = await first.text();
    const keys = (text: string) => (JSON.parse(text) as Message[]).flatMap((m) => (m.key ? [m.key] : []));
    expect(keys(firstBody)).toEqual(['"public"."items"/"60"']);

    const engine = server.running.engine;
    const reads = vi.spyOn(engine, 'read');
    try {
      const again = await get(params);
      expect(await again.text()).toBe(firstBody);
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(reads).not.toHaveBeenCalled();

      // Held at the offset after row 60: it returns once row 61 is in the shape's log.
      const next = get({ ...params, offset: first.headers.get('electric-offset') as string });
      await db.pool.query(`insert into items values (61, 'sixty-one', 61, null, 61)`);
      expect(keys(await (await next).text())).toEqual(['"public"."items"/"61"']);
      const moved = await get(params);
      expect(keys(await moved.text())).toEqual(['"public"."items"/"60"', '"public"."items"/"61"']);
      expect(moved.headers.get('etag')).not.toBe(first.headers.get('etag'));

      // A long poll that times out (a second here) ends the cursor interval: a kept answer gets a new cursor.
      const kept = await get(params);
      const timedOut = await get({ ...params, offset: moved.headers.get('electric-offset') as string });
      expect(timedOut.headers.get('electric-has-data')).toBe('false');
      const later = await get(params);
      expect(await later.text()).toBe(await kept.text());
      expect(Number(later.headers.get('electric-cursor'))).toBeGreaterThan(
        Number(kept.headers.get('electric-cursor')),
      );
    } finally {
      reads.mockRestore();
    }
  });

  it('[SE33] a live request that sees no commit ends with 200 [up-to-date], has-data false and a unique etag', async () => {
    const { handle, offset } = await initial({ table: 'items', where: 'id = 999' });
    const res = await get({ table: 'items', where: 'id = 999', handle, offset, live: 'true' });
    expect(res.status).toBe(200);
    expect(res.headers.get('electric-has-data')).toBe('false');
    expect(res.headers.get('electric-offset')).toBe(offset);
    expect(res.headers.get('etag')?.split(':')).toHaveLength(4);
    const body = (await res.json()) as Message[];
    expect(body).toHaveLength(1);
    expect(body[0]?.headers.control).toBe('up-to-date');
  });

  it('[SE34] an unknown or mismatched handle answers 409 must-refetch with the current handle', async () => {
    const { handle } = await initial({ table: 'items' });
    const unknown = await get({ table: 'items', handle: '1-1', offset: '0_0' });
    expect(unknown.status).toBe(409);
    expect(unknown.headers.get('electric-handle')).toBe(handle);
    expect(unknown.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
    expect(await unknown.json()).toEqual([{ headers: { control: 'must-refetch' } }]);
    const mismatched = await get({ table: 'items', where: 'n > 1', handle, offset: '0_0' });
    expect(mismatched.status).toBe(409);
    expect(mismatched.headers.get('electric-handle')).not.toBe(handle);
  });

  it('[SE34] DELETE rotates the shape: its handle answers 409 and a new handle is never a reused one', async () => {
    const { handle, offset } = await initial({ table: 'items', columns: 'id,title' });
    const held = get({ table: 'items', columns: 'id,title', handle, offset, live: 'true' });
    const del = await fetch(shapeUrl({ table: 'items', handle }), { method: 'DELETE' });
    expect(del.status).toBe(202);
    const res = await held;
    expect(res.status).toBe(409);
    const fresh = res.headers.get('electric-handle');
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(handle);
    const again = await fetch(shapeUrl({ table: 'items', handle }), { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it('[SE34] TRUNCATE rotates the shapes of the table', async () => {
    await db.pool.query(`create table scratch (id int primary key); insert into scratch values (1)`);
    const { handle, offset } = await initial({ table: 'scratch' });
    const held = get({ table: 'scratch', handle, offset, live: 'true' });
    await db.pool.query('truncate scratch');
    const res = await held;
    expect(res.status).toBe(409);
    const fresh = res.headers.get('electric-handle') as string;
    expect(fresh).not.toBe(handle);
    const after = await initial({ table: 'scratch' });
    expect(after.handle).toBe(fresh);
    expect(after.body.map((m) => m.headers.control ?? m.key)).toEqual(['snapshot-end']);
  });

  it("[SE6] invalid requests get Electric's 400 bodies", async () => {
    const res = await get({ table: 'items', offset: '-1', where: '1 x 1' });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('surrogate-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      message: 'Invalid request',
      errors: { where: ['At location 17: syntax error at or near "x"'] },
    });
    const missing = await get({ table: 'nope', offset: '-1' });
    expect(await missing.json()).toEqual({
      message: 'Invalid request',
      errors: {
        table: [
          'Table "public"."nope" does not exist. If the table name contains capitals or special characters you must quote it.',
        ],
      },
    });
  });

  it('[SE1][SE2] quoted table and column names work end to end', async () => {
    await db.pool.query(`insert into "Odd Name" values (1, 'a,b')`);
    const { body } = await initial({ table: 'public."Odd Name"', columns: 'id,"has,comma"' });
    expect(body[0]).toMatchObject({ key: '"public"."Odd Name"/"1"', value: { id: '1', 'has,comma': 'a,b' } });
  });

  it('[SE36] CORS exposes the electric headers; OPTIONS is a 204 preflight', async () => {
    const res = await get({ table: 'items', offset: '-1' }, { headers: { origin: 'http://example.test' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://example.test');
    expect(res.headers.get('access-control-expose-headers')).toContain('electric-handle');
    const pre = await fetch(server.shapeUrl, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-max-age')).toBe('86400');
  });

  it('[SE36] /v1/health says active once the stream runs', async () => {
    const res = await fetch(`${server.url}/v1/health?secret=${SECRET}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect(await res.json()).toEqual({ status: 'active' });
  });
});

describe('schema changes, overload and start-up', () => {
  it('[SE34] a lost replication slot rotates every shape: held requests get 409', async () => {
    const { handle, offset } = await initial({ table: 'items', where: 'id = 777' });
    const held = get({ table: 'items', where: 'id = 777', handle, offset, live: 'true' });
    // Cut the walsender and drop the slot before the client reconnects (it backs off first).
    for (;;) {
      const { rows } = await db.pool.query<{ dropped: boolean }>(
        `select pg_terminate_backend(active_pid) is not null as dropped from pg_replication_slots where slot_name = $1`,
        [db.name],
      );
      try {
        await db.pool.query('select pg_drop_replication_slot($1)', [db.name]);
        break;
      } catch (error) {
        // Still active (the client reconnected first): cut it again.
        if ((error as { code?: string }).code !== '55006' || rows.length === 0) throw error;
      }
    }
    const res = await held;
    expect(res.status).toBe(409);
    expect(res.headers.get('electric-handle')).not.toBe(handle);
    // The engine streams from the new slot: a new write reaches the new shape.
    const fresh = await initial({ table: 'items', where: 'id = 777' });
    const live = get({
      table: 'items',
      where: 'id = 777',
      handle: fresh.handle,
      offset: fresh.offset,
      live: 'true',
    });
    await db.pool.query(`insert into items values (777, 'lucky', 7, null, null)`);
    const body = (await (await live).json()) as Message[];
    expect(body[0]?.key).toBe('"public"."items"/"777"');
  });

  it('[SE50] a schema change of the table rotates its shapes: the old handle answers 409', async () => {
    await db.pool.query(
      `create table evolving (id int primary key, a text); insert into evolving values (1, 'x')`,
    );
    const { handle, offset } = await initial({ table: 'evolving' });
    const held = get({ table: 'evolving', handle, offset, live: 'true' });
    await db.pool.query(`alter table evolving add column b int; insert into evolving values (2, 'y', 2)`);
    const res = await held;
    expect(res.status).toBe(409);
    const fresh = await initial({ table: 'evolving' });
    expect(fresh.handle).not.toBe(handle);
    expect(fresh.body.map((m) => m.value)).toEqual([
      { id: '1', a: 'x', b: null },
      { id: '2', a: 'y', b: '2' },
      undefined,
    ]);
  });

  it("[SE51] the snapshot filters rows with the shape's where, prefiltered by Postgres on pinned columns", async () => {
    await db.pool.query(`
      create table people (id uuid primary key, team text, age int);
      insert into people values
        ('00000000-0000-0000-0000-000000000001', 'red', 30),
        ('00000000-0000-0000-0000-000000000002', 'blue', 40),
        ('00000000-0000-0000-0000-000000000003', 'red', null);
    `);
    const { body } = await initial({ table: 'people', where: `team = 'red' and age > 20` });
    expect(body.map((m) => m.value?.id ?? m.headers.control)).toEqual([
      '00000000-0000-0000-0000-000000000001',
      'snapshot-end',
    ]);
    const byId = await initial({ table: 'people', where: `id in ('00000000000000000000000000000002')` });
    expect(byId.body.map((m) => m.value?.team ?? m.headers.control)).toEqual(['blue', 'snapshot-end']);
  });

  it('[SE55] too many held live requests get 503 with Retry-After', async () => {
    const app = Fastify();
    await shapeRoutes({
      engine: server.running.engine,
      config: { ...TEST_SHAPE_CONFIG, secret: SECRET },
      maxHeldRequests: 0,
    })(app);
    const { handle, offset } = await initial({ table: 'items', where: 'id = 12345' });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/shape?table=items&where=${encodeURIComponent('id = 12345')}&handle=${handle}&offset=${offset}&live=true&secret=${SECRET}`,
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'unavailable' });
    await app.close();
  });

  it('[SE55] shape creations past the limit get 503 with Retry-After', async () => {
    const busyDb = { ...db, name: `${db.name}_busy` };
    const busy = await startTestShapeServer({ db: busyDb, extra: { engine: { maxPendingCreations: 0 } } });
    try {
      const res = await fetch(`${busy.shapeUrl}?table=items&offset=-1`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { message: string }).message).toMatch(/being created already/);
    } finally {
      await busy.stop();
      await dropTestSlot(busyDb);
      removeDataDir(busy.dataDir);
    }
  });

  it('[SE36] before the stream runs, health says starting (202) and shape requests get 503', async () => {
    const engine = new ShapeEngine({
      pool: db.pool,
      databaseUrl: db.url,
      store: new MemoryShapeLogStore({ chunkBytes: 1024 }),
      log: silentLogger(),
    });
    const app = Fastify();
    await shapeRoutes({ engine, config: TEST_SHAPE_CONFIG })(app);
    const health = await app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(202);
    expect(health.json()).toEqual({ status: 'starting' });
    const shape = await app.inject({ method: 'GET', url: '/v1/shape?table=items&offset=-1' });
    expect(shape.statusCode).toBe(503);
    expect(shape.headers['retry-after']).toBe('5');
    await app.close();
    await engine.stop();
  });
});

/** A client presence the test ends by hand, as a transport would on a closed socket. */
function presence(): { client: ClientPresence; leave: () => void } {
  const left = new AbortController();
  return {
    client: {
      get gone() {
        return left.signal.aborted;
      },
      onGone: (listener) => left.signal.addEventListener('abort', listener, { once: true }),
    },
    leave: () => left.abort(),
  };
}

/** A whole answer's body as text (SSE answers are not whole). */
function text(answer: ShapeAnswer): string {
  const { body } = answer;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  throw new Error(`expected a whole body, got ${body === undefined ? 'none' : 'a stream'}`);
}

const PROTOCOL_HEADERS = ['electric-handle', 'electric-offset', 'electric-schema', 'etag', 'cache-control'];

describe('the Shape API called in-process', () => {
  it('[SE62] answers what /v1/shape answers over HTTP: status, protocol headers and body', async () => {
    const params = { table: 'items', where: 'id <= 2', offset: '-1' };
    const overHttp = await get(params);
    const inProcess = await server.running.api.get({
      query: { ...params, secret: SECRET },
      client: presence().client,
    });
    expect(inProcess.status).toBe(overHttp.status);
    for (const name of PROTOCOL_HEADERS)
      expect([name, inProcess.headers[name]]).toEqual([name, overHttp.headers.get(name) ?? undefined]);
    expect(text(inProcess)).toBe(await overHttp.text());
  });

  it('[SE62][SE55] an SSE stream whose client leaves before reading it is no longer held', async () => {
    const api = new ShapeApi({
      engine: server.running.engine,
      config: { ...TEST_SHAPE_CONFIG, secret: SECRET },
      maxHeldRequests: 1,
    });
    const { handle, offset } = await initial({ table: 'items', where: 'id = 4242' });
    const live = { table: 'items', where: 'id = 4242', handle, offset, live: 'true', secret: SECRET };
    const first = presence();
    const stream = await api.get({ query: { ...live, live_sse: 'true' }, client: first.client });
    expect(stream.status).toBe(200);
    // Held: the limit of one is reached.
    const refused = await api.get({ query: live, client: presence().client });
    expect(refused.status).toBe(503);
    first.leave();
    const held = presence();
    const next = api.get({ query: live, client: held.client });
    held.leave();
    // Held, then left: the long poll ends (503 to nobody) instead of being refused at once for lack of room.
    expect((await next).headers['retry-after']).toBe('5');
    expect(JSON.parse(text(await next))).toMatchObject({
      message: 'The server is stopping; retry shortly.',
    });
    api.closeHeld();
  });
});

describe('woken long polls (SE64)', () => {
  it('[SE64] the long polls one commit wakes are answered from memory, one after another, before any promise reaction', async () => {
    const { api, engine } = server.running;
    const where = 'id = 6464';
    const { handle, offset } = await initial({ table: 'items', where });
    const live = { table: 'items', where, handle, offset, live: 'true', secret: SECRET };
    const order: string[] = [];
    const answers: ShapeAnswer[] = [];
    let allAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (allAnswered = resolve));
    const sink = (id: string): AnswerSink => ({
      answer: (answer) => {
        order.push(id);
        answers.push(answer);
        // Queued by the first answer: it runs only after every answer of the wake-up turn.
        if (id === 'a') queueMicrotask(() => order.push('microtask'));
        if (answers.length === 3) setImmediate(allAnswered);
      },
      fail: (error) => {
        throw error;
      },
    });
    const held = api.heldCount;
    for (const id of ['a', 'b', 'c']) api.serve({ query: live, client: presence().client }, sink(id));
    while (api.heldCount < held + 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const reads = vi.spyOn(engine, 'read');
    try {
      await db.pool.query(`insert into items values (6464, 'woken', 64, null, null)`);
      await answered;
      expect(order).toEqual(['a', 'b', 'c', 'microtask']);
      expect(reads).not.toHaveBeenCalled();
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(text(answer)).toContain('"woken"');
      }
    } finally {
      reads.mockRestore();
    }
  });
  it('[SE64][SE60] a live poll at the tail is held before serve returns, and one commit answers its polls with one answer', async () => {
    const { api } = server.running;
    const where = 'id = 6465';
    const { handle, offset } = await initial({ table: 'items', where });
    const live = { table: 'items', where, handle, offset, live: 'true', secret: SECRET };
    const answers: ShapeAnswer[] = [];
    let allAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (allAnswered = resolve));
    const sink: AnswerSink = {
      answer: (answer) => {
        answers.push(answer);
        if (answers.length === 3) allAnswered();
      },
      fail: (error) => {
        throw error;
      },
    };
    const held = api.heldCount;
    for (let i = 0; i < 3; i++) api.serve({ query: live, client: presence().client }, sink);
    // No promise between a known definition's poll and its hold: held already, not a tick later.
    expect(api.heldCount).toBe(held + 3);
    await db.pool.query(`insert into items values (6465, 'shared', 65, null, null)`);
    await answered;
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    expect(text(answers[0] as ShapeAnswer)).toContain('"shared"');
  });
});

describe('GET /v1/shape ahead of Fastify', () => {
  it('[SE63] is served off node:http without Fastify hooks, and answers what the Fastify route answers', async () => {
    const seen: string[] = [];
    const app = await buildApp({
      pool: db.pool,
      migrations: [],
      webDist: path.join(server.dataDir, 'no-web'),
      log: silentLogger(),
      rawRoutes: [server.running.rawRoute],
      routes: [
        server.running.routes,
        (fastify) => {
          fastify.addHook('onRequest', (request, _reply, done) => {
            seen.push(request.url);
            done();
          });
        },
      ],
    });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const shapePath = `/v1/shape?table=items&where=${encodeURIComponent('id <= 2')}&offset=-1&secret=${SECRET}`;
      const raw = await fetch(`${base}${shapePath}`);
      const routed = await app.inject({ method: 'GET', url: shapePath });
      expect(seen).toEqual([shapePath]); // the injected request only: inject enters Fastify directly
      expect(raw.status).toBe(routed.statusCode);
      for (const name of PROTOCOL_HEADERS) expect(raw.headers.get(name)).toBe(routed.headers[name]);
      expect(await raw.text()).toBe(routed.body);
      // Everything else still goes through Fastify.
      await fetch(`${base}/v1/health?secret=${SECRET}`);
      expect(seen).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
