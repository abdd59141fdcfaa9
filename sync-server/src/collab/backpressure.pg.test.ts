// CO14: a client that stops reading does not make the server buffer without limit. Past `tooSlowBytes`
// buffered for it, its socket closes with 4508 `too_slow` (not terminal): its provider reconnects and
// resyncs from its state vector, so it ends with the whole document; the room and the others go on.
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { draftDocument, draftXml, readDraftState } from '@hearth/schema/drafts/document';
import type { ServerClose } from './routes';
import { txOf } from './pg-store';
import { collabClient, type CollabClient } from './test-support/clients';
import { startCollabHarness, type CollabHarness } from './test-support/harness';

const KiB = 1024;
let h: CollabHarness;
const open: CollabClient[] = [];

beforeAll(async () => {
  h = await startCollabHarness({
    slowClientBytes: 64 * KiB,
    tooSlowBytes: 256 * KiB,
    // Compaction is not what this test is about: keep it out of the way of the large updates.
    compactAfterBytes: 1024 * 1024 * 1024,
    compactAfterUpdates: 1_000_000,
  });
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(async () => {
  await h?.close();
});

function client(draftId: string, cookie: string): CollabClient {
  const c = collabClient(h.server.url, draftId, { cookie });
  open.push(c);
  return c;
}

describe('collab backpressure', () => {
  it('[CO14] a client that never reads is closed with 4508 too_slow; the others and the document are intact', async () => {
    const owner = await h.author('Writer');
    const watcher = await h.author('Watcher');
    const stalled = await h.author('Stalled');
    const draftId = await h.draft(owner, [watcher, stalled]);
    const writer = client(draftId, owner.cookie);
    const reader = client(draftId, watcher.cookie);
    const slow = client(draftId, stalled.cookie);
    await Promise.all([writer.synced, reader.synced, slow.synced]);

    // The stalled client stops reading its socket: the server's buffer for it can only grow.
    const slowSocket = slow.provider.ws as unknown as WebSocket;
    slowSocket.pause();
    const tooSlow = new Promise<ServerClose>((resolve) => {
      const onClose = (close: ServerClose) => {
        if (close.userId !== stalled.id) return;
        h.server.collab.closes.off('closed', onClose);
        resolve(close);
      };
      h.server.collab.closes.on('closed', onClose);
    });
    let closedForSlowness: ServerClose | undefined;
    void tooSlow.then((close) => (closedForSlowness = close));

    // Type in 128 KiB pieces, each stored before the next, until the server gives up on the stalled one
    // (the kernel's socket buffers take a few MiB before anything stays in the server's own).
    let pieces = 0;
    while (closedForSlowness === undefined) {
      const stored = once(h.server.collab.events, 'stored');
      writer.type(`piece ${pieces++} ${'x'.repeat(128 * KiB)} `);
      await Promise.race([stored, tooSlow]);
    }
    expect(closedForSlowness.reason).toEqual(CollabClose.tooSlow);
    writer.type('the end.');

    // The stalled client reads again: it gets the close, reconnects (not terminal) and catches up.
    const closed = slow.closed;
    slowSocket.resume();
    expect(await closed).toEqual(CollabClose.tooSlow);
    const whole = await reader.until((text) => text.includes('the end.'));
    expect(whole).toBe(writer.text());
    expect(await slow.until((text) => text.includes('the end.'))).toBe(writer.text());
    expect(reader.provider.wsconnected).toBe(true);

    const room = await h.server.collab.rooms.roomOf(draftId);
    await room!.flush();
    expect(draftXml(draftDocument(await readDraftState(txOf(h.pool), draftId)))).toBe(writer.text());
  });
});
