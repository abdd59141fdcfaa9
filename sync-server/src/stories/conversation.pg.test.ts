// Comments, announcements and reactions on events and stories through POST /api/mutations on a real
// Postgres (SPEC.md CV1..CV8): who may write where, threads, moderation, one reaction per person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { reactionIdOf } from '@hearth/schema/stories/ids';
import { FROZEN_NOW, post, send, startWriteHarness, type WriteHarness } from '../writes/test-support/harness';
import type { TestUser } from '../writes/test-support/sessions';
import {
  addHost,
  addMember,
  addRsvp,
  block,
  insertCommunity,
  insertEvent,
  insertStory,
  users,
} from './test-support';

let h: WriteHarness;
let host: TestUser;
let manager: TestUser;
let checker: TestUser;
let admin: TestUser;
let member: TestUser;
let outsider: TestUser;
let attendee: TestUser;
let author: TestUser;
let moderator: TestUser;
let communityId: string;
const events: Record<'public' | 'community' | 'unlisted', string> = {
  public: '',
  community: '',
  unlisted: '',
};
const stories: Record<'public' | 'community' | 'private' | 'hidden', string> = {
  public: '',
  community: '',
  private: '',
  hidden: '',
};

beforeAll(async () => {
  h = await startWriteHarness();
  const db = h.db.pool;
  [host, manager, checker, admin, member, outsider, attendee, author] = (await users(db, 8)) as [
    TestUser,
    TestUser,
    TestUser,
    TestUser,
    TestUser,
    TestUser,
    TestUser,
    TestUser,
  ];
  [moderator] = (await users(db, 1, 'moderator')) as [TestUser];
  communityId = await insertCommunity(db, admin.id);
  await addMember(db, communityId, admin.id, 'admin');
  await addMember(db, communityId, host.id, 'organizer');
  await addMember(db, communityId, member.id);
  await addMember(db, communityId, author.id);
  for (const visibility of ['public', 'community', 'unlisted'] as const) {
    events[visibility] = await insertEvent(db, communityId, host.id, visibility);
    await addHost(db, events[visibility], manager.id, 'manager');
    await addHost(db, events[visibility], checker.id, 'checkin');
    await addRsvp(db, events[visibility], attendee.id);
  }
  stories.public = await insertStory(db, [author.id]);
  stories.community = await insertStory(db, [author.id], { visibility: 'community', communityId });
  stories.private = await insertStory(db, [author.id], { visibility: 'private' });
  stories.hidden = await insertStory(db, [author.id], { status: 'hidden' });
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

async function comment(user: TestUser, subject: object, extra: object = {}) {
  const commentId = newId();
  const outcome = await send(h.app, user, 'postComment', { commentId, subject, body: 'Hello', ...extra });
  return { commentId, outcome };
}

async function expectPosted(user: TestUser, subject: object, extra: object = {}): Promise<string> {
  const { commentId, outcome } = await comment(user, subject, extra);
  expect(outcome, outcome.message).toMatchObject({ status: 'accepted' });
  return commentId;
}

async function expectRefused(user: TestUser, subject: object, code: ErrorCode, extra: object = {}) {
  const { commentId, outcome } = await comment(user, subject, extra);
  expect(outcome).toMatchObject({ status: 'rejected', code });
  expect(await q(`select 1 from comments where id = $1`, [commentId])).toEqual([]);
  return outcome;
}

describe('[CV1] comments go where their author can read', () => {
  it('[CV1] events: public to anyone; community-only to members and hosts; unlisted to members, hosts and attendees', async () => {
    await expectPosted(outsider, { eventId: events.public });
    await expectPosted(member, { eventId: events.community });
    await expectPosted(checker, { eventId: events.community });
    await expectRefused(outsider, { eventId: events.community }, ErrorCode.subjectNotVisible);
    await expectRefused(attendee, { eventId: events.community }, ErrorCode.subjectNotVisible);
    await expectPosted(attendee, { eventId: events.unlisted });
    await expectRefused(outsider, { eventId: events.unlisted }, ErrorCode.subjectNotVisible);
    await expectRefused(member, { eventId: newId() }, ErrorCode.subjectNotVisible);
  });

  it('[CV1] stories: published public ones; community ones to members; private ones to their authors only', async () => {
    await expectPosted(outsider, { storyId: stories.public });
    await expectPosted(member, { storyId: stories.community });
    await expectRefused(outsider, { storyId: stories.community }, ErrorCode.subjectNotVisible);
    await expectRefused(member, { storyId: stories.private }, ErrorCode.subjectNotVisible);
    await expectPosted(author, { storyId: stories.private });
    await expectRefused(member, { storyId: stories.hidden }, ErrorCode.subjectNotVisible);
  });

  it('[CV1] a block between a reader and a story publisher hides the story from the reader, both ways', async () => {
    const [blocker, blocked] = (await users(h.db.pool, 2)) as [TestUser, TestUser];
    await block(h.db.pool, blocker.id, author.id);
    await block(h.db.pool, author.id, blocked.id);
    await expectRefused(blocker, { storyId: stories.public }, ErrorCode.subjectNotVisible);
    await expectRefused(blocked, { storyId: stories.public }, ErrorCode.subjectNotVisible);
  });

  it('[CV1] the server stamps author and time, and stores the body trimmed', async () => {
    const commentId = newId();
    await send(h.app, member, 'postComment', {
      commentId,
      subject: { storyId: stories.public },
      body: '  Thank you.\n',
    });
    expect(
      await q(`select author_id, body, kind, status, created_at, story_id from comments where id = $1`, [
        commentId,
      ]),
    ).toEqual([
      {
        author_id: member.id,
        body: 'Thank you.',
        kind: 'comment',
        status: 'visible',
        created_at: FROZEN_NOW,
        story_id: stories.public,
      },
    ]);
  });
});

describe('[CV2] threads', () => {
  it('[CV2] a reply answers a comment on the same subject', async () => {
    const parentId = await expectPosted(member, { eventId: events.public });
    const replyId = await expectPosted(outsider, { eventId: events.public }, { parentId });
    expect(await q(`select parent_id from comments where id = $1`, [replyId])).toEqual([
      { parent_id: parentId },
    ]);
  });

  it('[CV2] a reply to a comment on another subject is refused', async () => {
    const parentId = await expectPosted(member, { eventId: events.public });
    await expectRefused(member, { storyId: stories.public }, ErrorCode.replySubjectMismatch, { parentId });
    await expectRefused(member, { eventId: events.community }, ErrorCode.replySubjectMismatch, { parentId });
    await expectRefused(member, { eventId: events.public }, ErrorCode.notFound, { parentId: newId() });
  });
});

describe('[CV3] announcements', () => {
  it('[CV3] hosts, managers and community admins announce; check-in helpers, organizers who do not host and members do not', async () => {
    const announce = { kind: 'announcement' };
    await expectPosted(host, { eventId: events.community }, announce);
    await expectPosted(manager, { eventId: events.community }, announce);
    await expectPosted(admin, { eventId: events.community }, announce);
    await expectRefused(checker, { eventId: events.community }, ErrorCode.announcementNotHost, announce);
    await expectRefused(member, { eventId: events.community }, ErrorCode.announcementNotHost, announce);
    await expectRefused(attendee, { eventId: events.public }, ErrorCode.announcementNotHost, announce);
    const organizerElsewhere = await insertEvent(h.db.pool, communityId, admin.id);
    await expectRefused(host, { eventId: organizerElsewhere }, ErrorCode.announcementNotHost, announce);
  });

  it('[CV3] announcements are for events, and top-level', async () => {
    await expectRefused(author, { storyId: stories.public }, ErrorCode.validationFailed, {
      kind: 'announcement',
    });
    const parentId = await expectPosted(member, { eventId: events.public });
    const { outcome } = await comment(host, { eventId: events.public }, { kind: 'announcement', parentId });
    expect(outcome).toMatchObject({ status: 'http 400', code: ErrorCode.validationFailed });
  });
});

describe('[CV4] bodies', () => {
  it('[CV4] an empty or blank body is refused with comment_empty', async () => {
    await expectRefused(member, { eventId: events.public }, ErrorCode.commentEmpty, { body: '' });
    await expectRefused(member, { eventId: events.public }, ErrorCode.commentEmpty, { body: ' \n\t ' });
  });

  it('[CV4] a body over 5000 characters is refused with comment_too_long; 5000 astral characters are fine', async () => {
    const outcome = await expectRefused(member, { eventId: events.public }, ErrorCode.commentTooLong, {
      body: 'a'.repeat(5001),
    });
    expect(outcome.message).toContain('5001');
    await expectPosted(member, { eventId: events.public }, { body: '🙂'.repeat(5000) });
  });
});

describe('[CV5] editComment', () => {
  it('[CV5] only its author edits; the server stamps edited_at', async () => {
    const commentId = await expectPosted(member, { storyId: stories.public });
    expect(await send(h.app, outsider, 'editComment', { commentId, body: 'Mine' })).toMatchObject({
      status: 'rejected',
      code: ErrorCode.notCommentAuthor,
    });
    expect(await send(h.app, member, 'editComment', { commentId, body: ' ' })).toMatchObject({
      code: ErrorCode.commentEmpty,
    });
    expect(await send(h.app, member, 'editComment', { commentId, body: 'Edited' })).toMatchObject({
      status: 'accepted',
    });
    expect(await q(`select body, edited_at from comments where id = $1`, [commentId])).toEqual([
      { body: 'Edited', edited_at: FROZEN_NOW },
    ]);
  });
});

describe('[CV6] deleteComment', () => {
  it('[CV6] its author deletes a comment without replies; one with replies is marked removed and the thread stays', async () => {
    const lone = await expectPosted(member, { eventId: events.public });
    const parent = await expectPosted(member, { eventId: events.public });
    const reply = await expectPosted(outsider, { eventId: events.public }, { parentId: parent });
    expect(await send(h.app, member, 'deleteComment', { commentId: lone })).toMatchObject({
      status: 'accepted',
    });
    expect(await send(h.app, member, 'deleteComment', { commentId: parent })).toMatchObject({
      status: 'accepted',
    });
    expect(await q(`select 1 from comments where id = $1`, [lone])).toEqual([]);
    expect(await q(`select status from comments where id = $1`, [parent])).toEqual([{ status: 'removed' }]);
    expect(await q(`select status from comments where id = $1`, [reply])).toEqual([{ status: 'visible' }]);
    expect(await send(h.app, member, 'editComment', { commentId: parent, body: 'back' })).toMatchObject({
      code: ErrorCode.conflict,
    });
  });

  it('[CV6] a site moderator or an admin of the community hides a comment (audited); others are refused', async () => {
    const first = await expectPosted(member, { storyId: stories.community });
    const second = await expectPosted(member, { eventId: events.community });
    expect(await send(h.app, outsider, 'deleteComment', { commentId: first })).toMatchObject({
      code: ErrorCode.notCommentAuthor,
    });
    expect(await send(h.app, host, 'deleteComment', { commentId: first })).toMatchObject({
      code: ErrorCode.notCommentAuthor,
    });
    expect(await send(h.app, admin, 'deleteComment', { commentId: first })).toMatchObject({
      status: 'accepted',
    });
    expect(await send(h.app, moderator, 'deleteComment', { commentId: second })).toMatchObject({
      status: 'accepted',
    });
    expect(await q(`select status from comments where id = any($1) order by id`, [[first, second]])).toEqual([
      { status: 'hidden' },
      { status: 'hidden' },
    ]);
    expect(
      await q(
        `select actor_id from audit_log where action = 'comment.hidden' and subject_id = any($1) order by subject_id`,
        [[first, second]],
      ),
    ).toEqual([{ actor_id: admin.id }, { actor_id: moderator.id }]);
  });
});

describe('[CV7] [CV8] reactions', () => {
  it('[CV7] one reaction per person per story: reacting again replaces the emotion, same row', async () => {
    const subject = { storyId: stories.public };
    expect(await send(h.app, member, 'react', { subject, emotionKey: 'joy' })).toMatchObject({
      status: 'accepted',
    });
    expect(await send(h.app, member, 'react', { subject, emotionKey: 'awe' })).toMatchObject({
      status: 'accepted',
    });
    expect(
      await q(`select id, emotion_key from reactions where story_id = $1 and user_id = $2`, [
        stories.public,
        member.id,
      ]),
    ).toEqual([{ id: reactionIdOf('story', stories.public, member.id), emotion_key: 'awe' }]);
  });

  it('[CV7] events and comments take reactions too; unknown emotions and invisible subjects are refused', async () => {
    expect(
      await send(h.app, member, 'react', { subject: { eventId: events.community }, emotionKey: 'hope' }),
    ).toMatchObject({
      status: 'accepted',
    });
    const commentId = await expectPosted(member, { eventId: events.community });
    expect(
      await send(h.app, host, 'react', { subject: { commentId }, emotionKey: 'gratitude' }),
    ).toMatchObject({
      status: 'accepted',
    });
    expect(await send(h.app, outsider, 'react', { subject: { commentId }, emotionKey: 'joy' })).toMatchObject(
      {
        code: ErrorCode.subjectNotVisible,
      },
    );
    expect(
      await send(h.app, outsider, 'react', { subject: { eventId: events.community }, emotionKey: 'joy' }),
    ).toMatchObject({
      code: ErrorCode.subjectNotVisible,
    });
    expect(
      await send(h.app, member, 'react', { subject: { storyId: stories.public }, emotionKey: 'smug' }),
    ).toMatchObject({
      code: ErrorCode.unknownEmotion,
    });
  });

  it('[CV8] unreact removes your reaction and only yours; twice is a no-op', async () => {
    const subject = { storyId: stories.community };
    await send(h.app, member, 'react', { subject, emotionKey: 'love' });
    await send(h.app, author, 'react', { subject, emotionKey: 'pride' });
    expect(await send(h.app, member, 'unreact', { subject })).toMatchObject({ status: 'accepted' });
    expect(await send(h.app, member, 'unreact', { subject })).toMatchObject({ status: 'accepted' });
    expect(await q(`select user_id from reactions where story_id = $1`, [stories.community])).toEqual([
      { user_id: author.id },
    ]);
  });

  it('[CV7] a subject is one of event, story or comment: two at once is a 400', async () => {
    const { status, body } = await post(h.app, member, {
      mutations: [
        {
          id: newId(),
          name: 'react',
          args: { subject: { eventId: events.public, storyId: stories.public }, emotionKey: 'joy' },
        },
      ],
    });
    expect(status).toBe(400);
    expect(body.code).toBe(ErrorCode.validationFailed);
  });
});
