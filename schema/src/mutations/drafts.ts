// Draft mutations: create, update the structured part (title, community, language, visibility, content
// warning, emotions, free tags), invite and remove co-authors, archive. The text is a Yjs document
// (sync-server/src/collab); publishing is in ./stories. The server locks the draft row (FOR UPDATE)
// before deciding, so author changes and publishes on one draft run one at a time. Rules ST* in
// sync-server/src/stories/SPEC.md; the decisions live in ./drafts-rules.
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { draftEmotionId, draftAuthorId, draftTagId } from '../stories/ids';
import { TAG_LABEL_MAX, tagSlug, type NormalTag } from '../stories/tags';
import { storyVisibility, tagKind, type DraftRow } from '../tables/stories';
import {
  defineMutation,
  guess,
  reject,
  type LocalReader,
  type MutationContext,
  type RowChange,
  type Tx,
} from './define';
import {
  normalTags,
  requireAuthor,
  requireCommunityFor,
  requireDraft,
  requireInvitable,
  requireKnownEmotions,
  requireMemberOf,
  requireOpen,
  requireOwner,
  requireRemovable,
  resolveTags,
  type AuthorRole,
} from './drafts-rules';
import { existingId, line, locale, newId, prose } from './fields';

const visibility = z.enum(storyVisibility.values);

export const DRAFT_EMOTIONS_MAX = 8;
export const DRAFT_TAGS_MAX = 20;

const emotionKey = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z_]+$/u, 'an emotion is a key of the vocabulary, such as "joy" or "nostalgia"');

const freeTag = z.strictObject({
  kind: z.enum(tagKind.values),
  label: line(TAG_LABEL_MAX).refine((label) => tagSlug(label) !== '', 'a tag needs a letter or a digit'),
});

/** Server-side: the draft row (locked) and the caller's role on it. */
export interface DraftStanding {
  draft: DraftRow;
  role: AuthorRole | null;
}

export async function readDraftStanding(
  tx: Tx,
  draftId: string,
  userId: string,
): Promise<DraftStanding | null> {
  const { rows } = await tx.query<DraftRow & { author_role: AuthorRole | null }>(
    `select d.*, a.role as author_role
     from drafts d left join draft_authors a on a.draft_id = d.id and a.user_id = $2
     where d.id = $1
     for update of d`,
    [draftId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const { author_role, ...draft } = row;
  return { draft, role: author_role };
}

export async function isActiveMember(tx: Tx, communityId: string, userId: string): Promise<boolean> {
  const { rows } = await tx.query(
    `select 1 from memberships where community_id = $1 and user_id = $2 and status = 'active'`,
    [communityId, userId],
  );
  return rows.length > 0;
}

/** The existing tag each one names, if any (ST11 resolveTags). */
async function existingTags(
  tx: Tx,
  tags: readonly NormalTag[],
): Promise<Map<NormalTag, NormalTag | undefined>> {
  const found = new Map<NormalTag, NormalTag | undefined>();
  for (const tag of tags) {
    const { rows } = await tx.query<NormalTag>(
      `select kind::text as kind, slug, label from tags
       where kind = $1 and (slug = $2 or lower(label) = lower($3))
       order by (slug = $2) desc, created_at, id limit 1`,
      [tag.kind, tag.slug, tag.label],
    );
    found.set(tag, rows[0]);
  }
  return found;
}

async function localExistingTags(
  local: LocalReader,
  tags: readonly NormalTag[],
): Promise<Map<NormalTag, NormalTag | undefined>> {
  const found = new Map<NormalTag, NormalTag | undefined>();
  for (const tag of tags) {
    const [match] = [
      ...(await local.find('tags', { kind: tag.kind, slug: tag.slug })),
      ...(await local.find('tags', { kind: tag.kind })).filter(
        (row) => row.label.toLowerCase() === tag.label.toLowerCase(),
      ),
    ];
    found.set(tag, match && { kind: match.kind, slug: match.slug, label: match.label });
  }
  return found;
}

async function knownEmotions(tx: Tx, keys: readonly string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ key: string }>(`select key from emotions where key = any($1::text[])`, [
    [...keys],
  ]);
  return new Set(rows.map((row) => row.key));
}

/** Replica-side: the draft and the caller's role, as far as the replica knows. */
async function localStanding(local: LocalReader, draftId: string, userId: string) {
  const draft = await local.get('drafts', draftId);
  const [author] = await local.find('draft_authors', { draft_id: draftId, user_id: userId });
  return { draft, role: author?.role ?? null };
}

async function localIsActiveMember(local: LocalReader, communityId: string, userId: string) {
  const rows = await local.find('memberships', {
    community_id: communityId,
    user_id: userId,
    status: 'active',
  });
  return rows.length > 0;
}

async function localKnownEmotions(local: LocalReader, keys: readonly string[]): Promise<Set<string>> {
  const found = await Promise.all(keys.map((key) => local.get('emotions', key)));
  return new Set(found.filter((row) => row !== undefined).map((row) => row.key));
}

/** [ST10] Anyone signed in starts a draft and owns it (its first `draft_authors` row). */
export const createDraft = defineMutation({
  name: 'createDraft',
  args: z.strictObject({
    draftId: newId,
    title: line(200).optional(),
    communityId: existingId.optional(),
    language: locale.optional(),
    visibility: visibility.optional(),
  }),
  async authorize(tx, args, ctx) {
    const communityId = args.communityId ?? null;
    requireCommunityFor(args.visibility ?? 'public', communityId);
    if (communityId !== null) requireMemberOf(communityId, await isActiveMember(tx, communityId, ctx.userId));
  },
  async apply(tx, args, ctx) {
    const inserted = await tx.query(
      `insert into drafts (id, owner_id, community_id, title, language, visibility, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7)
       on conflict (id) do nothing returning id`,
      [
        args.draftId,
        ctx.userId,
        args.communityId ?? null,
        args.title ?? '',
        args.language ?? 'en',
        args.visibility ?? 'public',
        ctx.now,
      ],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'draftId: this draft id is already used.');
    await tx.query(
      `insert into draft_authors (id, draft_id, user_id, role, invited_by, created_at)
       values ($1, $2, $3, 'owner', null, $4)`,
      [draftAuthorId(args.draftId, ctx.userId), args.draftId, ctx.userId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const communityId = args.communityId ?? null;
      requireCommunityFor(args.visibility ?? 'public', communityId);
      if (communityId !== null)
        requireMemberOf(communityId, await localIsActiveMember(local, communityId, ctx.userId));
      const now = ctx.now.toISOString();
      return [
        {
          table: 'drafts',
          op: 'upsert',
          row: {
            id: args.draftId,
            owner_id: ctx.userId,
            community_id: communityId,
            title: args.title ?? '',
            language: args.language ?? 'en',
            visibility: args.visibility ?? 'public',
            content_warning: null,
            status: 'open',
            created_at: now,
            updated_at: now,
          },
        },
        {
          table: 'draft_authors',
          op: 'upsert',
          row: {
            id: draftAuthorId(args.draftId, ctx.userId),
            draft_id: args.draftId,
            user_id: ctx.userId,
            role: 'owner',
            invited_by: null,
            created_at: now,
          },
        },
      ];
    }),
});

const updateArgs = z
  .strictObject({
    draftId: existingId,
    /** An empty title is allowed while writing; publishing needs one. */
    title: prose(200)
      .refine((value) => !/[\n\r\t]/u.test(value), 'must be one line')
      .overwrite((value) => value.trim())
      .optional(),
    /** null: the draft belongs to no community. */
    communityId: existingId.nullable().optional(),
    language: locale.optional(),
    visibility: visibility.optional(),
    /** null: no content warning. */
    contentWarning: line(200).nullable().optional(),
    /** Replaces the draft's emotions. */
    emotions: z.array(emotionKey).max(DRAFT_EMOTIONS_MAX).optional(),
    /** Replaces the draft's free tags. */
    tags: z.array(freeTag).max(DRAFT_TAGS_MAX).optional(),
  })
  .refine(
    ({ draftId: _, ...fields }) => Object.values(fields).some((value) => value !== undefined),
    'give at least one of title, communityId, language, visibility, contentWarning, emotions, tags',
  );
type UpdateArgs = z.output<typeof updateArgs>;

/** The draft row after the update: what is not given stays. */
function updatedDraft(draft: DraftRow, args: UpdateArgs, ctx: MutationContext): DraftRow {
  return {
    ...draft,
    title: args.title ?? draft.title,
    community_id: args.communityId === undefined ? draft.community_id : args.communityId,
    language: args.language ?? draft.language,
    visibility: args.visibility ?? draft.visibility,
    content_warning: args.contentWarning === undefined ? draft.content_warning : args.contentWarning,
    updated_at: ctx.now.toISOString(),
  };
}

interface UpdateFacts {
  next: DraftRow;
  emotions: string[] | undefined;
  tags: NormalTag[] | undefined;
}

/** [ST11] Any author edits the structured part of an open draft. */
export const updateDraft = defineMutation({
  name: 'updateDraft',
  args: updateArgs,
  async authorize(tx, args, ctx): Promise<UpdateFacts> {
    const standing = await readDraftStanding(tx, args.draftId, ctx.userId);
    const draft = requireDraft(standing?.draft);
    requireAuthor(standing?.role);
    requireOpen(draft);
    const next = updatedDraft(draft, args, ctx);
    requireCommunityFor(next.visibility, next.community_id);
    if (args.communityId !== undefined && next.community_id !== null)
      requireMemberOf(next.community_id, await isActiveMember(tx, next.community_id, ctx.userId));
    const emotions =
      args.emotions && requireKnownEmotions(args.emotions, await knownEmotions(tx, args.emotions));
    const normal = args.tags && normalTags(args.tags);
    const tags = normal && resolveTags(normal, await existingTags(tx, normal));
    return { next, emotions, tags };
  },
  async apply(tx, args, ctx, { next, emotions, tags }) {
    await tx.query(
      `update drafts set title = $2, community_id = $3, language = $4, visibility = $5, content_warning = $6,
         updated_at = $7
       where id = $1`,
      [next.id, next.title, next.community_id, next.language, next.visibility, next.content_warning, ctx.now],
    );
    if (emotions) {
      await tx.query(`delete from draft_emotions where draft_id = $1 and emotion_key <> all($2::text[])`, [
        next.id,
        emotions,
      ]);
      for (const key of emotions)
        await tx.query(
          `insert into draft_emotions (id, draft_id, emotion_key) values ($1, $2, $3)
           on conflict (draft_id, emotion_key) do nothing`,
          [draftEmotionId(next.id, key), next.id, key],
        );
    }
    if (tags) {
      await tx.query(
        `delete from draft_tags where draft_id = $1
           and (kind::text || ':' || slug) <> all($2::text[])`,
        [next.id, tags.map((tag) => `${tag.kind}:${tag.slug}`)],
      );
      for (const tag of tags)
        await tx.query(
          `insert into draft_tags (id, draft_id, kind, slug, label) values ($1, $2, $3, $4, $5)
           on conflict (draft_id, kind, slug) do update set label = excluded.label`,
          [draftTagId(next.id, tag.kind, tag.slug), next.id, tag.kind, tag.slug, tag.label],
        );
    }
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { draft, role } = await localStanding(local, args.draftId, ctx.userId);
      if (!draft) return [];
      requireAuthor(role);
      requireOpen(draft);
      const next = updatedDraft(draft, args, ctx);
      requireCommunityFor(next.visibility, next.community_id);
      if (args.communityId !== undefined && next.community_id !== null)
        requireMemberOf(next.community_id, await localIsActiveMember(local, next.community_id, ctx.userId));
      const changes: RowChange[] = [{ table: 'drafts', op: 'upsert', row: next }];
      if (args.emotions) {
        const emotions = requireKnownEmotions(args.emotions, await localKnownEmotions(local, args.emotions));
        for (const row of await local.find('draft_emotions', { draft_id: next.id }))
          if (!emotions.includes(row.emotion_key))
            changes.push({ table: 'draft_emotions', op: 'delete', row });
        for (const key of emotions)
          changes.push({
            table: 'draft_emotions',
            op: 'upsert',
            row: { id: draftEmotionId(next.id, key), draft_id: next.id, emotion_key: key },
          });
      }
      if (args.tags) {
        const normal = normalTags(args.tags);
        const tags = resolveTags(normal, await localExistingTags(local, normal));
        const kept = new Set(tags.map((tag) => `${tag.kind}:${tag.slug}`));
        for (const row of await local.find('draft_tags', { draft_id: next.id }))
          if (!kept.has(`${row.kind}:${row.slug}`)) changes.push({ table: 'draft_tags', op: 'delete', row });
        for (const tag of tags)
          changes.push({
            table: 'draft_tags',
            op: 'upsert',
            row: { id: draftTagId(next.id, tag.kind, tag.slug), draft_id: next.id, ...tag },
          });
      }
      return changes;
    }),
});

interface InviteFacts {
  draftId: string;
}

/** [ST12] The owner invites a co-author. */
export const inviteCoAuthor = defineMutation({
  name: 'inviteCoAuthor',
  args: z.strictObject({ draftId: existingId, userId: existingId }),
  async authorize(tx, args, ctx): Promise<InviteFacts> {
    const standing = await readDraftStanding(tx, args.draftId, ctx.userId);
    const draft = requireDraft(standing?.draft);
    requireAuthor(standing?.role);
    requireOpen(draft);
    const { rows } = await tx.query<{ role: AuthorRole | null; blocked: boolean }>(
      `select (select role from draft_authors where draft_id = $1 and user_id = $2) as role,
              exists (select 1 from blocks where (blocker_id = $2 and blocked_id = $3)
                                              or (blocker_id = $3 and blocked_id = $2)) as blocked
       from users u where u.id = $2 and u.deleted_at is null`,
      [args.draftId, args.userId, ctx.userId],
    );
    const target = rows[0];
    requireInvitable(standing?.role, {
      exists: target !== undefined,
      role: target?.role ?? null,
      blocked: target?.blocked ?? false,
    });
    return { draftId: draft.id };
  },
  async apply(tx, args, ctx, { draftId }) {
    await tx.query(
      `insert into draft_authors (id, draft_id, user_id, role, invited_by, created_at)
       values ($1, $2, $3, 'coauthor', $4, $5)`,
      [draftAuthorId(draftId, args.userId), draftId, args.userId, ctx.userId, ctx.now],
    );
    await tx.query(`update drafts set updated_at = $2 where id = $1`, [draftId, ctx.now]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { draft, role } = await localStanding(local, args.draftId, ctx.userId);
      if (!draft) return [];
      requireAuthor(role);
      requireOpen(draft);
      const [existing] = await local.find('draft_authors', { draft_id: args.draftId, user_id: args.userId });
      const blocked = await local.find('blocks', { blocker_id: ctx.userId, blocked_id: args.userId });
      requireInvitable(role, { exists: true, role: existing?.role ?? null, blocked: blocked.length > 0 });
      return [
        {
          table: 'draft_authors',
          op: 'upsert',
          row: {
            id: draftAuthorId(args.draftId, args.userId),
            draft_id: args.draftId,
            user_id: args.userId,
            role: 'coauthor',
            invited_by: ctx.userId,
            created_at: ctx.now.toISOString(),
          },
        },
      ];
    }),
});

/** [ST13] The owner removes a co-author; a co-author may leave. Their open collab sockets close. */
export const removeCoAuthor = defineMutation({
  name: 'removeCoAuthor',
  args: z.strictObject({ draftId: existingId, userId: existingId }),
  async authorize(tx, args, ctx) {
    const standing = await readDraftStanding(tx, args.draftId, ctx.userId);
    requireDraft(standing?.draft);
    requireAuthor(standing?.role);
    const { rows } = await tx.query<{ role: AuthorRole }>(
      `select role from draft_authors where draft_id = $1 and user_id = $2 for update`,
      [args.draftId, args.userId],
    );
    requireRemovable(
      { userId: ctx.userId, role: standing?.role },
      { userId: args.userId, role: rows[0]?.role ?? null },
    );
  },
  async apply(tx, args, ctx) {
    await tx.query(`delete from draft_authors where draft_id = $1 and user_id = $2`, [
      args.draftId,
      args.userId,
    ]);
    await tx.query(`update drafts set updated_at = $2 where id = $1`, [args.draftId, ctx.now]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { draft, role } = await localStanding(local, args.draftId, ctx.userId);
      if (!draft) return [];
      requireAuthor(role);
      const [target] = await local.find('draft_authors', { draft_id: args.draftId, user_id: args.userId });
      requireRemovable({ userId: ctx.userId, role }, { userId: args.userId, role: target?.role ?? null });
      return target ? [{ table: 'draft_authors', op: 'delete', row: target }] : [];
    }),
});

/** [ST14] The owner archives a draft: it stays readable to its authors and can no longer change. */
export const archiveDraft = defineMutation({
  name: 'archiveDraft',
  args: z.strictObject({ draftId: existingId }),
  async authorize(tx, args, ctx) {
    const standing = await readDraftStanding(tx, args.draftId, ctx.userId);
    requireDraft(standing?.draft);
    requireAuthor(standing?.role);
    requireOwner(standing?.role);
  },
  async apply(tx, args, ctx) {
    await tx.query(
      `update drafts set status = 'archived', updated_at = $2 where id = $1 and status <> 'archived'`,
      [args.draftId, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const { draft, role } = await localStanding(local, args.draftId, ctx.userId);
      if (!draft || draft.status === 'archived') return [];
      requireAuthor(role);
      requireOwner(role);
      return [
        {
          table: 'drafts',
          op: 'upsert',
          row: { ...draft, status: 'archived', updated_at: ctx.now.toISOString() },
        },
      ];
    }),
});
