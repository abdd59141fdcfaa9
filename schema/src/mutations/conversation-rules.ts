// Who may comment, announce, react and moderate, as pure decisions over facts: the server reads the
// facts in the mutation's transaction, the optimistic apply from the replica (which only holds what
// its user may see). Visibility mirrors the shape rules (schema/src/shapes/rules.ts VZ3, VZ4), so a
// person can write only where they can read. Rules CV* in sync-server/src/stories/SPEC.md.
import { ErrorCode } from '../errors';
import type { CommentRow } from '../tables/conversation';
import type { EventRow } from '../tables/gatherings';
import type { StoryRow } from '../tables/stories';
import { reject } from './define';

export const COMMENT_MAX = 5000;

export interface EventFacts {
  readonly kind: 'event';
  readonly id: string;
  readonly communityId: string;
  readonly visibility: EventRow['visibility'];
  readonly activeMember: boolean;
  readonly communityAdmin: boolean;
  readonly hostRole: 'host' | 'manager' | 'checkin' | null;
  readonly attending: boolean;
}

export interface StoryFacts {
  readonly kind: 'story';
  readonly id: string;
  readonly communityId: string | null;
  readonly visibility: StoryRow['visibility'];
  readonly status: StoryRow['status'];
  readonly author: boolean;
  readonly activeMember: boolean;
  readonly communityAdmin: boolean;
  /** A block between the viewer and the story's publisher, either way. */
  readonly blocked: boolean;
}

export type SubjectFacts = EventFacts | StoryFacts;

/** [CV1] VZ4: public events; the community's active members; hosts; attendees of unlisted ones. */
export function canSeeEvent(event: EventFacts): boolean {
  return (
    event.visibility === 'public' ||
    event.activeMember ||
    event.hostRole !== null ||
    (event.attending && event.visibility === 'unlisted')
  );
}

/** [CV1] VZ3: published public stories; community ones to active members; no blocks; authors. */
export function canSeeStory(story: StoryFacts): boolean {
  if (story.status !== 'published') return false;
  if (story.author) return true;
  if (story.blocked) return false;
  return story.visibility === 'public' || (story.visibility === 'community' && story.activeMember);
}

/** [CV1] Comments and reactions go only where their author can read. */
export function requireVisibleSubject<S extends SubjectFacts>(subject: S | null | undefined): S {
  const visible = subject && (subject.kind === 'event' ? canSeeEvent(subject) : canSeeStory(subject));
  if (!subject || !visible)
    reject(ErrorCode.subjectNotVisible, 'This event or story does not exist, or you cannot see it.');
  return subject;
}

/** [CV3] Announcements are top-level posts on events, by the event's hosts and managers or the community's admins. */
export function requireCanAnnounce(subject: SubjectFacts): void {
  if (subject.kind !== 'event')
    reject(ErrorCode.validationFailed, 'kind: announcements are posted on events, not on stories.');
  const host = subject.hostRole === 'host' || subject.hostRole === 'manager';
  if (!host && !subject.communityAdmin)
    reject(ErrorCode.announcementNotHost, 'Only the hosts of this event can post announcements.');
}

/** [CV4] A comment has 1..5000 characters once trimmed; it is stored trimmed. */
export function commentBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') reject(ErrorCode.commentEmpty, 'body: write something before posting.');
  const length = [...trimmed].length;
  if (length > COMMENT_MAX)
    reject(
      ErrorCode.commentTooLong,
      `body: a comment has at most ${COMMENT_MAX} characters (this one has ${length}); shorten it or split it.`,
    );
  return trimmed;
}

export type CommentFacts = Pick<CommentRow, 'id' | 'event_id' | 'story_id' | 'author_id' | 'status' | 'kind'>;

/** [CV2] A reply answers a visible comment on the same subject. */
export function requireReplyTarget(parent: CommentFacts | null | undefined, subject: SubjectFacts): void {
  if (!parent || parent.status !== 'visible')
    reject(ErrorCode.notFound, 'parentId: the comment you are replying to does not exist any more.');
  const parentSubject = parent.event_id ?? parent.story_id;
  if (parentSubject !== subject.id)
    reject(
      ErrorCode.replySubjectMismatch,
      'parentId: that comment is about another event or story; reply on the page where it was posted.',
    );
}

/** [CV5] Only its author edits a comment, while it is visible. */
export function requireEditable(comment: CommentFacts | null | undefined, userId: string): CommentFacts {
  if (!comment) reject(ErrorCode.notFound, 'This comment does not exist.');
  if (comment.author_id !== userId) reject(ErrorCode.notCommentAuthor, 'Only its author can edit a comment.');
  if (comment.status !== 'visible')
    reject(ErrorCode.conflict, 'This comment was hidden or removed and can no longer be edited.');
  return comment;
}

export type Deletion = 'delete' | 'remove' | 'hide';

/**
 * [CV6] Its author deletes a comment (a comment with replies is marked removed, so the thread stays);
 * a site moderator or an admin of the subject's community hides it. Anyone else is refused.
 */
export function deletionBy(
  comment: CommentFacts | null | undefined,
  actor: { userId: string; moderator: boolean; communityAdmin: boolean },
  hasReplies: boolean,
): Deletion | null {
  if (!comment) reject(ErrorCode.notFound, 'This comment does not exist.');
  if (comment.author_id === actor.userId) {
    if (comment.status === 'removed') return null;
    return hasReplies ? 'remove' : 'delete';
  }
  if (actor.moderator || actor.communityAdmin) return comment.status === 'visible' ? 'hide' : null;
  return reject(
    ErrorCode.notCommentAuthor,
    'Only its author can delete a comment; moderators and community admins can hide it.',
  );
}
