// CO13: a session that ends while its sockets are open (signed out here or everywhere, revoked, expired,
// the account deleted) closes them with 4419 `session_revoked`; the person's later edits never land,
// and their other sessions' sockets (another device) go on.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { draftDocument, draftXml, readDraftState } from '@hearth/schema/drafts/document';
import { SESSION_COOKIE, tokenHash } from '../auth/session-logic';
import { txOf } from './pg-store';
import { collabClient, type CollabClient } from './test-support/clients';
import { startCollabHarness, type Author, type CollabHarness } from './test-support/harness';

let h: CollabHarness;
const open: CollabClient[] = [];

beforeAll(async () => {
  h = await startCollabHarness();
});
afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});
afterAll(async () => {
  await h?.close();
});

/** Another device of the same person: a second session row, its own cookie. */
async function anotherDevice(author: Author, expiresIn = "interval '1 day'"): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await h.pool.query(
    `insert into sessions (id, user_id, token_hash, expires_at) values ($1, $2, $3, now() + ${expiresIn})`,
    [uuidv7(), author.id, tokenHash(token)],
  );
  return `${SESSION_COOKIE}=${token}`;
}

function client(draftId: string, cookie: string): CollabClient {
  const c = collabClient(h.server.url, draftId, { cookie });
  open.push(c);
  return c;
}

async function post(path: string, cookie: string): Promise<number> {
  const response = await fetch(h.server.url + path, {
    method: 'POST',
    headers: { cookie, origin: h.server.url },
  });
  return response.status;
}

async function storedText(draftId: string): Promise<string> {
  return draftXml(draftDocument(await readDraftState(txOf(h.pool), draftId)));
}

/** The stored draft once it contains `text` (re-read after every store of the rooms). */
async function storedWith(draftId: string, text: string): Promise<string> {
  for (;;) {
    const next = once(h.server.collab.events, 'stored');
    const stored = await storedText(draftId);
    if (stored.includes(text)) return stored;
    await next;
  }
}

describe('collab sockets end with their session', () => {
  it('[CO13] signing out on this device closes its sockets with 4419; the other device goes on', async () => {
    const owner = await h.author('Owner');
    const laptop = owner.cookie;
    const phone = await anotherDevice(owner);
    const draftId = await h.draft(owner);
    const onLaptop = client(draftId, laptop);
    const onPhone = client(draftId, phone);
    await Promise.all([onLaptop.synced, onPhone.synced]);

    expect(await post('/api/auth/signout', laptop)).toBe(204);
    expect(await onLaptop.closed).toEqual(CollabClose.sessionRevoked);
    // 44xx is terminal: y-websocket does not knock again with the dead cookie.
    expect(onLaptop.provider.shouldConnect).toBe(false);

    onLaptop.type('typed after signing out. ');
    onPhone.type('typed on the phone. ');
    expect(await storedWith(draftId, 'typed on the phone')).not.toContain('after signing out');
  });

  it('[CO13] signing out of all devices closes every socket of that person, not the co-author’s', async () => {
    const owner = await h.author('Owner');
    const coauthor = await h.author('Co');
    const phone = await anotherDevice(owner);
    const draftId = await h.draft(owner, [coauthor]);
    const otherDraft = await h.draft(owner);
    const sockets = [client(draftId, owner.cookie), client(draftId, phone), client(otherDraft, phone)];
    const co = client(draftId, coauthor.cookie);
    await Promise.all([...sockets, co].map((c) => c.synced));

    expect(await post('/api/auth/signout-all', owner.cookie)).toBe(200);
    expect(await Promise.all(sockets.map((c) => c.closed))).toEqual(
      sockets.map(() => CollabClose.sessionRevoked),
    );
    co.type('the co-author writes on. ');
    await storedWith(draftId, 'the co-author writes on');
    expect(co.provider.wsconnected).toBe(true);
  });

  it('[CO13] a session revoked or deleted in the database, or its account deleted, closes its sockets', async () => {
    const revoked = await h.author('Revoked');
    const deleted = await h.author('Deleted');
    const erased = await h.author('Erased');
    const draftId = await h.draft(revoked, [deleted, erased]);
    const [a, b, c] = [
      client(draftId, revoked.cookie),
      client(draftId, deleted.cookie),
      client(draftId, erased.cookie),
    ];
    await Promise.all([a.synced, b.synced, c.synced]);

    await h.pool.query('update sessions set revoked_at = now() where user_id = $1', [revoked.id]);
    expect(await a.closed).toEqual(CollabClose.sessionRevoked);
    await h.pool.query('delete from sessions where user_id = $1', [deleted.id]);
    expect(await b.closed).toEqual(CollabClose.sessionRevoked);
    await h.pool.query('update users set deleted_at = now() where id = $1', [erased.id]);
    expect(await c.closed).toEqual(CollabClose.sessionRevoked);
  });

  it('[CO13] a session that expires while connected closes its sockets when its expiry comes', async () => {
    const owner = await h.author('Owner');
    const shortLived = await anotherDevice(owner, "interval '1500 milliseconds'");
    const draftId = await h.draft(owner);
    const expiring = client(draftId, shortLived);
    const lasting = client(draftId, owner.cookie);
    await Promise.all([expiring.synced, lasting.synced]);
    expect(await expiring.closed).toEqual(CollabClose.sessionRevoked);
    lasting.type('still here. ');
    await storedWith(draftId, 'still here');
  });

  it('[CO13] after the watch connection comes back, a sign-out missed meanwhile is still found', async () => {
    const owner = await h.author('Owner');
    const draftId = await h.draft(owner);
    const c = client(draftId, owner.cookie);
    await c.synced;
    // Cut the LISTEN connection and revoke before it is back: the NOTIFY reaches no one.
    await h.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query like 'LISTEN%'`,
    );
    await h.pool.query('update sessions set revoked_at = now() where user_id = $1', [owner.id]);
    expect(await c.closed).toEqual(CollabClose.sessionRevoked);
  });
});
