// The gateway's contract, run against both shape services (sync-server/src/gateway/SPEC.md GW4): the
// in-process engine, and the engine over HTTP as a real Electric at ELECTRIC_URL would be reached.
// Live sync with the official client, 409 must-refetch when visibility changes (old handle, held
// long poll, SSE stream), ETag revalidation, and a typed 502 when the service is unreachable.
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Shape, ShapeStream, type Row } from '@electric-sql/client';
import getPort from 'get-port';
import { newId } from '@hearth/schema/ids';
import { authRoutes, DEFAULT_AUTH_CONFIG, resolveSession } from '@hearth/sync-server/auth/index';
import { gatewayRoutes } from '@hearth/sync-server/gateway/routes';
import {
  sessionCookie,
  startGatewayHarness,
  TEST_SECRET,
  type GatewayHarness,
} from '@hearth/sync-server/gateway/test-support/harness';
import { seedWorld, type World } from '@hearth/sync-server/gateway/test-support/world';
import { buildApp } from '@hearth/sync-server/http/app';
import { silentLogger } from '@hearth/sync-server/log';
import { createTestUser, type TestUser } from '@hearth/sync-server/writes/test-support/sessions';
import { MUTATIONS_PATH } from '@hearth/sync-server/writes/routes';

describe.each(['in-process', 'http'] as const)('gateway over the %s shape service', (upstream) => {
  let h: GatewayHarness;
  let world: World;

  beforeAll(async () => {
    h = await startGatewayHarness({ upstream, longPollMs: 2000 });
    world = await seedWorld(h.pool);
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A new active member of private community P. */
  async function newMember(): Promise<TestUser> {
    const user = await createTestUser(h.pool);
    await h.pool.query(
      `insert into memberships (id, community_id, user_id, role, status) values ($1, $2, $3, 'member', 'active')`,
      [newId(), world.p, user.id],
    );
    return user;
  }

  async function remove(user: TestUser): Promise<void> {
    const response = await fetch(`${h.url}${MUTATIONS_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: sessionCookie(world.users.admin.token),
        origin: h.url,
      },
      body: JSON.stringify({
        mutations: [{ id: newId(), name: 'removeMember', args: { communityId: world.p, userId: user.id } }],
      }),
    });
    const body = (await response.json()) as { outcomes: { status: string }[] };
    expect(body.outcomes[0]?.status).toBe('accepted');
  }

  async function initial(name: string, user: TestUser) {
    const response = await fetch(`${h.shapeUrl(name)}?offset=-1`, {
      headers: { cookie: sessionCookie(user.token) },
    });
    expect(response.status).toBe(200);
    const rows = (await response.json()) as { value?: Row }[];
    return {
      handle: response.headers.get('electric-handle') ?? '',
      offset: response.headers.get('electric-offset') ?? '',
      etag: response.headers.get('etag') ?? '',
      ids: rows.flatMap((m) => (m.value ? [m.value.id as string] : [])),
    };
  }

  it('[GW4] the official client syncs a shape and its live changes', async () => {
    const stream = new ShapeStream<Row>({ url: h.shapeUrl('communities') });
    const shape = new Shape<Row>(stream as unknown as ConstructorParameters<typeof Shape<Row>>[0]);
    expect((await shape.rows).map((row) => row.id)).toEqual([world.q]);
    const id = newId();
    const arrived = new Promise<void>((resolve) => {
      const off = shape.subscribe(({ rows }) => {
        if (rows.some((row) => row.id === id)) {
          off();
          resolve();
        }
      });
    });
    await h.pool.query(`insert into communities (id, slug, name, created_by) values ($1, $2, 'New', $3)`, [
      id,
      `c-${id}`,
      world.users.member.id,
    ]);
    await arrived;
    stream.unsubscribeAll();
  });

  it('[GW6] a removed member on the old handle gets 409 must-refetch, and the new shape lacks P rows', async () => {
    const user = await newMember();
    const before = await initial('events', user);
    expect(before.ids).toContain(world.ids.ePcomm);
    await remove(user);
    const stale = await fetch(`${h.shapeUrl('events')}?offset=${before.offset}&handle=${before.handle}`, {
      headers: { cookie: sessionCookie(user.token) },
    });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual([{ headers: { control: 'must-refetch' } }]);
    const fresh = stale.headers.get('electric-handle');
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(before.handle);
    const after = await initial('events', user);
    expect(after.handle).toBe(fresh);
    expect(after.ids).not.toContain(world.ids.ePcomm);
    expect(after.ids).not.toContain(world.ids.ePunlisted);
    expect(after.ids).toContain(world.ids.eQpub);
  });

  it('[GW6] a live request on a shape the viewer lost never delivers P rows: 409 instead', async () => {
    const user = await newMember();
    const before = await initial('events', user);
    const held = fetch(`${h.shapeUrl('events')}?offset=${before.offset}&handle=${before.handle}&live=true`, {
      headers: { cookie: sessionCookie(user.token) },
    });
    await remove(user);
    const title = `renamed ${newId()}`;
    await h.pool.query(`update events set title = $1 where id = $2`, [title, world.ids.ePcomm]);
    const answer = await held;
    const text = await answer.text();
    expect(text).not.toContain(title);
    expect(answer.status).toBe(409);
    expect(answer.headers.get('electric-handle')).not.toBe(before.handle);
    expect(answer.headers.get('electric-handle')).toBeTruthy();
  });

  it('[GW6] an SSE stream ends before it would carry a row the viewer lost', async () => {
    const user = await newMember();
    const before = await initial('events', user);
    const response = await fetch(
      `${h.shapeUrl('events')}?offset=0_0&handle=${before.handle}&live=true&live_sse=true`,
      { headers: { cookie: sessionCookie(user.token) } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The first batch (rows after 0_0, then up-to-date) proves the stream runs under the old definition.
    while (!text.includes('"up-to-date"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    await remove(user);
    const title = `renamed ${newId()}`;
    await h.pool.query(`update events set title = $1 where id = $2`, [title, world.ids.ePcomm]);
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
    }
    expect(rest).not.toContain(title);
    // Reconnecting on the old handle is the 409 that resyncs the client.
    const again = await fetch(
      `${h.shapeUrl('events')}?offset=${before.offset}&handle=${before.handle}&live=true&live_sse=true`,
      { headers: { cookie: sessionCookie(user.token) } },
    );
    expect(again.status).toBe(409);
    await again.body?.cancel();
  });

  it('[GW5] an unchanged response revalidates with its ETag (304)', async () => {
    const first = await initial('users', world.users.member);
    expect(first.etag).not.toBe('');
    const again = await fetch(`${h.shapeUrl('users')}?offset=-1`, {
      headers: { cookie: sessionCookie(world.users.member.token), 'if-none-match': first.etag },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('electric-handle')).toBe(first.handle);
  });
});

describe('gateway with an unreachable shape service', () => {
  it('[GW4] answers 502 with a typed code, which the client retries', async () => {
    const h = await startGatewayHarness();
    const closedPort = await getPort();
    const app = await buildApp({
      pool: h.pool,
      migrations: [],
      webDist: path.join(os.tmpdir(), 'hearth-no-web-build'),
      log: silentLogger(),
      routes: [
        authRoutes({ pool: h.pool, config: DEFAULT_AUTH_CONFIG }),
        gatewayRoutes({
          pool: h.pool,
          resolveSession,
          electric: { url: `http://127.0.0.1:${closedPort}`, secret: TEST_SECRET },
        }),
      ],
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/api/shapes/users?offset=-1' });
      expect(response.statusCode).toBe(502);
      expect(response.json()).toMatchObject({ code: 'shape_upstream_failed' });
      expect(response.headers['cache-control']).toBe('no-store');
    } finally {
      await app.close();
      await h.close();
    }
  });
});
