// CO15: @fastify/websocket lives in the /collab scope. Its hooks do not run for other routes (a
// shape poll pays nothing for WebSockets), /collab still upgrades, and an upgrade asked of any other
// path gets that route's answer and then its socket closed, as before the scoping.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { collabClient, rawSocket } from './test-support/clients';
import { startCollabHarness, type CollabHarness } from './test-support/harness';

let h: CollabHarness;

beforeAll(async () => {
  h = await startCollabHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Sends a raw upgrade request; resolves with everything the server wrote once it closed the socket. */
async function rawUpgrade(path: string): Promise<string> {
  const { port } = new URL(h.server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

describe('the WebSocket plugin is scoped to /collab', () => {
  it('[CO15] a route outside /collab runs no WebSocket hook (no `ws` request decorator outside its scope)', async () => {
    const app = h.server.app;
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    // The plugin decorates `request.ws` in its scope only.
    expect(app.hasRequestDecorator('ws')).toBe(false);
  });

  it('[CO15] /collab still upgrades: a signed-in co-author is admitted and a stranger gets a typed close', async () => {
    const owner = await h.author('Owner');
    const draftId = await h.draft(owner);
    const client = collabClient(h.server.url, draftId, { cookie: owner.cookie });
    try {
      await client.synced;
    } finally {
      client.destroy();
    }
    const stranger = rawSocket(h.server.url, draftId, { cookie: 'hearth_session=nope' });
    expect((await stranger.closed).code).toBe(CollabClose.unauthenticated.code);
  });

  it('[CO15] an upgrade asked of another path gets its route answer, then the socket is closed', async () => {
    const text = await rawUpgrade('/healthz');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('"status":"ok"');
    expect(await rawUpgrade('/api/nowhere')).toMatch(/^HTTP\/1\.1 404 /);
  });
});
