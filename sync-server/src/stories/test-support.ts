// TEST CODE ONLY: rows for the stories and conversation tests, written straight into a real database
// (the write path under test is the mutations; these are the world they act in), and a draft's Yjs
// document stored as the collab rooms store it (a snapshot, then the updates that came after it).
import type pg from 'pg';
import * as Y from 'yjs';
import { newId } from '@hearth/schema/ids';
import { draftAuthorId } from '@hearth/schema/stories/ids';
import { writeStoryTree, type StoryNode } from '@hearth/schema/stories/tree';
import { createTestUser, type TestUser } from '../writes/test-support/sessions';

type Db = Pick<pg.Pool, 'query'>;

export const text = (value: string, marks?: StoryNode['marks']): StoryNode =>
  marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };
export const paragraph = (...content: StoryNode[]): StoryNode => ({ type: 'paragraph', content });
export const docOf = (...content: StoryNode[]): StoryNode => ({ type: 'doc', content });

export async function insertCommunity(db: Db, createdBy: string, visibility = 'public'): Promise<string> {
  const id = newId();
  await db.query(
    `insert into communities (id, slug, name, visibility, join_policy, created_by) values ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      `c-${id}`,
      `Community ${id.slice(-4)}`,
      visibility,
      visibility === 'public' ? 'open' : 'approval',
      createdBy,
    ],
  );
  return id;
}

export async function addMember(
  db: Db,
  communityId: string,
  userId: string,
  role = 'member',
  status = 'active',
) {
  await db.query(
    `insert into memberships (id, community_id, user_id, role, status) values ($1, $2, $3, $4, $5)`,
    [newId(), communityId, userId, role, status],
  );
}

export async function block(db: Db, blockerId: string, blockedId: string): Promise<void> {
  await db.query(`insert into blocks (id, blocker_id, blocked_id) values ($1, $2, $3)`, [
    newId(),
    blockerId,
    blockedId,
  ]);
}

export async function insertDraft(
  db: Db,
  ownerId: string,
  fields: { title?: string; visibility?: string; communityId?: string | null; status?: string } = {},
): Promise<string> {
  const id = newId();
  await db.query(
    `insert into drafts (id, owner_id, community_id, title, visibility, status) values ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      ownerId,
      fields.communityId ?? null,
      fields.title ?? 'A draft',
      fields.visibility ?? 'public',
      fields.status ?? 'open',
    ],
  );
  await db.query(`insert into draft_authors (id, draft_id, user_id, role) values ($1, $2, $3, 'owner')`, [
    draftAuthorId(id, ownerId),
    id,
    ownerId,
  ]);
  return id;
}

export async function addCoAuthor(db: Db, draftId: string, userId: string, invitedBy: string): Promise<void> {
  await db.query(
    `insert into draft_authors (id, draft_id, user_id, role, invited_by) values ($1, $2, $3, 'coauthor', $4)`,
    [draftAuthorId(draftId, userId), draftId, userId, invitedBy],
  );
}

/**
 * Stores a Yjs document for a draft as the rooms do: `snapshot` compacted into draft_snapshots (through
 * the update ids stored so far), then each of `later` as one row of draft_updates, in order.
 */
export async function storeDraftDocument(
  db: Db,
  draftId: string,
  authorId: string,
  snapshot: StoryNode,
  later: readonly StoryNode[] = [],
): Promise<Y.Doc> {
  const doc = new Y.Doc();
  writeStoryTree(doc, snapshot);
  // An update stored before the snapshot, already folded into it: readers must skip it.
  const { rows } = await db.query<{ id: string }>(
    `insert into draft_updates (draft_id, author_id, update) values ($1, $2, $3) returning id`,
    [draftId, authorId, Buffer.from(Y.encodeStateAsUpdate(doc))],
  );
  await db.query(
    `insert into draft_snapshots (draft_id, state, through_update_id) values ($1, $2, $3)
     on conflict (draft_id) do update set state = excluded.state, through_update_id = excluded.through_update_id`,
    [draftId, Buffer.from(Y.encodeStateAsUpdate(doc)), rows[0]?.id],
  );
  for (const tree of later) {
    const before = Y.encodeStateVector(doc);
    writeStoryTree(doc, tree);
    await db.query(`insert into draft_updates (draft_id, author_id, update) values ($1, $2, $3)`, [
      draftId,
      authorId,
      Buffer.from(Y.encodeStateAsUpdate(doc, before)),
    ]);
  }
  return doc;
}

export async function insertEvent(
  db: Db,
  communityId: string,
  createdBy: string,
  visibility = 'public',
): Promise<string> {
  const id = newId();
  await db.query(
    `insert into events (id, community_id, created_by, title, visibility, starts_at, ends_at, time_zone)
     values ($1, $2, $3, 'An evening', $4, now() + interval '1 day', now() + interval '1 day 2 hours', 'UTC')`,
    [id, communityId, createdBy, visibility],
  );
  await db.query(`insert into event_hosts (id, event_id, user_id, role) values ($1, $2, $3, 'host')`, [
    newId(),
    id,
    createdBy,
  ]);
  return id;
}

export async function addHost(db: Db, eventId: string, userId: string, role: string): Promise<void> {
  await db.query(`insert into event_hosts (id, event_id, user_id, role) values ($1, $2, $3, $4)`, [
    newId(),
    eventId,
    userId,
    role,
  ]);
}

export async function addRsvp(db: Db, eventId: string, userId: string): Promise<void> {
  await db.query(`insert into rsvps (id, event_id, user_id, status) values ($1, $2, $3, 'going')`, [
    newId(),
    eventId,
    userId,
  ]);
}

/** A published story (straight into the tables), with its authors. */
export async function insertStory(
  db: Db,
  authorIds: readonly string[],
  fields: { visibility?: string; communityId?: string | null; status?: string } = {},
): Promise<string> {
  const [publisher] = authorIds;
  if (!publisher) throw new Error('a story needs an author');
  const draftId = await insertDraft(db, publisher, {
    visibility: fields.visibility ?? 'public',
    communityId: fields.communityId ?? null,
  });
  const id = newId();
  await db.query(
    `insert into stories (id, draft_id, community_id, visibility, status, title, content_html, content_text, language,
       current_version, published_by)
     values ($1, $2, $3, $4, $5, 'A story', '<p>Once</p>', 'Once', 'en', 1, $6)`,
    [
      id,
      draftId,
      fields.communityId ?? null,
      fields.visibility ?? 'public',
      fields.status ?? 'published',
      publisher,
    ],
  );
  for (const [position, userId] of authorIds.entries())
    await db.query(`insert into story_authors (id, story_id, user_id, position) values ($1, $2, $3, $4)`, [
      newId(),
      id,
      userId,
      position,
    ]);
  return id;
}

export async function users(
  db: Db,
  n: number,
  siteRole: 'member' | 'moderator' = 'member',
): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => createTestUser(db, { siteRole })));
}
