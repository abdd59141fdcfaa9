// Bad input on the collab socket (sync-server/src/collab/SPEC.md CO5, CO6): random bytes, truncated
// frames, text frames and oversized frames close THAT socket with a typed reason; the room's document
// and its other clients carry on untouched.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { draftContent, draftDocument, readDraftState, draftXml } from '@hearth/schema/drafts/document';
import { encodeUpdate } from '@hearth/sync-server/collab/messages';
import { txOf } from '@hearth/sync-server/collab/pg-store';
import {
  collabClient,
  rawSocket,
  type CollabClient,
  type RawSocket,
} from '@hearth/sync-server/collab/test-support/clients';
import {
  startCollabHarness,
  type Author,
  type CollabHarness,
} from '@hearth/sync-server/collab/test-support/harness';

const LIMIT = 64 * 1024;

let h: CollabHarness;
let owner: Author;
let coauthor: Author;
const open: CollabClient[] = [];
const raws: RawSocket[] = [];

beforeAll(async () => {
  h = await startCollabHarness({ maxMessageBytes: LIMIT });
  owner = await h.author('Owner');
  coauthor = await h.author('Co');
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
  for (const raw of raws.splice(0)) raw.socket.terminate();
});
afterAll(async () => {
  await h?.close();
});

/** A draft with text in it, an owner's client in its room, and a co-author's raw socket admitted. */
async function roomWithIntruder(): Promise<{
  draftId: string;
  owner: CollabClient;
  socket: RawSocket;
  before: string;
}> {
  const draftId = await h.draft(owner, [coauthor]);
  const client = collabClient(h.server.url, draftId, { cookie: owner.cookie });
  open.push(client);
  await client.synced;
  client.type('the text that must survive');
  const socket = rawSocket(h.server.url, draftId, { cookie: coauthor.cookie });
  raws.push(socket);
  // Admitted: the server opened the sync with its step 1 (and it is after the owner's update).
  await socket.receive((frame) => frame[0] === 0 && frame[1] === 0);
  return { draftId, owner: client, socket, before: client.text() };
}

async function expectIntact(draftId: string, client: CollabClient, before: string): Promise<void> {
  // The room goes on: the owner still edits, and the stored document is the owner's.
  client.type(' and more');
  const room = await h.server.collab.rooms.roomOf(draftId);
  expect(room).toBeDefined();
  await new Promise<void>((resolve) => {
    const check = () => draftXml(room!.doc).includes('and more') && resolve();
    room!.doc.on('update', check);
    check();
  });
  await room!.flush();
  const stored = draftXml(draftDocument(await readDraftState(txOf(h.pool), draftId)));
  expect(stored).toBe(client.text());
  expect(stored.startsWith(before.slice(0, -'</paragraph>'.length))).toBe(true);
}

function updateFrame(text: string): Uint8Array {
  const doc = new Y.Doc();
  draftContent(doc).insert(0, [new Y.XmlText(text)]);
  return encodeUpdate(Y.encodeStateAsUpdate(doc));
}

describe('collab bad input', () => {
  it('[CO5] random bytes close that socket with 4400 malformed_message; the document is intact', async () => {
    const { draftId, owner: client, socket, before } = await roomWithIntruder();
    socket.socket.send(Buffer.from([0, 2, 0xff, 0xfe, 0x13, 0x37, 0x42, 0x99, 0x01, 0x00, 0x7f]));
    expect(await socket.closed).toEqual(CollabClose.malformedMessage);
    await expectIntact(draftId, client, before);
  });

  it('[CO5] a truncated update closes that socket and nothing of it lands', async () => {
    const { draftId, owner: client, socket, before } = await roomWithIntruder();
    const frame = updateFrame('half an update');
    socket.socket.send(frame.subarray(0, Math.floor(frame.length / 2)));
    expect(await socket.closed).toEqual(CollabClose.malformedMessage);
    await expectIntact(draftId, client, before);
    expect(client.text()).not.toContain('half');
  });

  it('[CO5] a text frame, an unknown message type and trailing bytes are malformed too', async () => {
    for (const bad of ['hello', Buffer.from([9, 9, 9]), Buffer.from([...updateFrame('x'), 0])]) {
      const { draftId, owner: client, socket, before } = await roomWithIntruder();
      socket.socket.send(bad, { binary: typeof bad !== 'string' });
      expect(await socket.closed).toEqual(CollabClose.malformedMessage);
      await expectIntact(draftId, client, before);
    }
  });

  it('[CO6] a frame over the limit closes that socket with 4413 message_too_large; far over it, 1009', async () => {
    const { draftId, owner: client, socket, before } = await roomWithIntruder();
    socket.socket.send(updateFrame('y'.repeat(LIMIT + 1)));
    expect(await socket.closed).toEqual(CollabClose.messageTooLarge);
    await expectIntact(draftId, client, before);
    const second = await roomWithIntruder();
    second.socket.socket.send(Buffer.alloc(LIMIT * 4 + 1));
    expect((await second.socket.closed).code).toBe(1009);
    await expectIntact(second.draftId, second.owner, second.before);
  });

  it("[CO7] a client cannot change or remove another client's presence", async () => {
    const { draftId, owner: client, socket } = await roomWithIntruder();
    client.provider.awareness.setLocalState({ cursor: { anchor: 0, head: 0 } });
    const id = client.doc.clientID;
    // Wait until the server holds the owner's cursor (it sends presence to every client, the raw one too).
    await socket.receive((frame) => frame[0] === 1 && Buffer.from(frame).includes('cursor'));
    const { encodeAwareness, encodeAwarenessEntries } = await import('@hearth/sync-server/collab/messages');
    socket.socket.send(
      encodeAwareness(encodeAwarenessEntries([{ clientId: id, clock: 1_000, state: null }])),
    );
    socket.socket.send(updateFrame('proof the socket is still served'));
    await client.until((text) => text.includes('proof the socket'));
    const room = await h.server.collab.rooms.roomOf(draftId);
    expect(room!.awareness.getStates().get(id)).toMatchObject({
      user: { name: 'Owner' },
      cursor: { anchor: 0 },
    });
  });
});
