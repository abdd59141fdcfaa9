// The conversation decisions as pure functions (sync-server/src/stories/SPEC.md CV1..CV6), and the
// optimistic guesses over an in-memory replica (ST19).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors';
import { newId } from '../ids';
import { reactionIdOf } from '../stories/ids';
import {
  canSeeEvent,
  canSeeStory,
  commentBody,
  deletionBy,
  requireCanAnnounce,
  requireEditable,
  requireReplyTarget,
  type CommentFacts,
  type EventFacts,
  type StoryFacts,
} from './conversation-rules';
import { MutationRejected, type MutationContext } from './define';
import { mutations } from './index';
import { MemoryReplica } from './replica';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MutationRejected) return error.code;
    throw error;
  }
}

const event: EventFacts = {
  kind: 'event',
  id: 'e',
  communityId: 'c',
  visibility: 'public',
  activeMember: false,
  communityAdmin: false,
  hostRole: null,
  attending: false,
};
const story: StoryFacts = {
  kind: 'story',
  id: 's',
  communityId: null,
  visibility: 'public',
  status: 'published',
  author: false,
  activeMember: false,
  communityAdmin: false,
  blocked: false,
};
const comment: CommentFacts = {
  id: 'k',
  event_id: 'e',
  story_id: null,
  author_id: 'a',
  status: 'visible',
  kind: 'comment',
};

describe('conversation rules', () => {
  it('[CV1] events are seen as the events shape sees them (VZ4)', () => {
    expect(canSeeEvent(event)).toBe(true);
    expect(canSeeEvent({ ...event, visibility: 'community' })).toBe(false);
    expect(canSeeEvent({ ...event, visibility: 'community', attending: true })).toBe(false);
    expect(canSeeEvent({ ...event, visibility: 'community', activeMember: true })).toBe(true);
    expect(canSeeEvent({ ...event, visibility: 'unlisted', attending: true })).toBe(true);
    expect(canSeeEvent({ ...event, visibility: 'community', hostRole: 'checkin' })).toBe(true);
  });

  it('[CV1] stories are seen as the stories shape sees them (VZ3)', () => {
    expect(canSeeStory(story)).toBe(true);
    expect(canSeeStory({ ...story, blocked: true })).toBe(false);
    expect(canSeeStory({ ...story, visibility: 'community' })).toBe(false);
    expect(canSeeStory({ ...story, visibility: 'community', activeMember: true })).toBe(true);
    expect(canSeeStory({ ...story, visibility: 'private' })).toBe(false);
    expect(canSeeStory({ ...story, visibility: 'private', author: true })).toBe(true);
    expect(canSeeStory({ ...story, status: 'hidden', author: true })).toBe(false);
  });

  it('[CV2] a reply stays on its parent subject', () => {
    expect(codeOf(() => requireReplyTarget(comment, event))).toBeUndefined();
    expect(codeOf(() => requireReplyTarget(comment, story))).toBe(ErrorCode.replySubjectMismatch);
    expect(codeOf(() => requireReplyTarget({ ...comment, status: 'hidden' }, event))).toBe(
      ErrorCode.notFound,
    );
  });

  it('[CV3] announcements: event hosts and managers, community admins', () => {
    expect(codeOf(() => requireCanAnnounce({ ...event, hostRole: 'host' }))).toBeUndefined();
    expect(codeOf(() => requireCanAnnounce({ ...event, hostRole: 'manager' }))).toBeUndefined();
    expect(codeOf(() => requireCanAnnounce({ ...event, communityAdmin: true }))).toBeUndefined();
    expect(codeOf(() => requireCanAnnounce({ ...event, hostRole: 'checkin' }))).toBe(
      ErrorCode.announcementNotHost,
    );
    expect(codeOf(() => requireCanAnnounce({ ...story, author: true }))).toBe(ErrorCode.validationFailed);
  });

  it('[CV4] a body is 1..5000 characters once trimmed, counted as Postgres counts them', () => {
    expect(commentBody('  hi \n')).toBe('hi');
    expect(codeOf(() => commentBody(' \t\n'))).toBe(ErrorCode.commentEmpty);
    expect(codeOf(() => commentBody('x'.repeat(5001)))).toBe(ErrorCode.commentTooLong);
    expect(commentBody('🙂'.repeat(5000))).toHaveLength(10_000);
  });

  it('[CV5] only the author edits a visible comment', () => {
    expect(codeOf(() => requireEditable(comment, 'a'))).toBeUndefined();
    expect(codeOf(() => requireEditable(comment, 'b'))).toBe(ErrorCode.notCommentAuthor);
    expect(codeOf(() => requireEditable({ ...comment, status: 'removed' }, 'a'))).toBe(ErrorCode.conflict);
  });

  it('[CV6] authors delete (or remove under replies), moderators and admins hide, others are refused', () => {
    const actor = { userId: 'a', moderator: false, communityAdmin: false };
    expect(deletionBy(comment, actor, false)).toBe('delete');
    expect(deletionBy(comment, actor, true)).toBe('remove');
    expect(deletionBy(comment, { ...actor, userId: 'm', moderator: true }, false)).toBe('hide');
    expect(deletionBy(comment, { ...actor, userId: 'ad', communityAdmin: true }, true)).toBe('hide');
    expect(codeOf(() => deletionBy(comment, { ...actor, userId: 'x' }, false))).toBe(
      ErrorCode.notCommentAuthor,
    );
  });
});

describe('[ST19] conversation guesses over the replica', () => {
  const me = newId();
  const ctx: MutationContext = {
    userId: me,
    siteRole: 'member',
    now: new Date('2026-03-01T10:00:00Z'),
    mutationId: newId(),
  };
  const storyId = newId();
  const replica = () =>
    new MemoryReplica({
      emotions: [
        { key: 'joy', position: 1, valence: 2, arousal: 1 },
        { key: 'awe', position: 6, valence: 1, arousal: 2 },
      ],
      stories: [
        {
          id: storyId,
          draft_id: newId(),
          community_id: null,
          visibility: 'public',
          status: 'published',
          title: 'T',
          summary: '',
          content_html: '<p>x</p>',
          content_text: 'x',
          language: 'en',
          content_warning: null,
          current_version: 1,
          published_by: newId(),
          first_published_at: '2026-01-01T00:00:00Z',
          published_at: '2026-01-01T00:00:00Z',
        },
      ],
    });

  it('[CV7] a reaction is guessed with the id the server derives, and reacting again reuses it', async () => {
    const local = replica();
    local.apply(await mutations.react.optimistic({ subject: { storyId }, emotionKey: 'joy' }, ctx, local));
    local.apply(await mutations.react.optimistic({ subject: { storyId }, emotionKey: 'awe' }, ctx, local));
    expect(local.rows('reactions')).toMatchObject([
      { id: reactionIdOf('story', storyId, me), emotion_key: 'awe' },
    ]);
    expect(await mutations.react.optimistic({ subject: { storyId }, emotionKey: 'meh' }, ctx, local)).toEqual(
      [],
    );
  });

  it('[CV1] no guess for a subject the replica does not hold, or a blank body', async () => {
    const local = replica();
    const args = { commentId: newId(), subject: { storyId: newId() }, body: 'hi' };
    expect(await mutations.postComment.optimistic(args, ctx, local)).toEqual([]);
    expect(
      await mutations.postComment.optimistic({ ...args, subject: { storyId }, body: ' ' }, ctx, local),
    ).toEqual([]);
    expect(
      await mutations.postComment.optimistic({ ...args, subject: { storyId } }, ctx, local),
    ).toMatchObject([
      {
        table: 'comments',
        op: 'upsert',
        row: { body: 'hi', author_id: me, story_id: storyId, status: 'visible' },
      },
    ]);
  });
});
