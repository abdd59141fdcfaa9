// Who may do what with a draft and when a draft can become a story, as pure decisions over rows: the
// server calls them on rows it read (and locked) in the mutation's transaction, the optimistic apply
// on the replica's rows. Rules ST* in sync-server/src/stories/SPEC.md.
import { ErrorCode } from '../errors';
import type { DraftAuthorRow, DraftRow, StoryRow } from '../tables/stories';
import { normalizeTag, type NormalTag, type TagKind } from '../stories/tags';
import { reject } from './define';

export type DraftFacts = Pick<DraftRow, 'id' | 'owner_id' | 'status'>;
export type AuthorRole = DraftAuthorRow['role'];
export type Visibility = StoryRow['visibility'];

/** [ST10] A draft exists, for a caller, as a draft of theirs or not at all. */
export function requireDraft<D extends DraftFacts>(draft: D | null | undefined): D {
  if (!draft) reject(ErrorCode.notFound, 'This draft does not exist.');
  return draft;
}

/** [ST11] Only the owner and co-authors work on a draft. */
export function requireAuthor(role: AuthorRole | null | undefined): AuthorRole {
  if (!role)
    reject(
      ErrorCode.notDraftAuthor,
      'Only the authors of this draft can do this; ask its owner to invite you.',
    );
  return role;
}

/** [ST12] Inviting, archiving and removing other co-authors are the owner's. */
export function requireOwner(role: AuthorRole | null | undefined): void {
  if (role !== 'owner') reject(ErrorCode.notDraftOwner, 'Only the owner of this draft can do this.');
}

/** [ST11] An archived draft is read-only. */
export function requireOpen(draft: DraftFacts): void {
  if (draft.status !== 'open')
    reject(ErrorCode.draftArchived, 'This draft is archived; it can no longer be changed or published.');
}

/** [ST10] A community story needs its community. */
export function requireCommunityFor(visibility: Visibility, communityId: string | null): void {
  if (visibility === 'community' && communityId === null)
    reject(
      ErrorCode.validationFailed,
      'communityId: a story shared with a community needs that community; pick one or change the visibility.',
    );
}

/** [ST10] A draft (and its story) belongs to a community only if its author is an active member of it. */
export function requireMemberOf(communityId: string | null, isActiveMember: boolean): void {
  if (communityId !== null && !isActiveMember)
    reject(ErrorCode.notMember, 'You can only share a story with a community you are an active member of.');
}

/** [ST11] Emotions come from the fixed vocabulary; duplicates collapse. */
export function requireKnownEmotions(keys: readonly string[], known: ReadonlySet<string>): string[] {
  const unique = [...new Set(keys)];
  const unknown = unique.filter((key) => !known.has(key));
  if (unknown.length > 0)
    reject(
      ErrorCode.unknownEmotion,
      `emotions: ${unknown.map((key) => JSON.stringify(key)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the emotion vocabulary.`,
    );
  return unique;
}

/** [ST11] Free tags by (kind, slug): the first label typed for a slug wins. */
export function normalTags(tags: readonly { kind: TagKind; label: string }[]): NormalTag[] {
  const bySlug = new Map<string, NormalTag>();
  for (const tag of tags) {
    const normal = normalizeTag(tag.kind, tag.label);
    const key = `${normal.kind}:${normal.slug}`;
    if (normal.slug !== '' && !bySlug.has(key)) bySlug.set(key, normal);
  }
  return [...bySlug.values()];
}

/**
 * [ST11] A tag that already exists (same slug, or the same label in any case) is that tag: picking
 * "大阪" from the list finds the tag made as "osaka", whatever slug a label would derive today.
 */
export function resolveTags(
  tags: readonly NormalTag[],
  existing: ReadonlyMap<NormalTag, NormalTag | undefined>,
): NormalTag[] {
  const bySlug = new Map<string, NormalTag>();
  for (const tag of tags) {
    const resolved = existing.get(tag) ?? tag;
    const key = `${resolved.kind}:${resolved.slug}`;
    if (!bySlug.has(key)) bySlug.set(key, resolved);
  }
  return [...bySlug.values()];
}

/** [ST12] Invite: by the owner, someone who is not an author yet and with no block between the two. */
export function requireInvitable(
  actorRole: AuthorRole | null | undefined,
  target: { exists: boolean; role: AuthorRole | null; blocked: boolean },
): void {
  requireOwner(actorRole);
  if (!target.exists) reject(ErrorCode.notFound, 'This person does not exist.');
  if (target.role !== null) reject(ErrorCode.conflict, 'This person is already an author of this draft.');
  if (target.blocked) reject(ErrorCode.forbidden, 'You cannot invite this person.');
}

/** [ST13] The owner removes co-authors; a co-author may remove themself; the owner stays. */
export function requireRemovable(
  actor: { userId: string; role: AuthorRole | null | undefined },
  target: { userId: string; role: AuthorRole | null | undefined },
): void {
  if (!target.role) reject(ErrorCode.notFound, 'This person is not an author of this draft.');
  if (target.role === 'owner')
    reject(ErrorCode.conflict, 'The owner of a draft cannot be removed from it; archive the draft instead.');
  if (actor.role !== 'owner' && actor.userId !== target.userId)
    reject(ErrorCode.notDraftOwner, 'Only the owner of this draft can remove other co-authors.');
}

export const STORY_TITLE_MAX = 200;

/** [ST15] A story needs a title and some text. */
export function requirePublishable(title: string, text: string): string {
  const trimmed = title.trim();
  if (trimmed === '')
    reject(ErrorCode.draftIncomplete, 'title: give the draft a title before publishing it.');
  if ([...trimmed].length > STORY_TITLE_MAX)
    reject(ErrorCode.draftIncomplete, `title: a story title has at most ${STORY_TITLE_MAX} characters.`);
  if (text.trim() === '')
    reject(ErrorCode.draftIncomplete, 'The draft has no text yet; write something before publishing it.');
  return trimmed;
}

/** [ST18] Story-level changes (visibility, unpublish) are for the story's authors. */
export function requireStoryAuthor(isAuthor: boolean): void {
  if (!isAuthor) reject(ErrorCode.notDraftAuthor, 'Only the authors of this story can do this.');
}
