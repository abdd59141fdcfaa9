// Comments (threaded, on events and stories; announcements by hosts) and reactions.
import { col, defineTable, pgEnum, type Row } from '../table';

export const commentKind = pgEnum('comment_kind', ['comment', 'announcement']);

export const moderationStatus = pgEnum('moderation_status', ['visible', 'hidden', 'removed']);

export const comments = defineTable({
  name: 'comments',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    event_id: col.uuid().orNull(),
    story_id: col.uuid().orNull(),
    parent_id: col.uuid().orNull(),
    author_id: col.uuid(),
    kind: col.enum(commentKind).defaulted(),
    body: col.text(),
    status: col.enum(moderationStatus).defaulted(),
    created_at: col.timestamptz().defaulted(),
    edited_at: col.timestamptz().orNull(),
  },
});
export type CommentRow = Row<typeof comments>;

export const reactions = defineTable({
  name: 'reactions',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    story_id: col.uuid().orNull(),
    event_id: col.uuid().orNull(),
    comment_id: col.uuid().orNull(),
    emotion_key: col.text().orNull(),
    emoji: col.text().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type ReactionRow = Row<typeof reactions>;
