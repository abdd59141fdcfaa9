import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDraftState, draftDocument, draftXml } from '@hearth/schema/drafts/document';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { addAuthor, addDraft, type Author } from './test-support/harness';
import { PostgresRoomStore, txOf } from './pg-store';
import { editingSession, roomStoreContract } from './store-contract';

let db: FreshDatabase;
let owner: Author;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  owner = await addAuthor(db.pool, 'Owner');
});
afterAll(async () => {
  await db?.drop();
});

roomStoreContract('postgres', () =>
  Promise.resolve({
    store: new PostgresRoomStore(db.pool),
    newDraft: () => addDraft(db.pool, owner),
    authorId: owner.id,
  }),
);

describe('postgres room store', () => {
  it('[CO11] readDraftState reads snapshot + later updates as one document, through a Tx', async () => {
    const store = new PostgresRoomStore(db.pool);
    const draftId = await addDraft(db.pool, owner);
    const { updates, final } = editingSession(10);
    await store.append(
      draftId,
      updates.slice(0, 15).map((update) => ({ update, authorId: owner.id })),
    );
    await store.compact(draftId);
    await store.append(
      draftId,
      updates.slice(15).map((update) => ({ update, authorId: owner.id })),
    );
    const state = await readDraftState(txOf(db.pool), draftId);
    expect(draftXml(draftDocument(state))).toBe(draftXml(final));
  });

  it('[CO8] stored updates keep their author; one erased meanwhile is stored as null, not refused', async () => {
    const store = new PostgresRoomStore(db.pool);
    const draftId = await addDraft(db.pool, owner);
    const { updates } = editingSession(1);
    const gone = '01900000-0000-7000-8000-000000000000';
    await store.append(draftId, [
      { update: updates[0]!, authorId: owner.id },
      { update: updates[1]!, authorId: gone },
    ]);
    const { rows } = await db.pool.query<{ author_id: string | null }>(
      'select author_id from draft_updates where draft_id = $1 order by id',
      [draftId],
    );
    expect(rows.map((r) => r.author_id)).toEqual([owner.id, null]);
  });

  it('[CO9] compaction deletes the folded updates and records how far the snapshot reaches', async () => {
    const store = new PostgresRoomStore(db.pool);
    const draftId = await addDraft(db.pool, owner);
    const { updates } = editingSession(5);
    await store.append(
      draftId,
      updates.map((update) => ({ update, authorId: owner.id })),
    );
    const { rows: before } = await db.pool.query<{ max: string }>(
      'select max(id)::text as max from draft_updates where draft_id = $1',
      [draftId],
    );
    await store.compact(draftId);
    const { rows: left } = await db.pool.query('select 1 from draft_updates where draft_id = $1', [draftId]);
    const { rows: snap } = await db.pool.query<{ through: string }>(
      'select through_update_id::text as through from draft_snapshots where draft_id = $1',
      [draftId],
    );
    expect(left).toHaveLength(0);
    expect(snap[0]?.through).toBe(before[0]?.max);
  });
});
