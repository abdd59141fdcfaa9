// Conversation on events and stories: threaded comments, host announcements, one reaction (an emotion
// of the vocabulary) per person per event, story or comment. Rules CV* in
// sync-server/src/stories/SPEC.md; the decisions live in ./conversation-rules. Blocks are applied on
// the read side: a blocked person's comments never reach the blocker's replica (shapes VZ6).
import { z } from 'zod';
import { ErrorCode } from '../errors';
import { reactionIdOf } from '../stories/ids';
import type { CommentRow, ReactionRow } from '../tables/conversation';
import {
  commentBody,
  deletionBy,
  requireCanAnnounce,
  requireEditable,
  requireReplyTarget,
  requireVisibleSubject,
  type CommentFacts,
  type EventFacts,
  type StoryFacts,
  type SubjectFacts,
} from './conversation-rules';
import { defineMutation, guess, reject, type LocalReader, type RowChange, type Tx } from './define';
import { existingId, newId, prose } from './fields';

/** What a comment is about. */
const commentSubject = z.union([
  z.strictObject({ eventId: existingId }),
  z.strictObject({ storyId: existingId }),
]);

/** What a reaction is about: an event, a story, or a comment on one of them. */
const reactionSubject = z.union([
  z.strictObject({ eventId: existingId }),
  z.strictObject({ storyId: existingId }),
  z.strictObject({ commentId: existingId }),
]);

type SubjectRef = { kind: 'event' | 'story'; id: string };
type ReactionRef = SubjectRef | { kind: 'comment'; id: string };

const refOf = (subject: z.output<typeof commentSubject>): SubjectRef =>
  'eventId' in subject ? { kind: 'event', id: subject.eventId } : { kind: 'story', id: subject.storyId };

const reactionRefOf = (subject: z.output<typeof reactionSubject>): ReactionRef =>
  'commentId' in subject ? { kind: 'comment', id: subject.commentId } : refOf(subject);

/** The reactions column of each kind of subject: a fixed map, never a client's string. */
const REACTION_COLUMN = { event: 'event_id', story: 'story_id', comment: 'comment_id' } as const;

const EMOTION_KEY = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z_]+$/u, 'an emotion is a key of the vocabulary, such as "joy" or "nostalgia"');

// Server-side facts, read in the mutation's transaction.

async function readEventFacts(tx: Tx, eventId: string, userId: string): Promise<EventFacts | null> {
  const { rows } = await tx.query<{
    id: string;
    community_id: string;
    visibility: EventFacts['visibility'];
    active_member: boolean;
    community_admin: boolean;
    host_role: EventFacts['hostRole'];
    attending: boolean;
  }>(
    `select e.id, e.community_id, e.visibility,
       exists (select 1 from memberships m where m.community_id = e.community_id and m.user_id = $2
               and m.status = 'active') as active_member,
       exists (select 1 from memberships m where m.community_id = e.community_id and m.user_id = $2
               and m.status = 'active' and m.role = 'admin') as community_admin,
       (select h.role from event_hosts h where h.event_id = e.id and h.user_id = $2
         order by h.role limit 1) as host_role,
       exists (select 1 from rsvps r where r.event_id = e.id and r.user_id = $2)
         or exists (select 1 from tickets t where t.event_id = e.id and t.holder_id = $2) as attending
     from events e where e.id = $1`,
    [eventId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    kind: 'event',
    id: row.id,
    communityId: row.community_id,
    visibility: row.visibility,
    activeMember: row.active_member,
    communityAdmin: row.community_admin,
    hostRole: row.host_role,
    attending: row.attending,
  };
}

async function readStoryFacts(tx: Tx, storyId: string, userId: string): Promise<StoryFacts | null> {
  const { rows } = await tx.query<{
    id: string;
    community_id: string | null;
    visibility: StoryFacts['visibility'];
    status: StoryFacts['status'];
    author: boolean;
    active_member: boolean;
    community_admin: boolean;
    blocked: boolean;
  }>(
    `select s.id, s.community_id, s.visibility, s.status,
       s.published_by = $2 or exists (select 1 from story_authors a where a.story_id = s.id and a.user_id = $2)
         as author,
       exists (select 1 from memberships m where m.community_id = s.community_id and m.user_id = $2
               and m.status = 'active') as active_member,
       exists (select 1 from memberships m where m.community_id = s.community_id and m.user_id = $2
               and m.status = 'active' and m.role = 'admin') as community_admin,
       exists (select 1 from blocks b where (b.blocker_id = $2 and b.blocked_id = s.published_by)
                                         or (b.blocker_id = s.published_by and b.blocked_id = $2)) as blocked
     from stories s where s.id = $1`,
    [storyId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    kind: 'story',
    id: row.id,
    communityId: row.community_id,
    visibility: row.visibility,
    status: row.status,
    author: row.author,
    activeMember: row.active_member,
    communityAdmin: row.community_admin,
    blocked: row.blocked,
  };
}

const readSubject = (tx: Tx, ref: SubjectRef, userId: string): Promise<SubjectFacts | null> =>
  ref.kind === 'event' ? readEventFacts(tx, ref.id, userId) : readStoryFacts(tx, ref.id, userId);

async function readComment(tx: Tx, commentId: string, lock: boolean): Promise<CommentFacts | null> {
  const { rows } = await tx.query<CommentFacts>(
    `select id, event_id, story_id, author_id, status, kind from comments where id = $1${lock ? ' for update' : ''}`,
    [commentId],
  );
  return rows[0] ?? null;
}

const subjectOfComment = (comment: CommentFacts): SubjectRef =>
  comment.event_id !== null
    ? { kind: 'event', id: comment.event_id }
    : { kind: 'story', id: comment.story_id ?? '' };

async function requireKnownEmotion(tx: Tx, key: string): Promise<void> {
  const { rows } = await tx.query(`select 1 from emotions where key = $1`, [key]);
  if (rows.length === 0)
    reject(ErrorCode.unknownEmotion, `emotionKey: "${key}" is not in the emotion vocabulary.`);
}

// Replica-side facts: the replica only holds what its user may see.

async function localEventFacts(
  local: LocalReader,
  eventId: string,
  userId: string,
): Promise<EventFacts | null> {
  const event = await local.get('events', eventId);
  if (!event) return null;
  const [membership] = await local.find('memberships', {
    community_id: event.community_id,
    user_id: userId,
    status: 'active',
  });
  const [host] = await local.find('event_hosts', { event_id: eventId, user_id: userId });
  const rsvps = await local.find('rsvps', { event_id: eventId, user_id: userId });
  const tickets = await local.find('tickets', { event_id: eventId, holder_id: userId });
  return {
    kind: 'event',
    id: event.id,
    communityId: event.community_id,
    visibility: event.visibility,
    activeMember: membership !== undefined,
    communityAdmin: membership?.role === 'admin',
    hostRole: host?.role ?? null,
    attending: rsvps.length + tickets.length > 0,
  };
}

async function localStoryFacts(
  local: LocalReader,
  storyId: string,
  userId: string,
): Promise<StoryFacts | null> {
  const story = await local.get('stories', storyId);
  if (!story) return null;
  const authors = await local.find('story_authors', { story_id: storyId, user_id: userId });
  const [membership] =
    story.community_id === null
      ? []
      : await local.find('memberships', {
          community_id: story.community_id,
          user_id: userId,
          status: 'active',
        });
  return {
    kind: 'story',
    id: story.id,
    communityId: story.community_id,
    visibility: story.visibility,
    status: story.status,
    author: story.published_by === userId || authors.length > 0,
    activeMember: membership !== undefined,
    communityAdmin: membership?.role === 'admin',
    // The replica holds no story across a block (VZ3): one that is here is not blocked.
    blocked: false,
  };
}

const localSubject = (local: LocalReader, ref: SubjectRef, userId: string) =>
  ref.kind === 'event' ? localEventFacts(local, ref.id, userId) : localStoryFacts(local, ref.id, userId);

async function localComment(local: LocalReader, commentId: string): Promise<CommentFacts | null> {
  return (await local.get('comments', commentId)) ?? null;
}

/**
 * [CV1] A comment on an event or a story its author can see; [CV2] a reply stays on its parent's
 * subject; [CV3] announcements by hosts; [CV4] 1..5000 characters.
 */
export const postComment = defineMutation({
  name: 'postComment',
  args: z
    .strictObject({
      commentId: newId,
      subject: commentSubject,
      parentId: existingId.optional(),
      // The length rule is CV4's (a typed refusal); this bound only keeps requests small.
      body: prose(100_000),
      kind: z.enum(['comment', 'announcement']).optional(),
    })
    .refine((args) => args.kind !== 'announcement' || args.parentId === undefined, {
      path: ['parentId'],
      message: 'an announcement is a top-level post; leave out parentId',
    }),
  async authorize(tx, args, ctx) {
    const body = commentBody(args.body);
    const subject = requireVisibleSubject(await readSubject(tx, refOf(args.subject), ctx.userId));
    if (args.kind === 'announcement') requireCanAnnounce(subject);
    if (args.parentId !== undefined) requireReplyTarget(await readComment(tx, args.parentId, false), subject);
    return { body, subject };
  },
  async apply(tx, args, ctx, { body, subject }) {
    const inserted = await tx.query(
      `insert into comments (id, event_id, story_id, parent_id, author_id, kind, body, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (id) do nothing returning id`,
      [
        args.commentId,
        subject.kind === 'event' ? subject.id : null,
        subject.kind === 'story' ? subject.id : null,
        args.parentId ?? null,
        ctx.userId,
        args.kind ?? 'comment',
        body,
        ctx.now,
      ],
    );
    if (inserted.rows.length === 0) reject(ErrorCode.conflict, 'commentId: this comment id is already used.');
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const body = commentBody(args.body);
      const subject = requireVisibleSubject(await localSubject(local, refOf(args.subject), ctx.userId));
      if (args.kind === 'announcement') requireCanAnnounce(subject);
      if (args.parentId !== undefined) requireReplyTarget(await localComment(local, args.parentId), subject);
      const row: CommentRow = {
        id: args.commentId,
        event_id: subject.kind === 'event' ? subject.id : null,
        story_id: subject.kind === 'story' ? subject.id : null,
        parent_id: args.parentId ?? null,
        author_id: ctx.userId,
        kind: args.kind ?? 'comment',
        body,
        status: 'visible',
        created_at: ctx.now.toISOString(),
        edited_at: null,
      };
      return [{ table: 'comments', op: 'upsert', row }];
    }),
});

/** [CV5] Its author edits a visible comment; the server stamps `edited_at`. */
export const editComment = defineMutation({
  name: 'editComment',
  args: z.strictObject({ commentId: existingId, body: prose(100_000) }),
  async authorize(tx, args, ctx) {
    const comment = requireEditable(await readComment(tx, args.commentId, true), ctx.userId);
    return { comment, body: commentBody(args.body) };
  },
  async apply(tx, _args, ctx, { comment, body }) {
    await tx.query(`update comments set body = $2, edited_at = $3 where id = $1`, [
      comment.id,
      body,
      ctx.now,
    ]);
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const row = await local.get('comments', args.commentId);
      requireEditable(row, ctx.userId);
      if (!row) return [];
      const body = commentBody(args.body);
      return [{ table: 'comments', op: 'upsert', row: { ...row, body, edited_at: ctx.now.toISOString() } }];
    }),
});

async function communityAdminOf(tx: Tx, comment: CommentFacts, userId: string): Promise<boolean> {
  const { rows } = await tx.query<{ admin: boolean }>(
    `select exists (
       select 1 from memberships m
       where m.user_id = $3 and m.status = 'active' and m.role = 'admin'
         and m.community_id = coalesce(
           (select community_id from events where id = $1),
           (select community_id from stories where id = $2))
     ) as admin`,
    [comment.event_id, comment.story_id, userId],
  );
  return rows[0]?.admin ?? false;
}

/**
 * [CV6] The author deletes their comment (removed in place when it has replies, so the thread stays);
 * a site moderator or an admin of the subject's community hides it (audited).
 */
export const deleteComment = defineMutation({
  name: 'deleteComment',
  args: z.strictObject({ commentId: existingId }),
  async authorize(tx, args, ctx) {
    const comment = await readComment(tx, args.commentId, true);
    const isAuthor = comment?.author_id === ctx.userId;
    const communityAdmin = comment && !isAuthor ? await communityAdminOf(tx, comment, ctx.userId) : false;
    const { rows } = await tx.query(`select 1 from comments where parent_id = $1 limit 1`, [args.commentId]);
    const action = deletionBy(
      comment,
      { userId: ctx.userId, moderator: ctx.siteRole === 'moderator', communityAdmin },
      rows.length > 0,
    );
    return { action };
  },
  async apply(tx, args, ctx, { action }) {
    if (action === 'delete') await tx.query(`delete from comments where id = $1`, [args.commentId]);
    if (action === 'remove')
      await tx.query(`update comments set status = 'removed' where id = $1`, [args.commentId]);
    if (action === 'hide') {
      await tx.query(`update comments set status = 'hidden' where id = $1`, [args.commentId]);
      await tx.query(
        `insert into audit_log (actor_id, action, subject_table, subject_id, details, created_at)
         values ($1, 'comment.hidden', 'comments', $2, '{}'::jsonb, $3)`,
        [ctx.userId, args.commentId, ctx.now],
      );
    }
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const row = await local.get('comments', args.commentId);
      if (!row) return [];
      const replies = await local.find('comments', { parent_id: row.id });
      const story = row.story_id === null ? undefined : await local.get('stories', row.story_id);
      const event = row.event_id === null ? undefined : await local.get('events', row.event_id);
      const communityId = story?.community_id ?? event?.community_id ?? null;
      const admin =
        communityId === null
          ? []
          : await local.find('memberships', {
              community_id: communityId,
              user_id: ctx.userId,
              status: 'active',
              role: 'admin',
            });
      const action = deletionBy(
        row,
        { userId: ctx.userId, moderator: ctx.siteRole === 'moderator', communityAdmin: admin.length > 0 },
        replies.length > 0,
      );
      if (action === null) return [];
      if (action === 'delete') return [{ table: 'comments', op: 'delete', row }];
      return [
        {
          table: 'comments',
          op: 'upsert',
          row: { ...row, status: action === 'remove' ? 'removed' : 'hidden' },
        },
      ];
    }),
});

/** The subject a reaction is about, checked visible (a comment: visible itself and on a visible subject). */
async function reactionTarget(tx: Tx, ref: ReactionRef, userId: string): Promise<ReactionRef> {
  if (ref.kind !== 'comment') {
    requireVisibleSubject(await readSubject(tx, ref, userId));
    return ref;
  }
  const comment = await readComment(tx, ref.id, false);
  if (!comment || comment.status !== 'visible')
    reject(ErrorCode.subjectNotVisible, 'This comment does not exist, or you cannot see it.');
  requireVisibleSubject(await readSubject(tx, subjectOfComment(comment), userId));
  return ref;
}

async function localReactionTarget(local: LocalReader, ref: ReactionRef, userId: string): Promise<void> {
  if (ref.kind !== 'comment') {
    requireVisibleSubject(await localSubject(local, ref, userId));
    return;
  }
  const comment = await localComment(local, ref.id);
  if (!comment || comment.status !== 'visible')
    reject(ErrorCode.subjectNotVisible, 'This comment does not exist, or you cannot see it.');
  requireVisibleSubject(await localSubject(local, subjectOfComment(comment), userId));
}

async function localReactions(local: LocalReader, ref: ReactionRef, userId: string): Promise<ReactionRow[]> {
  if (ref.kind === 'event') return local.find('reactions', { user_id: userId, event_id: ref.id });
  if (ref.kind === 'story') return local.find('reactions', { user_id: userId, story_id: ref.id });
  return local.find('reactions', { user_id: userId, comment_id: ref.id });
}

/** [CV7] One reaction per person per subject, an emotion of the vocabulary: reacting again replaces it. */
export const react = defineMutation({
  name: 'react',
  args: z.strictObject({ subject: reactionSubject, emotionKey: EMOTION_KEY }),
  async authorize(tx, args, ctx) {
    const ref = await reactionTarget(tx, reactionRefOf(args.subject), ctx.userId);
    await requireKnownEmotion(tx, args.emotionKey);
    return ref;
  },
  async apply(tx, args, ctx, ref) {
    const column = REACTION_COLUMN[ref.kind];
    await tx.query(
      `insert into reactions (id, user_id, ${column}, emotion_key, created_at) values ($1, $2, $3, $4, $5)
       on conflict (${column}, user_id) where ${column} is not null
       do update set emotion_key = excluded.emotion_key, emoji = null, created_at = excluded.created_at`,
      [reactionIdOf(ref.kind, ref.id, ctx.userId), ctx.userId, ref.id, args.emotionKey, ctx.now],
    );
  },
  optimistic: (args, ctx, local) =>
    guess(async () => {
      const ref = reactionRefOf(args.subject);
      await localReactionTarget(local, ref, ctx.userId);
      if (!(await local.get('emotions', args.emotionKey)))
        reject(
          ErrorCode.unknownEmotion,
          `emotionKey: "${args.emotionKey}" is not in the emotion vocabulary.`,
        );
      const [existing] = await localReactions(local, ref, ctx.userId);
      const row: ReactionRow = {
        id: existing?.id ?? reactionIdOf(ref.kind, ref.id, ctx.userId),
        user_id: ctx.userId,
        event_id: ref.kind === 'event' ? ref.id : null,
        story_id: ref.kind === 'story' ? ref.id : null,
        comment_id: ref.kind === 'comment' ? ref.id : null,
        emotion_key: args.emotionKey,
        emoji: null,
        created_at: ctx.now.toISOString(),
      };
      return [{ table: 'reactions', op: 'upsert', row }];
    }),
});

/** [CV8] Unreacting removes your reaction to the subject if there is one. */
export const unreact = defineMutation({
  name: 'unreact',
  args: z.strictObject({ subject: reactionSubject }),
  async apply(tx, args, ctx) {
    const ref = reactionRefOf(args.subject);
    await tx.query(`delete from reactions where user_id = $1 and ${REACTION_COLUMN[ref.kind]} = $2`, [
      ctx.userId,
      ref.id,
    ]);
  },
  async optimistic(args, ctx, local) {
    const rows = await localReactions(local, reactionRefOf(args.subject), ctx.userId);
    return rows.map((row): RowChange => ({ table: 'reactions', op: 'delete', row }));
  },
});
