// Collab rooms over real sockets (sync-server/src/collab/SPEC.md): y-websocket clients against the
// real endpoint, Postgres store, author watch. Waits are on protocol and room events, never on time.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { draftDocument, readDraftState, draftXml } from '@hearth/schema/drafts/document';
import { txOf } from '@hearth/sync-server/collab/pg-store';
import type { CollabEventMap } from '@hearth/sync-server/collab/room';
import { collabClient, type CollabClient } from '@hearth/sync-server/collab/test-support/clients';
import {
  startCollabHarness,
  startCollabServer,
  type Author,
  type CollabHarness,
  type CollabServer,
} from '@hearth/sync-server/collab/test-support/harness';

let h: CollabHarness;
let ana: Author;
let ben: Author;
const open: CollabClient[] = [];
const servers: CollabServer[] = [];

beforeAll(async () => {
  // Compaction only when a test asks for it (or on unload).
  h = await startCollabHarness({
    compactIdleMs: 3_600_000,
    compactAfterUpdates: 1_000_000,
    compactAfterBytes: 1 << 30,
  });
  ana = await h.author('Ana');
  ben = await h.author('Ben');
});
afterEach(async () => {
  for (const client of open.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.stop();
});
afterAll(async () => {
  await h?.close();
});

function join(author: Author, draftId: string, server: CollabServer = h.server): CollabClient {
  const client = collabClient(server.url, draftId, { cookie: author.cookie });
  open.push(client);
  return client;
}

/** The next event of this kind for this draft. */
function next<K extends keyof CollabEventMap>(
  server: CollabServer,
  kind: K,
  draftId: string,
): Promise<CollabEventMap[K][0]> {
  return new Promise((resolve) => {
    const listener = (event: CollabEventMap[K][0]) => {
      if (event.draftId !== draftId) return;
      server.collab.events.off(kind, listener as never);
      resolve(event);
    };
    server.collab.events.on(kind, listener as never);
  });
}

async function storedText(draftId: string): Promise<string> {
  return draftXml(draftDocument(await readDraftState(txOf(h.pool), draftId)));
}

async function counts(draftId: string): Promise<{ updates: number; snapshots: number }> {
  const { rows } = await h.pool.query<{ updates: number; snapshots: number }>(
    `select (select count(*)::int from draft_updates where draft_id = $1) as updates,
            (select count(*)::int from draft_snapshots where draft_id = $1) as snapshots`,
    [draftId],
  );
  return rows[0]!;
}

describe('collab rooms', () => {
  it('[CO4] two clients editing the same paragraph at once converge', async () => {
    const draftId = await h.draft(ana, [ben]);
    const a = join(ana, draftId);
    const b = join(ben, draftId);
    await Promise.all([a.synced, b.synced]);
    a.type('Hello from Ana. ');
    b.type('Hello from Ben. ');
    for (let i = 0; i < 20; i++) (i % 2 === 0 ? a : b).type(`${i} `);
    const both = (text: string) => text.includes('Ana') && text.includes('Ben') && text.includes('19 ');
    await Promise.all([a.until(both), b.until(both)]);
    await b.until((text) => text === a.text());
    expect(b.text()).toBe(a.text());
  });

  it('[CO8] updates are stored as they arrive, with their author, while the room is open', async () => {
    const draftId = await h.draft(ana);
    const a = join(ana, draftId);
    await a.synced;
    const stored = next(h.server, 'stored', draftId);
    a.type('kept as typed');
    await stored;
    expect(await storedText(draftId)).toContain('kept as typed');
    const { rows } = await h.pool.query<{ author_id: string }>(
      'select distinct author_id from draft_updates where draft_id = $1',
      [draftId],
    );
    expect(rows).toEqual([{ author_id: ana.id }]);
  });

  it('[CO3] stored state arrives before the first sync reply: a late joiner after a restart sees it', async () => {
    const draftId = await h.draft(ana, [ben]);
    const a = join(ana, draftId);
    await a.synced;
    const room = await h.server.collab.rooms.roomOf(draftId);
    const arrived = new Promise((resolve) => room!.doc.once('update', resolve));
    a.type('written before the restart');
    await arrived;
    // Received, maybe not yet written: a clean stop stores everything the room holds (CO8).
    await h.restart();
    const b = join(ben, draftId);
    await b.synced;
    // `synced` is the reply to the client's first sync step: the text must already be in it.
    expect(b.text()).toContain('written before the restart');
  });

  it('[CO9] compaction leaves the document equal and folds every update into one snapshot', async () => {
    const draftId = await h.draft(ana, [ben]);
    const a = join(ana, draftId);
    const b = join(ben, draftId);
    await Promise.all([a.synced, b.synced]);
    for (let i = 0; i < 60; i++) (i % 2 === 0 ? a : b).type(`w${i} `);
    await b.until((text) => text.includes('w58 '));
    await a.until((text) => text.includes('w59 '));
    const room = await h.server.collab.rooms.roomOf(draftId);
    await room!.flush();
    const before = draftDocument(await readDraftState(txOf(h.pool), draftId));
    expect((await counts(draftId)).updates).toBeGreaterThan(0);
    await room!.compact();
    expect(await counts(draftId)).toEqual({ updates: 0, snapshots: 1 });
    const after = draftDocument(await readDraftState(txOf(h.pool), draftId));
    expect(draftXml(after)).toBe(draftXml(before));
    expect(Y.encodeStateVector(after)).toEqual(Y.encodeStateVector(before));
    expect(draftXml(after)).toBe(draftXml(a.doc));
  });

  it('[CO9] a room compacts when it goes idle', async () => {
    const server = await startCollabServer({
      pool: h.pool,
      databaseUrl: h.db.url,
      config: { compactIdleMs: 50 },
    });
    servers.push(server);
    const draftId = await h.draft(ana);
    const a = join(ana, draftId, server);
    await a.synced;
    const compacted = next(server, 'compacted', draftId);
    a.type('then a pause');
    expect((await compacted).folded).toBeGreaterThan(0);
    expect(await counts(draftId)).toEqual({ updates: 0, snapshots: 1 });
    expect(await storedText(draftId)).toContain('then a pause');
  });

  it('[CO9] a room compacts past a count or a size of stored updates', async () => {
    const server = await startCollabServer({
      pool: h.pool,
      databaseUrl: h.db.url,
      config: { compactAfterUpdates: 10, compactAfterBytes: 4096, compactIdleMs: 3_600_000 },
    });
    servers.push(server);
    const byCount = await h.draft(ana);
    const a = join(ana, byCount, server);
    await a.synced;
    const compactedByCount = next(server, 'compacted', byCount);
    for (let i = 0; i < 10; i++) a.type(`${i}`);
    expect((await compactedByCount).folded).toBeGreaterThanOrEqual(10);

    const bySize = await h.draft(ana);
    const b = join(ana, bySize, server);
    await b.synced;
    const compactedBySize = next(server, 'compacted', bySize);
    b.type('x'.repeat(5000));
    expect((await compactedBySize).folded).toBe(1);
    expect(await storedText(bySize)).toContain('x'.repeat(5000));
  });

  it('[CO10] a room unloads when its last client leaves, after storing, and reloads for the next', async () => {
    const draftId = await h.draft(ana, [ben]);
    const a = join(ana, draftId);
    const b = join(ben, draftId);
    await Promise.all([a.synced, b.synced]);
    // Ben shows his presence (a state at clock 0, the initial `{}`, is not propagated by y-protocols).
    const benHere = new Promise<void>((resolve) => {
      a.provider.awareness.on('change', ({ added }: { added: number[] }) => {
        if (added.includes(b.doc.clientID)) resolve();
      });
    });
    b.provider.awareness.setLocalState({ cursor: null });
    await benHere;
    a.type('before everyone left');
    await b.until((text) => text.includes('before everyone left'));
    const unloaded = next(h.server, 'unloaded', draftId);
    // Ana sees Ben's presence go: the server has taken him out of the room.
    const benLeft = new Promise<void>((resolve) => {
      a.provider.awareness.on('change', ({ removed }: { removed: number[] }) => {
        if (removed.includes(b.doc.clientID)) resolve();
      });
    });
    b.destroy();
    await benLeft;
    expect(await h.server.collab.rooms.roomOf(draftId)).toBeDefined();
    a.destroy();
    await unloaded;
    expect(await h.server.collab.rooms.roomOf(draftId)).toBeUndefined();
    expect(await storedText(draftId)).toContain('before everyone left');
    const c = join(ben, draftId);
    await c.synced;
    expect(c.text()).toContain('before everyone left');
  });

  it('[CO7] presence shows who is here from the session, with cursors, and goes when they leave', async () => {
    const draftId = await h.draft(ana, [ben]);
    const a = join(ana, draftId);
    const b = join(ben, draftId);
    await Promise.all([a.synced, b.synced]);
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const state = b.provider.awareness.getStates().get(a.doc.clientID);
        if (state?.cursor !== undefined) resolve(state);
      };
      b.provider.awareness.on('change', check);
      check();
    });
    a.provider.awareness.setLocalState({
      user: { name: 'Not Ana', color: '#336699' },
      cursor: { anchor: 1, head: 4 },
    });
    expect(await seen).toEqual({
      user: { id: ana.id, name: 'Ana', color: '#336699' },
      cursor: { anchor: 1, head: 4 },
    });
    const gone = new Promise<void>((resolve) => {
      b.provider.awareness.on('change', ({ removed }: { removed: number[] }) => {
        if (removed.includes(a.doc.clientID)) resolve();
      });
    });
    a.destroy();
    await gone;
    expect(b.provider.awareness.getStates().has(a.doc.clientID)).toBe(false);
  });
});
