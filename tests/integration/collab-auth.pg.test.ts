// Who may join a draft's room (sync-server/src/collab/SPEC.md CO1, CO2): refusals are closes with a
// typed reason before any byte of the document; a co-author removed mid-session is cut off at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { SESSION_COOKIE } from '@hearth/sync-server/auth/session-logic';
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
import * as Y from 'yjs';

let h: CollabHarness;
let owner: Author;
let coauthor: Author;
let stranger: Author;
const open: CollabClient[] = [];
const raws: RawSocket[] = [];

beforeAll(async () => {
  h = await startCollabHarness();
  owner = await h.author('Owner');
  coauthor = await h.author('Co');
  stranger = await h.author('Stranger');
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
  for (const raw of raws.splice(0)) raw.socket.terminate();
});
afterAll(async () => {
  await h?.close();
});

function raw(draftId: string, headers: { cookie?: string; origin?: string | null }): RawSocket {
  const socket = rawSocket(h.server.url, draftId, headers);
  raws.push(socket);
  return socket;
}

/** An update frame that would write `text` into the draft. */
function hostileUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  draftContent(doc).insert(0, [new Y.XmlText(text)]);
  return encodeUpdate(Y.encodeStateAsUpdate(doc));
}

async function storedText(draftId: string): Promise<string> {
  return draftXml(draftDocument(await readDraftState(txOf(h.pool), draftId)));
}

describe('collab admission', () => {
  it('[CO1] no session: closed with 4401 unauthenticated, nothing of the document sent', async () => {
    const draftId = await h.draft(owner);
    const socket = raw(draftId, {});
    expect(await socket.closed).toEqual(CollabClose.unauthenticated);
    expect(socket.received).toHaveLength(0);
  });

  it('[CO1] a forged or ended session is no session', async () => {
    const draftId = await h.draft(owner);
    const forged = raw(draftId, { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` });
    expect(await forged.closed).toEqual(CollabClose.unauthenticated);
    const ended = await h.author('Ended');
    await h.pool.query(
      'insert into draft_authors (id, draft_id, user_id, role) values (gen_random_uuid(), $1, $2, $3)',
      [draftId, ended.id, 'coauthor'],
    );
    await h.pool.query('update sessions set revoked_at = now() where user_id = $1', [ended.id]);
    expect(await raw(draftId, { cookie: ended.cookie }).closed).toEqual(CollabClose.unauthenticated);
  });

  it('[CO1] a signed-in user who is not an author: 4403 not_an_author, and their update never lands', async () => {
    const draftId = await h.draft(owner);
    const socket = raw(draftId, { cookie: stranger.cookie });
    await socket.opened;
    socket.socket.send(hostileUpdate('written by a stranger'));
    expect(await socket.closed).toEqual(CollabClose.notAnAuthor);
    expect(socket.received).toHaveLength(0);
    const client = collabClient(h.server.url, draftId, { cookie: owner.cookie });
    open.push(client);
    await client.synced;
    expect(client.text()).not.toContain('stranger');
    expect(await storedText(draftId)).not.toContain('stranger');
  });

  it('[CO1] another site opening the socket with your cookie: 4406 origin_refused', async () => {
    const draftId = await h.draft(owner);
    const evil = raw(draftId, { cookie: owner.cookie, origin: 'https://evil.example' });
    expect(await evil.closed).toEqual(CollabClose.originRefused);
    const none = raw(draftId, { cookie: owner.cookie, origin: null });
    expect(await none.closed).toEqual(CollabClose.originRefused);
  });

  it('[CO1] a path that names no draft: 4404 draft_not_found', async () => {
    expect(await raw('not-a-draft', { cookie: owner.cookie }).closed).toEqual(CollabClose.draftNotFound);
  });

  it('[CO1] y-websocket stops reconnecting after a refusal (the codes are terminal)', async () => {
    const draftId = await h.draft(owner);
    const client = collabClient(h.server.url, draftId, { cookie: stranger.cookie });
    open.push(client);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.provider.on('closed', (event: { code: number; reason: string }) => resolve(event)),
    );
    expect(await closed).toEqual(CollabClose.notAnAuthor);
    expect(client.provider.shouldConnect).toBe(false);
  });

  it('[CO2] a co-author removed mid-session is closed with 4403 and their later edits never land', async () => {
    const draftId = await h.draft(owner, [coauthor]);
    const o = collabClient(h.server.url, draftId, { cookie: owner.cookie });
    const c = collabClient(h.server.url, draftId, { cookie: coauthor.cookie });
    open.push(o, c);
    await Promise.all([o.synced, c.synced]);
    c.type('co-written. ');
    await o.until((text) => text.includes('co-written'));
    // The removal another engineer's removeCoAuthor mutation makes: the draft_authors row goes.
    await h.pool.query('delete from draft_authors where draft_id = $1 and user_id = $2', [
      draftId,
      coauthor.id,
    ]);
    expect(await c.closed).toEqual(CollabClose.notAnAuthor);
    c.type('after removal');
    o.type('owner goes on');
    // Reconnecting by hand is refused at the door too.
    const again = raw(draftId, { cookie: coauthor.cookie });
    await again.opened;
    again.socket.send(hostileUpdate('after removal, again'));
    expect(await again.closed).toEqual(CollabClose.notAnAuthor);
    const room = await h.server.collab.rooms.roomOf(draftId);
    await room!.flush();
    const stored = await storedText(draftId);
    expect(stored).toContain('co-written');
    expect(stored).toContain('owner goes on');
    expect(stored).not.toContain('after removal');
    expect(o.text()).not.toContain('after removal');
  });

  it('[CO2] deleting the draft closes every socket to it', async () => {
    const draftId = await h.draft(owner, [coauthor]);
    const o = collabClient(h.server.url, draftId, { cookie: owner.cookie });
    const c = collabClient(h.server.url, draftId, { cookie: coauthor.cookie });
    open.push(o, c);
    await Promise.all([o.synced, c.synced]);
    await h.pool.query('delete from drafts where id = $1', [draftId]);
    expect(await Promise.all([o.closed, c.closed])).toEqual([
      CollabClose.notAnAuthor,
      CollabClose.notAnAuthor,
    ]);
  });
});
