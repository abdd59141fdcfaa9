// Ids of rows that follow from others (a draft's author row, a story's tag row): UUID v5 of their
// natural key, so the client's optimistic rows and the server's rows share primary keys without a
// round trip, and two devices that add the same tag offline make the same row.
import { v5 } from 'uuid';

/** Hearth's namespace for derived ids (a fixed random UUID; changing it changes every derived id). */
const NAMESPACE = '6f1d7c52-2d1b-4c55-9a43-5a7e3f0c9b21';

const derive = (kind: string, ...parts: string[]): string => v5([kind, ...parts].join('\u0000'), NAMESPACE);

export const draftAuthorId = (draftId: string, userId: string) => derive('draft_author', draftId, userId);
export const draftEmotionId = (draftId: string, emotionKey: string) =>
  derive('draft_emotion', draftId, emotionKey);
export const draftTagId = (draftId: string, kind: string, slug: string) =>
  derive('draft_tag', draftId, kind, slug);

/** A draft becomes at most one story (stories.draft_id is unique): its id follows from the draft's. */
export const storyIdOf = (draftId: string) => derive('story', draftId);
export const storyAuthorId = (storyId: string, userId: string) => derive('story_author', storyId, userId);
export const storyEmotionId = (storyId: string, emotionKey: string) =>
  derive('story_emotion', storyId, emotionKey);
export const storyTagId = (storyId: string, tagId: string) => derive('story_tag', storyId, tagId);
export const storyVersionId = (storyId: string, version: number) =>
  derive('story_version', storyId, String(version));

/** A free tag made on first use; a tag that already exists keeps the id it has. */
export const tagIdOf = (kind: string, slug: string) => derive('tag', kind, slug);

/** One reaction per person per subject (reactions' unique indexes): its id follows from the pair. */
export const reactionIdOf = (subjectKind: 'event' | 'story' | 'comment', subjectId: string, userId: string) =>
  derive('reaction', subjectKind, subjectId, userId);
