// TEST CODE ONLY: the room store contract (SPEC.md CO9, CO12), run against every implementation
// (memory-store.test.ts, pg-store.pg.test.ts) as tldraw runs its storage contract suite.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { draftContent, draftDocument, draftXml } from '@hearth/schema/drafts/document';
import type { RoomStore, StoredUpdate } from './store';

export interface StoreFixture {
  readonly store: RoomStore;
  /** A draft the store may hold updates for (a row in `drafts` for Postgres). */
  newDraft(): Promise<string>;
  /** An author id the store accepts. */
  readonly authorId: string;
}

/** A document edited by two clients in turns, and every update it produced, in order. */
export function editingSession(turns: number): { updates: Uint8Array[]; final: Y.Doc } {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const updates: Uint8Array[] = [];
  a.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'sync') {
      updates.push(u);
      Y.applyUpdate(b, u, 'sync');
    }
  });
  b.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'sync') {
      updates.push(u);
      Y.applyUpdate(a, u, 'sync');
    }
  });
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  draftContent(a).insert(0, [paragraph]);
  const textB = (draftContent(b).get(0) as Y.XmlElement).get(0) as Y.XmlText;
  for (let i = 0; i < turns; i++) {
    text.insert(text.length, `a${i} `);
    textB.insert(0, `b${i} `);
    if (i % 5 === 4) text.delete(0, 3);
  }
  b.destroy();
  return { updates, final: a };
}

function expectSameDocument(state: Uint8Array, expected: Y.Doc): void {
  const doc = draftDocument(state);
  expect(draftXml(doc)).toBe(draftXml(expected));
  expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(expected));
}

export function roomStoreContract(name: string, fixture: () => Promise<StoreFixture>): void {
  describe(`room store contract: ${name}`, () => {
    const stored = (f: StoreFixture, updates: Uint8Array[]): StoredUpdate[] =>
      updates.map((update) => ({ update, authorId: f.authorId }));

    it('[CO12] a draft with nothing stored loads as the empty document', async () => {
      const f = await fixture();
      const loaded = await f.store.load(await f.newDraft());
      expect(draftContent(draftDocument(loaded.state)).length).toBe(0);
      expect(loaded.uncompactedUpdates).toBe(0);
    });

    it('[CO12] appended updates load back as the document they make, counted as uncompacted', async () => {
      const f = await fixture();
      const draftId = await f.newDraft();
      const { updates, final } = editingSession(20);
      await f.store.append(draftId, stored(f, updates.slice(0, 10)));
      await f.store.append(draftId, stored(f, updates.slice(10)));
      const loaded = await f.store.load(draftId);
      expectSameDocument(loaded.state, final);
      expect(loaded.uncompactedUpdates).toBe(updates.length);
      expect(loaded.uncompactedBytes).toBe(updates.reduce((sum, u) => sum + u.byteLength, 0));
    });

    it('[CO9] compaction folds every update into the snapshot and the document stays equal', async () => {
      const f = await fixture();
      const draftId = await f.newDraft();
      const { updates, final } = editingSession(50);
      await f.store.append(draftId, stored(f, updates));
      const before = await f.store.load(draftId);
      const result = await f.store.compact(draftId);
      expect(result.folded).toBe(updates.length);
      const after = await f.store.load(draftId);
      expectSameDocument(before.state, final);
      expectSameDocument(after.state, final);
      expect(after.uncompactedUpdates).toBe(0);
      // Nothing left to fold: a second compaction is a no-op.
      expect((await f.store.compact(draftId)).folded).toBe(0);
    });

    it('[CO9] updates stored after a compaction are kept on top of its snapshot', async () => {
      const f = await fixture();
      const draftId = await f.newDraft();
      const { updates, final } = editingSession(30);
      await f.store.append(draftId, stored(f, updates.slice(0, 40)));
      await f.store.compact(draftId);
      await f.store.append(draftId, stored(f, updates.slice(40)));
      const loaded = await f.store.load(draftId);
      expectSameDocument(loaded.state, final);
      expect(loaded.uncompactedUpdates).toBe(updates.length - 40);
      await f.store.compact(draftId);
      expectSameDocument((await f.store.load(draftId)).state, final);
    });
  });
}
