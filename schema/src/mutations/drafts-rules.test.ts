// The draft decisions as pure functions (sync-server/src/stories/SPEC.md ST10..ST18): the same code
// decides on the server (over locked rows) and in the optimistic guess (over the replica).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors';
import { MutationRejected } from './define';
import {
  normalTags,
  requireAuthor,
  requireCommunityFor,
  requireInvitable,
  requireKnownEmotions,
  requireMemberOf,
  requireOpen,
  requireOwner,
  requirePublishable,
  requireRemovable,
} from './drafts-rules';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MutationRejected) return error.code;
    throw error;
  }
}

const draft = { id: 'd', owner_id: 'o', status: 'open' as const };

describe('draft rules', () => {
  it('[ST11] only authors work on a draft, and only while it is open', () => {
    expect(codeOf(() => requireAuthor(null))).toBe(ErrorCode.notDraftAuthor);
    expect(codeOf(() => requireAuthor('coauthor'))).toBeUndefined();
    expect(codeOf(() => requireOpen(draft))).toBeUndefined();
    expect(codeOf(() => requireOpen({ ...draft, status: 'archived' }))).toBe(ErrorCode.draftArchived);
  });

  it('[ST12] owner-only actions refuse co-authors', () => {
    expect(codeOf(() => requireOwner('coauthor'))).toBe(ErrorCode.notDraftOwner);
    expect(codeOf(() => requireOwner('owner'))).toBeUndefined();
  });

  it('[ST10] a community story needs its community, and its author a membership there', () => {
    expect(codeOf(() => requireCommunityFor('community', null))).toBe(ErrorCode.validationFailed);
    expect(codeOf(() => requireCommunityFor('public', null))).toBeUndefined();
    expect(codeOf(() => requireMemberOf('c', false))).toBe(ErrorCode.notMember);
    expect(codeOf(() => requireMemberOf(null, false))).toBeUndefined();
  });

  it('[ST11] emotions come from the vocabulary, duplicates collapse', () => {
    const known = new Set(['joy', 'awe']);
    expect(requireKnownEmotions(['joy', 'awe', 'joy'], known)).toEqual(['joy', 'awe']);
    expect(codeOf(() => requireKnownEmotions(['joy', 'meh'], known))).toBe(ErrorCode.unknownEmotion);
  });

  it('[ST11] free tags collapse by kind and slug; the first label wins; labels without letters go', () => {
    expect(
      normalTags([
        { kind: 'place', label: 'São Paulo' },
        { kind: 'place', label: 'SAO paulo' },
        { kind: 'culture', label: 'Sao Paulo' },
        { kind: 'place', label: '!!' },
      ]),
    ).toEqual([
      { kind: 'place', slug: 'sao-paulo', label: 'São Paulo' },
      { kind: 'culture', slug: 'sao-paulo', label: 'Sao Paulo' },
    ]);
  });

  it('[ST12] an invitation goes from the owner to someone new, with no block between them', () => {
    const fresh = { exists: true, role: null, blocked: false };
    expect(codeOf(() => requireInvitable('owner', fresh))).toBeUndefined();
    expect(codeOf(() => requireInvitable('coauthor', fresh))).toBe(ErrorCode.notDraftOwner);
    expect(codeOf(() => requireInvitable('owner', { ...fresh, exists: false }))).toBe(ErrorCode.notFound);
    expect(codeOf(() => requireInvitable('owner', { ...fresh, role: 'coauthor' }))).toBe(ErrorCode.conflict);
    expect(codeOf(() => requireInvitable('owner', { ...fresh, blocked: true }))).toBe(ErrorCode.forbidden);
  });

  it('[ST13] the owner removes co-authors, a co-author removes themself, the owner stays', () => {
    const owner = { userId: 'o', role: 'owner' as const };
    const co = { userId: 'c', role: 'coauthor' as const };
    const other = { userId: 'x', role: 'coauthor' as const };
    expect(codeOf(() => requireRemovable(owner, co))).toBeUndefined();
    expect(codeOf(() => requireRemovable(co, co))).toBeUndefined();
    expect(codeOf(() => requireRemovable(co, other))).toBe(ErrorCode.notDraftOwner);
    expect(codeOf(() => requireRemovable(owner, owner))).toBe(ErrorCode.conflict);
    expect(codeOf(() => requireRemovable(owner, { userId: 'n', role: null }))).toBe(ErrorCode.notFound);
  });

  it('[ST15] a story needs a title of at most 200 characters and some text', () => {
    expect(requirePublishable('  Rain  ', 'text')).toBe('Rain');
    expect(codeOf(() => requirePublishable(' ', 'text'))).toBe(ErrorCode.draftIncomplete);
    expect(codeOf(() => requirePublishable('Rain', ' \n '))).toBe(ErrorCode.draftIncomplete);
    expect(codeOf(() => requirePublishable('x'.repeat(201), 'text'))).toBe(ErrorCode.draftIncomplete);
  });
});
