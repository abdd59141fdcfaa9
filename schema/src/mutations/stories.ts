// Publishing: the server reads the draft's Yjs document through the mutation's transaction, renders it
// from its structure (../stories/render) and sanitizes the result (the server's sanitizer, handed in
// as `ctx.services`), then writes the story, its authors, emotions, tags and a new version. Also story
// visibility and unpublishing. Rules ST15..ST19 in sync-server/src/stories/SPEC.md.
import { z } from 'zod';
import { readDraftState } from '../drafts/document';
import { ErrorCode } from '../errors';
import {
  storyAuthorId,
  storyEmotionId,
  storyIdOf,
  storyTagId,
  storyVersionId,
  tagIdOf,
} from '../stories/ids';
import { renderStory, summaryOf } from '../stories/render';
import { storyTreeOfState } from '../stories/tree';
import { storyVisibility, type DraftRow, type StoryRow } from '../tables/stories';
import { defineMutation, guess, reject, type LocalReader, type RowChange, type Tx } from './define';
import {
  requireAuthor,
  requireCommunityFor,
  requireDraft,
  requireMemberOf,
  requireOpen,
  requirePublishable,
  requireStoryAuthor,
} from './drafts-rules';
import { isActiveMember, readDraftStanding } from './drafts';
import { existingId } from './fields';
import type { MutationServices } from './services';

interface PublishFacts {
  draft: DraftRow;
  /** The story this draft already became, if any (its id may predate derived ids). */
  story: Pick<StoryRow, 'id' | 'current_version'> | null;
}

/** The rendered, sanitized content of a draft as it stands, read through `tx`. */
async function renderDraft(tx: Tx, draftId: string, services: MutationServices | undefined) {
  // The sanitizer is Node only and comes from the server (ST12): the browser bundle never holds it.
  if (!services) throw new Error('publishDraft runs on the server only: MutationContext.services is missing');
  const state = await readDraftState(tx, draftId);
  const { html, text } = renderStory(storyTreeOfState(state));
  return { html: services.sanitizeStoryHtml(html), text };
}

/** Authors in order: the owner first, then co-authors by when they joined. */
async function draftAuthorIds(tx: Tx, draftId: string): Promise<string[]> {
  const { rows } = await tx.query<{ user_id: string }>(
    `select user_id from draft_authors where draft_id = $1
     order by (role = 'owner') desc, created_at, user_id`,
    [draftId],
  );
  return rows.map((row) => row.user_id);
}

/** The story's tags become the draft's: each made on first use in `tags`, the others unlinked. */
async function syncStoryTags(tx: Tx, storyId: string, draftId: string): Promise<void> {
  const { rows: tags } = await tx.query<{ kind: string; slug: string; label: string }>(
    `select kind::text as kind, slug, label from draft_tags where draft_id = $1 order by kind, slug`,
    [draftId],
  );
  const tagIds: string[] = [];
  for (const tag of tags) {
    // Made on first use (ST16); a tag that exists keeps its id and label.
    await tx.query(
      `insert into tags (id, kind, slug, label) values ($1, $2, $3, $4) on conflict (kind, slug) do nothing`,
      [tagIdOf(tag.kind, tag.slug), tag.kind, tag.slug, tag.label],
    );
    const { rows } = await tx.query<{ id: string }>(`select id from tags where kind = $1 and slug = $2`, [
      tag.kind,
      tag.slug,
    ]);
    if (rows[0]) tagIds.push(rows[0].id);
  }
  await tx.query(`delete from story_tags where story_id = $1 and tag_id <> all($2::uuid[])`, [
    storyId,
    tagIds,
  ]);
  for (const tagId of tagIds)
    await tx.query(
      `insert into story_tags (id, story_id, tag_id) values ($1, $2, $3) on conflict (story_id, tag_id) do nothing`,
      [storyTagId(storyId, tagId), storyId, tagId],
    );
}

async function syncStoryEmotions(tx: Tx, storyId: string, draftId: string): Promise<void> {
  const { rows } = await tx.query<{ emotion_key: string }>(
    `select emotion_key from draft_emotions where draft_id = $1 order by emotion_key`,
    [draftId],
  );
  const keys = rows.map((row) => row.emotion_key);
  await tx.query(`delete from story_emotions where story_id = $1 and emotion_key <> all($2::text[])`, [
    storyId,
    keys,
  ]);
  for (const key of keys)
    await tx.query(
      `insert into story_emotions (id, story_id, emotion_key) values ($1, $2, $3)
       on conflict (story_id, emotion_key) do nothing`,
      [storyEmotionId(storyId, key), storyId, key],
    );
}

async function syncStoryAuthors(tx: Tx, storyId: string, draftId: string): Promise<void> {
  const authors = await draftAuthorIds(tx, draftId);
  await tx.query(`delete from story_authors where story_id = $1 and user_id <> all($2::uuid[])`, [
    storyId,
    authors,
  ]);
  for (const [position, userId] of authors.entries())
    await tx.query(
      `insert into story_authors (id, story_id, user_id, position) values ($1, $2, $3, $4)
       on conflict (story_id, user_id) do update set position = excluded.position`,
      [storyAuthorId(storyId, userId), storyId, userId, position],
    );
}

/**
 * [ST15] An author publishes an open draft with a title and text; [ST16] the first publish makes the
 * story and version 1; [ST17] a republish updates the story and appends the next version.
 */
export const publishDraft = defineMutation({
  name: 'publishDraft',
  args: z.strictObject({ draftId: existingId }),
  async authorize(tx, args, ctx): Promise<PublishFacts> {
    // The draft row lock serializes publishes of one draft, so versions never collide (ST17).
    const standing = await readDraftStanding(tx, args.draftId, ctx.userId);
    const draft = requireDraft(standing?.draft);
    requireAuthor(standing?.role);
    requireOpen(draft);
    requireCommunityFor(draft.visibility, draft.community_id);
    if (draft.visibility === 'community' && draft.community_id !== null)
      requireMemberOf(draft.community_id, await isActiveMember(tx, draft.community_id, ctx.userId));
    const { rows } = await tx.query<{ id: string; current_version: number }>(
      `select id, current_version from stories where draft_id = $1 for update`,
      [draft.id],
    );
    return { draft, story: rows[0] ?? null };
  },
  async apply(tx, _args, ctx, { draft, story }) {
    const { html, text } = await renderDraft(tx, draft.id, ctx.services);
    const title = requirePublishable(draft.title, text);
    const storyId = story?.id ?? storyIdOf(draft.id);
    const version = (story?.current_version ?? 0) + 1;
    const content = [
      draft.community_id,
      draft.visibility,
      title,
      summaryOf(text),
      html,
      text,
      draft.language,
      draft.content_warning,
      version,
      ctx.userId,
      ctx.now,
    ];
    if (story) {
      // Moderation status stays as moderators left it: a republish does not un-hide a story.
      await tx.query(
        `update stories set community_id = $2, visibility = $3, title = $4, summary = $5, content_html = $6,
           content_text = $7, language = $8, content_warning = $9, current_version = $10, published_by = $11,
           published_at = $12
         where id = $1`,
        [storyId, ...content],
      );
    } else {
      await tx.query(
        `insert into stories (id, draft_id, community_id, visibility, title, summary, content_html, content_text,
           language, content_warning, current_version, published_by, first_published_at, published_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
        [storyId, draft.id, ...content],
      );
    }
    await tx.query(
      `insert into story_versions (id, story_id, version, title, content_html, published_by, published_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [storyVersionId(storyId, version), storyId, version, title, html, ctx.userId, ctx.now],
    );
    await syncStoryAuthors(tx, storyId, draft.id);
    await syncStoryEmotions(tx, storyId, draft.id);
    await syncStoryTags(tx, storyId, draft.id);
  },
  // The text lives in the Yjs document, not in the replica: the server renders; no guess (ST19).
  optimistic: () => Promise.resolve([]),
});

interface StoryStanding {
  story: StoryRow;
  isAuthor: boolean;
}

async function readStoryStanding(tx: Tx, storyId: string, userId: string): Promise<StoryStanding | null> {
  const { rows } = await tx.query<StoryRow & { is_author: boolean }>(
    `select s.*, exists (select 1 from story_authors a where a.story_id = s.id and a.user_id = $2) as is_author
     from stories s where s.id = $1 for update of s`,
    [storyId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const { is_author, ...story } = row;
  return { story, isAuthor: is_author };
}

async function requireStoryStanding(tx: Tx, storyId: string, userId: string): Promise<StoryRow> {
  const standing = await readStoryStanding(tx, storyId, userId);
  if (!standing) return reject(ErrorCode.notFound, 'This story does not exist.');
  requireStoryAuthor(standing.isAuthor);
  return standing.story;
}

async function localStory(local: LocalReader, storyId: string, userId: string) {
  const story = await local.get('stories', storyId);
  const authors = await local.find('story_authors', { story_id: storyId, user_id: userId });
  return { story, isAuthor: authors.length > 0 };
}

/** [ST18] An author changes who may read a story; the draft follows, so a republish keeps it. */
export const setStoryVisibility = defineMutation({
  name: 'setStoryVisibility',
  args: z.strictObject({ storyId: existingId, visibility: z.enum(storyVisibility.values) }),
  async authorize(tx, args, ctx) {
    const story = await requireStoryStanding(tx, args.storyId, ctx.userId);
    requireCommunityFor(args.visibility, story.community_id);
    if (args.visibility === 'community' && story.community_id !== null)
      requireMemberOf(story.community_id, await isActiveMember(tx, story.community_id, ctx.userId));
    return story;
  },
  async apply(tx, args, ctx, story) {
    await tx.query(`update stories set visibility = $2 where id = $1`, [story.id, args.visibility]);
    await tx.query(`update drafts set visibility = $2, updated_at = $3 where id = $1`, [
      story.draft_id,
      args.visibility,
      ctx.now,
    ]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { story, isAuthor } = await localStory(local, args.storyId, ctx.userId);
      if (!story) return [];
      requireStoryAuthor(isAuthor);
      requireCommunityFor(args.visibility, story.community_id);
      const changes: RowChange[] = [
        { table: 'stories', op: 'upsert', row: { ...story, visibility: args.visibility } },
      ];
      const draft = await local.get('drafts', story.draft_id);
      if (draft)
        changes.push({
          table: 'drafts',
          op: 'upsert',
          row: { ...draft, visibility: args.visibility, updated_at: ctx.now.toISOString() },
        });
      return changes;
    }),
});

/**
 * [ST18] An author takes a story down: the story goes, with its versions, comments and reactions; the
 * draft stays, and publishing it again starts at version 1.
 */
export const unpublishStory = defineMutation({
  name: 'unpublishStory',
  args: z.strictObject({ storyId: existingId }),
  authorize: (tx, args, ctx) => requireStoryStanding(tx, args.storyId, ctx.userId),
  async apply(tx, _args, ctx, story) {
    await tx.query(`delete from stories where id = $1`, [story.id]);
    await tx.query(
      `insert into audit_log (actor_id, action, subject_table, subject_id, details, created_at)
       values ($1, 'story.unpublished', 'stories', $2, $3::jsonb, $4)`,
      [
        ctx.userId,
        story.id,
        JSON.stringify({ draftId: story.draft_id, version: story.current_version }),
        ctx.now,
      ],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { story, isAuthor } = await localStory(local, args.storyId, ctx.userId);
      if (!story) return [];
      requireStoryAuthor(isAuthor);
      return [{ table: 'stories', op: 'delete', row: story }];
    }),
});
