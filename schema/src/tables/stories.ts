// Stories and what they are made of: the emotion vocabulary, free tags, media, collaborative drafts
// (their Yjs logs stay on the server), published stories with versions and translations.
import { col, defineTable, pgEnum, type Row } from '../table';

export const tagKind = pgEnum('tag_kind', ['culture', 'place', 'language']);

export const storyVisibility = pgEnum('story_visibility', ['public', 'community', 'private']);

export const storyStatus = pgEnum('story_status', ['published', 'hidden', 'removed']);

export const draftStatus = pgEnum('draft_status', ['open', 'archived']);

export const draftAuthorRole = pgEnum('draft_author_role', ['owner', 'coauthor']);

export const mediaKind = pgEnum('media_kind', ['audio', 'video', 'image']);

export const mediaStatus = pgEnum('media_status', ['uploading', 'processing', 'ready', 'failed']);

export const emotions = defineTable({
  name: 'emotions',
  sync: 'synced',
  primaryKey: ['key'],
  columns: {
    key: col.text(),
    position: col.integer(),
    valence: col.smallint(),
    arousal: col.smallint(),
  },
});
export type EmotionRow = Row<typeof emotions>;

export const emotionLabels = defineTable({
  name: 'emotion_labels',
  sync: 'synced',
  primaryKey: ['emotion_key', 'locale'],
  columns: {
    emotion_key: col.text(),
    locale: col.text(),
    label: col.text(),
  },
});
export type EmotionLabelRow = Row<typeof emotionLabels>;

export const tags = defineTable({
  name: 'tags',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    kind: col.enum(tagKind),
    slug: col.text(),
    label: col.text(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type TagRow = Row<typeof tags>;

export const media = defineTable({
  name: 'media',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    owner_id: col.uuid(),
    kind: col.enum(mediaKind),
    mime_type: col.text(),
    byte_size: col.bigint(),
    duration_ms: col.integer().orNull(),
    width: col.integer().orNull(),
    height: col.integer().orNull(),
    status: col.enum(mediaStatus).defaulted(),
    storage_key: col.text().neverSynced(),
    sha256: col.bytea().orNull(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type MediaRow = Row<typeof media>;

export const drafts = defineTable({
  name: 'drafts',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    owner_id: col.uuid(),
    community_id: col.uuid().orNull(),
    title: col.text().defaulted(),
    language: col.text().defaulted(),
    visibility: col.enum(storyVisibility).defaulted(),
    content_warning: col.text().orNull(),
    status: col.enum(draftStatus).defaulted(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type DraftRow = Row<typeof drafts>;

export const draftAuthors = defineTable({
  name: 'draft_authors',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    draft_id: col.uuid(),
    user_id: col.uuid(),
    role: col.enum(draftAuthorRole),
    invited_by: col.uuid().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type DraftAuthorRow = Row<typeof draftAuthors>;

/** Emotions of a draft (migration 0008): the vocabulary's keys, published as story_emotions. */
export const draftEmotions = defineTable({
  name: 'draft_emotions',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    draft_id: col.uuid(),
    emotion_key: col.text(),
  },
});
export type DraftEmotionRow = Row<typeof draftEmotions>;

/** Free tags of a draft (migration 0008); they become rows of `tags` only when the draft is published. */
export const draftTags = defineTable({
  name: 'draft_tags',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    draft_id: col.uuid(),
    kind: col.enum(tagKind),
    slug: col.text(),
    label: col.text(),
  },
});
export type DraftTagRow = Row<typeof draftTags>;

export const draftUpdates = defineTable({
  name: 'draft_updates',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.bigint().defaulted(),
    draft_id: col.uuid(),
    author_id: col.uuid().orNull(),
    update: col.bytea(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type DraftUpdateRow = Row<typeof draftUpdates>;

export const draftSnapshots = defineTable({
  name: 'draft_snapshots',
  sync: 'server-only',
  primaryKey: ['draft_id'],
  columns: {
    draft_id: col.uuid(),
    state: col.bytea(),
    through_update_id: col.bigint(),
    compacted_at: col.timestamptz().defaulted(),
  },
});
export type DraftSnapshotRow = Row<typeof draftSnapshots>;

export const stories = defineTable({
  name: 'stories',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    draft_id: col.uuid(),
    community_id: col.uuid().orNull(),
    visibility: col.enum(storyVisibility),
    status: col.enum(storyStatus).defaulted(),
    title: col.text(),
    summary: col.text().defaulted(),
    content_html: col.text(),
    content_text: col.text(),
    language: col.text(),
    content_warning: col.text().orNull(),
    current_version: col.integer(),
    published_by: col.uuid(),
    first_published_at: col.timestamptz().defaulted(),
    published_at: col.timestamptz().defaulted(),
  },
});
export type StoryRow = Row<typeof stories>;

export const storyAuthors = defineTable({
  name: 'story_authors',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    user_id: col.uuid(),
    position: col.integer().defaulted(),
  },
});
export type StoryAuthorRow = Row<typeof storyAuthors>;

export const storyVersions = defineTable({
  name: 'story_versions',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    version: col.integer(),
    title: col.text(),
    content_html: col.text(),
    published_by: col.uuid(),
    published_at: col.timestamptz().defaulted(),
  },
});
export type StoryVersionRow = Row<typeof storyVersions>;

export const storyEmotions = defineTable({
  name: 'story_emotions',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    emotion_key: col.text(),
  },
});
export type StoryEmotionRow = Row<typeof storyEmotions>;

export const storyTags = defineTable({
  name: 'story_tags',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    tag_id: col.uuid(),
  },
});
export type StoryTagRow = Row<typeof storyTags>;

export const storyMedia = defineTable({
  name: 'story_media',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    media_id: col.uuid(),
    position: col.integer().defaulted(),
    caption: col.text().defaulted(),
  },
});
export type StoryMediaRow = Row<typeof storyMedia>;

export const storyTranslations = defineTable({
  name: 'story_translations',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    story_id: col.uuid(),
    language: col.text(),
    title: col.text(),
    content_html: col.text(),
    translator_id: col.uuid(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type StoryTranslationRow = Row<typeof storyTranslations>;
