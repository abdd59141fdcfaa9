// Draft and publishing mutations through POST /api/mutations on a real Postgres (SPEC.md ST10..ST19):
// every mutation and who may run it, and publishing from a Yjs document stored the way the collab
// rooms store it (a snapshot plus the updates after it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { MemoryReplica, mutations, type ReplicaRows } from '@hearth/schema/mutations/index';
import { draftAuthorId, storyIdOf, tagIdOf } from '@hearth/schema/stories/ids';
import { renderStory } from '@hearth/schema/stories/render';
import { sanitizeStoryHtml } from '@hearth/schema/stories/sanitize';
import { storyTreeOf } from '@hearth/schema/stories/tree';
import { FROZEN_NOW, send, startWriteHarness, type WriteHarness } from '../writes/test-support/harness';
import type { TestUser } from '../writes/test-support/sessions';
import {
  addCoAuthor,
  addMember,
  block,
  docOf,
  insertCommunity,
  insertDraft,
  paragraph,
  storeDraftDocument,
  text,
  users,
} from './test-support';

let h: WriteHarness;
let owner: TestUser;
let coauthor: TestUser;
let outsider: TestUser;
let member: TestUser;
let communityId: string;

beforeAll(async () => {
  h = await startWriteHarness();
  [owner, coauthor, outsider, member] = (await users(h.db.pool, 4)) as [
    TestUser,
    TestUser,
    TestUser,
    TestUser,
  ];
  communityId = await insertCommunity(h.db.pool, owner.id);
  await addMember(h.db.pool, communityId, owner.id, 'admin');
  await addMember(h.db.pool, communityId, member.id);
  await addMember(h.db.pool, communityId, coauthor.id);
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

async function draftWithCoAuthor(fields: Parameters<typeof insertDraft>[2] = {}) {
  const draftId = await insertDraft(h.db.pool, owner.id, fields);
  await addCoAuthor(h.db.pool, draftId, coauthor.id, owner.id);
  return draftId;
}

const expectOutcome = async (promise: ReturnType<typeof send>, expected: 'accepted' | ErrorCode) => {
  const outcome = await promise;
  if (expected === 'accepted') expect(outcome, outcome.message).toMatchObject({ status: 'accepted' });
  else expect(outcome).toMatchObject({ status: 'rejected', code: expected });
  return outcome;
};

describe('[ST10] createDraft', () => {
  it('[ST10] the creator owns the new draft: one owner row in draft_authors', async () => {
    const draftId = newId();
    await expectOutcome(
      send(h.app, member, 'createDraft', { draftId, title: 'Rain in June', language: 'pt-br' }),
      'accepted',
    );
    expect(
      await q(`select owner_id, title, language, visibility, status, updated_at from drafts where id = $1`, [
        draftId,
      ]),
    ).toEqual([
      {
        owner_id: member.id,
        title: 'Rain in June',
        language: 'pt-BR',
        visibility: 'public',
        status: 'open',
        updated_at: FROZEN_NOW,
      },
    ]);
    expect(await q(`select id, user_id, role from draft_authors where draft_id = $1`, [draftId])).toEqual([
      { id: draftAuthorId(draftId, member.id), user_id: member.id, role: 'owner' },
    ]);
  });

  it('[ST10] a draft goes to a community only its creator is an active member of', async () => {
    await expectOutcome(
      send(h.app, outsider, 'createDraft', { draftId: newId(), communityId }),
      ErrorCode.notMember,
    );
    await expectOutcome(
      send(h.app, member, 'createDraft', { draftId: newId(), communityId, visibility: 'community' }),
      'accepted',
    );
  });

  it('[ST10] a community story needs a community', async () => {
    const outcome = await expectOutcome(
      send(h.app, member, 'createDraft', { draftId: newId(), visibility: 'community' }),
      ErrorCode.validationFailed,
    );
    expect(outcome.message).toMatch(/^communityId: /u);
  });
});

describe('[ST11] updateDraft', () => {
  it('[ST11] any author edits the metadata; emotions and free tags replace the sets, tags by normalized slug', async () => {
    const draftId = await draftWithCoAuthor();
    await expectOutcome(
      send(h.app, coauthor, 'updateDraft', {
        draftId,
        title: '  Harmattan mornings ',
        contentWarning: 'Loss of a parent',
        emotions: ['nostalgia', 'grief', 'nostalgia'],
        tags: [
          { kind: 'place', label: 'São Paulo' },
          { kind: 'place', label: 'sao paulo' },
          { kind: 'culture', label: 'Yorùbá' },
        ],
      }),
      'accepted',
    );
    expect(await q(`select title, content_warning from drafts where id = $1`, [draftId])).toEqual([
      { title: 'Harmattan mornings', content_warning: 'Loss of a parent' },
    ]);
    expect(
      await q(`select emotion_key from draft_emotions where draft_id = $1 order by 1`, [draftId]),
    ).toEqual([{ emotion_key: 'grief' }, { emotion_key: 'nostalgia' }]);
    expect(
      await q(`select kind::text, slug, label from draft_tags where draft_id = $1 order by 1, 2`, [draftId]),
    ).toEqual([
      { kind: 'culture', slug: 'yoruba', label: 'Yorùbá' },
      { kind: 'place', slug: 'sao-paulo', label: 'São Paulo' },
    ]);

    await expectOutcome(
      send(h.app, owner, 'updateDraft', { draftId, emotions: ['joy'], tags: [], contentWarning: null }),
      'accepted',
    );
    expect(await q(`select emotion_key from draft_emotions where draft_id = $1`, [draftId])).toEqual([
      { emotion_key: 'joy' },
    ]);
    expect(await q(`select 1 from draft_tags where draft_id = $1`, [draftId])).toEqual([]);
    expect(await q(`select content_warning from drafts where id = $1`, [draftId])).toEqual([
      { content_warning: null },
    ]);
  });

  it('[ST11] tags in any script are stored; the database accepts their slugs', async () => {
    const draftId = await draftWithCoAuthor();
    await expectOutcome(
      send(h.app, owner, 'updateDraft', {
        draftId,
        tags: [
          { kind: 'place', label: '日本' },
          { kind: 'language', label: 'हिन्दी' },
        ],
      }),
      'accepted',
    );
    expect(await q(`select slug from draft_tags where draft_id = $1 order by slug`, [draftId])).toEqual([
      { slug: '_1tl_1tr_1t4_1u5_1t2_1ts' },
      { slug: '_k4l_kdo' },
    ]);
  });

  it('[ST11] a label that names an existing tag (by slug or by label) is that tag', async () => {
    await q(`insert into tags (id, kind, slug, label) values ($1, 'place', 'osaka', '大阪')`, [newId()]);
    const draftId = await draftWithCoAuthor();
    await expectOutcome(
      send(h.app, owner, 'updateDraft', {
        draftId,
        tags: [
          { kind: 'place', label: '大阪' },
          { kind: 'place', label: 'OSAKA' },
        ],
      }),
      'accepted',
    );
    expect(await q(`select slug, label from draft_tags where draft_id = $1`, [draftId])).toEqual([
      { slug: 'osaka', label: '大阪' },
    ]);
  });

  it('[ST11] someone who is not an author is refused, and nothing changes', async () => {
    const draftId = await draftWithCoAuthor();
    await expectOutcome(
      send(h.app, outsider, 'updateDraft', { draftId, title: 'Mine now' }),
      ErrorCode.notDraftAuthor,
    );
    expect(await q(`select title from drafts where id = $1`, [draftId])).toEqual([{ title: 'A draft' }]);
  });

  it('[ST11] an unknown emotion is refused with its key named, and nothing changes', async () => {
    const draftId = await draftWithCoAuthor();
    const outcome = await expectOutcome(
      send(h.app, owner, 'updateDraft', { draftId, title: 'x', emotions: ['joy', 'schadenfreude'] }),
      ErrorCode.unknownEmotion,
    );
    expect(outcome.message).toContain('"schadenfreude"');
    expect(await q(`select title from drafts where id = $1`, [draftId])).toEqual([{ title: 'A draft' }]);
    expect(await q(`select 1 from draft_emotions where draft_id = $1`, [draftId])).toEqual([]);
  });

  it('[ST11] an archived draft is read-only', async () => {
    const draftId = await insertDraft(h.db.pool, owner.id, { status: 'archived' });
    await expectOutcome(send(h.app, owner, 'updateDraft', { draftId, title: 'x' }), ErrorCode.draftArchived);
  });

  it('[ST11] moving a draft to a community needs an active membership there', async () => {
    const draftId = await insertDraft(h.db.pool, outsider.id);
    await expectOutcome(send(h.app, outsider, 'updateDraft', { draftId, communityId }), ErrorCode.notMember);
  });

  it('[ST19] the optimistic guess writes the rows the server writes', async () => {
    const draftId = await draftWithCoAuthor();
    const args = mutations.updateDraft.args.parse({
      draftId,
      title: 'Guessed',
      emotions: ['hope'],
      tags: [{ kind: 'culture', label: 'Igbo' }],
    });
    const rows: ReplicaRows = {
      drafts: await q(`select * from drafts where id = $1`, [draftId]),
      draft_authors: await q(`select * from draft_authors where draft_id = $1`, [draftId]),
      emotions: await q(`select * from emotions`),
    };
    const replica = new MemoryReplica(rows);
    const ctx = { userId: owner.id, siteRole: 'member' as const, now: FROZEN_NOW, mutationId: newId() };
    replica.apply(await mutations.updateDraft.optimistic(args, ctx, replica));
    await expectOutcome(send(h.app, owner, 'updateDraft', args), 'accepted');
    expect(replica.rows('draft_emotions')).toEqual(
      await q(`select * from draft_emotions where draft_id = $1`, [draftId]),
    );
    expect(replica.rows('draft_tags')).toEqual(
      await q(`select * from draft_tags where draft_id = $1`, [draftId]),
    );
    expect(replica.rows('drafts')[0]?.title).toBe('Guessed');
  });
});

describe('[ST12] inviteCoAuthor', () => {
  it('[ST12] the owner invites; co-authors, outsiders, duplicates and blocked people are refused', async () => {
    const draftId = await draftWithCoAuthor();
    await expectOutcome(
      send(h.app, coauthor, 'inviteCoAuthor', { draftId, userId: member.id }),
      ErrorCode.notDraftOwner,
    );
    await expectOutcome(
      send(h.app, outsider, 'inviteCoAuthor', { draftId, userId: member.id }),
      ErrorCode.notDraftAuthor,
    );
    await expectOutcome(send(h.app, owner, 'inviteCoAuthor', { draftId, userId: member.id }), 'accepted');
    expect(
      await q(`select id, role, invited_by from draft_authors where draft_id = $1 and user_id = $2`, [
        draftId,
        member.id,
      ]),
    ).toEqual([{ id: draftAuthorId(draftId, member.id), role: 'coauthor', invited_by: owner.id }]);
    await expectOutcome(
      send(h.app, owner, 'inviteCoAuthor', { draftId, userId: member.id }),
      ErrorCode.conflict,
    );
    await expectOutcome(
      send(h.app, owner, 'inviteCoAuthor', { draftId, userId: newId() }),
      ErrorCode.notFound,
    );
    const [blocker] = await users(h.db.pool, 1);
    await block(h.db.pool, blocker!.id, owner.id);
    await expectOutcome(
      send(h.app, owner, 'inviteCoAuthor', { draftId, userId: blocker!.id }),
      ErrorCode.forbidden,
    );
  });
});

describe('[ST13] removeCoAuthor', () => {
  it('[ST13] the owner removes a co-author; a co-author leaves; nobody removes the owner or another co-author', async () => {
    const draftId = await draftWithCoAuthor();
    await addCoAuthor(h.db.pool, draftId, member.id, owner.id);
    await expectOutcome(
      send(h.app, coauthor, 'removeCoAuthor', { draftId, userId: member.id }),
      ErrorCode.notDraftOwner,
    );
    await expectOutcome(
      send(h.app, coauthor, 'removeCoAuthor', { draftId, userId: owner.id }),
      ErrorCode.conflict,
    );
    await expectOutcome(
      send(h.app, owner, 'removeCoAuthor', { draftId, userId: owner.id }),
      ErrorCode.conflict,
    );
    await expectOutcome(
      send(h.app, outsider, 'removeCoAuthor', { draftId, userId: member.id }),
      ErrorCode.notDraftAuthor,
    );
    await expectOutcome(
      send(h.app, coauthor, 'removeCoAuthor', { draftId, userId: coauthor.id }),
      'accepted',
    );
    await expectOutcome(send(h.app, owner, 'removeCoAuthor', { draftId, userId: member.id }), 'accepted');
    await expectOutcome(
      send(h.app, owner, 'removeCoAuthor', { draftId, userId: member.id }),
      ErrorCode.notFound,
    );
    expect(await q(`select user_id from draft_authors where draft_id = $1`, [draftId])).toEqual([
      { user_id: owner.id },
    ]);
  });
});

describe('[ST14] archiveDraft', () => {
  it('[ST14] only the owner archives', async () => {
    const draftId = await draftWithCoAuthor();
    await expectOutcome(send(h.app, coauthor, 'archiveDraft', { draftId }), ErrorCode.notDraftOwner);
    await expectOutcome(send(h.app, outsider, 'archiveDraft', { draftId }), ErrorCode.notDraftAuthor);
    await expectOutcome(send(h.app, owner, 'archiveDraft', { draftId }), 'accepted');
    expect(await q(`select status from drafts where id = $1`, [draftId])).toEqual([{ status: 'archived' }]);
    await expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), ErrorCode.draftArchived);
  });
});

const FIRST = docOf(
  { type: 'heading', attrs: { level: 2 }, content: [text('Morning')] },
  paragraph(text('We woke to '), text('drums', [{ type: 'bold' }]), text('.')),
);
const HOSTILE = docOf(
  paragraph(
    text('<script>alert(1)</script>'),
    text('click', [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }]),
    text(' or ', [{ type: 'italic' }]),
    text('read', [{ type: 'link', attrs: { href: 'https://example.org/?q=<x>' } }]),
  ),
  { type: 'iframe', attrs: { src: 'https://evil.example', onload: 'alert(1)' }, content: [text('framed')] },
);

describe('[ST15] publishDraft: who and when', () => {
  it("[ST15] publishing someone else's draft is refused, and no story appears", async () => {
    const draftId = await draftWithCoAuthor();
    await storeDraftDocument(h.db.pool, draftId, owner.id, FIRST);
    await expectOutcome(send(h.app, outsider, 'publishDraft', { draftId }), ErrorCode.notDraftAuthor);
    await expectOutcome(send(h.app, outsider, 'publishDraft', { draftId: newId() }), ErrorCode.notFound);
    expect(await q(`select 1 from stories where draft_id = $1`, [draftId])).toEqual([]);
  });

  it('[ST15] a draft without a title or without text is incomplete', async () => {
    const untitled = await insertDraft(h.db.pool, owner.id, { title: '  ' });
    await storeDraftDocument(h.db.pool, untitled, owner.id, FIRST);
    const outcome = await expectOutcome(
      send(h.app, owner, 'publishDraft', { draftId: untitled }),
      ErrorCode.draftIncomplete,
    );
    expect(outcome.message).toMatch(/^title: /u);
    const empty = await insertDraft(h.db.pool, owner.id);
    await expectOutcome(send(h.app, owner, 'publishDraft', { draftId: empty }), ErrorCode.draftIncomplete);
    const blank = await insertDraft(h.db.pool, owner.id);
    await storeDraftDocument(h.db.pool, blank, owner.id, docOf(paragraph(text('   '))));
    await expectOutcome(send(h.app, owner, 'publishDraft', { draftId: blank }), ErrorCode.draftIncomplete);
  });

  it('[ST15] a community story is published by an active member of that community', async () => {
    const draftId = await insertDraft(h.db.pool, outsider.id, { visibility: 'community', communityId });
    await storeDraftDocument(h.db.pool, draftId, outsider.id, FIRST);
    await expectOutcome(send(h.app, outsider, 'publishDraft', { draftId }), ErrorCode.notMember);
  });
});

describe('[ST16] [ST17] publishing a stored Yjs document', () => {
  let draftId: string;
  let storyId: string;

  it('[ST16] the first publish renders the snapshot and the later updates into the story and version 1', async () => {
    draftId = await draftWithCoAuthor({ title: 'Harmattan', visibility: 'community', communityId });
    await send(h.app, owner, 'updateDraft', {
      draftId,
      emotions: ['nostalgia', 'joy'],
      tags: [
        { kind: 'place', label: 'Kano' },
        { kind: 'culture', label: 'Hausa' },
      ],
      contentWarning: 'Dust',
    });
    // A tag that already exists keeps its id; a new one is made with the derived id.
    const existingTagId = newId();
    await q(`insert into tags (id, kind, slug, label) values ($1, 'culture', 'hausa', 'Hausa')`, [
      existingTagId,
    ]);
    const doc = await storeDraftDocument(h.db.pool, draftId, owner.id, FIRST, [
      docOf(paragraph(text('Then the dust came.'))),
      HOSTILE,
    ]);

    await expectOutcome(send(h.app, coauthor, 'publishDraft', { draftId }), 'accepted');
    storyId = storyIdOf(draftId);
    const [story] = await q<Record<string, unknown>>(`select * from stories where draft_id = $1`, [draftId]);
    const html =
      '<h2>Morning</h2><p>We woke to <strong>drums</strong>.</p><p>Then the dust came.</p>' +
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;click<em> or </em>' +
      '<a href="https://example.org/?q=%3Cx%3E" rel="noopener noreferrer nofollow">read</a></p><p>framed</p>';
    expect(story).toMatchObject({
      id: storyId,
      community_id: communityId,
      visibility: 'community',
      status: 'published',
      title: 'Harmattan',
      content_html: html,
      content_text:
        'Morning\n\nWe woke to drums.\n\nThen the dust came.\n\n<script>alert(1)</script>click or read\n\nframed',
      language: 'en',
      content_warning: 'Dust',
      current_version: 1,
      published_by: coauthor.id,
      first_published_at: FROZEN_NOW,
      published_at: FROZEN_NOW,
    });
    // The stored HTML is what the two walls make of the document as the rooms hold it.
    expect(story?.['content_html']).toBe(sanitizeStoryHtml(renderStory(storyTreeOf(doc)).html));
    expect(String(story?.['summary'])).toMatch(/^Morning We woke to drums\. Then the dust came\./u);

    expect(
      await q(`select version, title, content_html, published_by from story_versions where story_id = $1`, [
        storyId,
      ]),
    ).toEqual([{ version: 1, title: 'Harmattan', content_html: html, published_by: coauthor.id }]);
    expect(
      await q(`select user_id, position from story_authors where story_id = $1 order by position`, [storyId]),
    ).toEqual([
      { user_id: owner.id, position: 0 },
      { user_id: coauthor.id, position: 1 },
    ]);
    expect(
      await q(`select emotion_key from story_emotions where story_id = $1 order by 1`, [storyId]),
    ).toEqual([{ emotion_key: 'joy' }, { emotion_key: 'nostalgia' }]);
    expect(
      await q(
        `select t.id, t.slug from story_tags st join tags t on t.id = st.tag_id where st.story_id = $1 order by t.slug`,
        [storyId],
      ),
    ).toEqual([
      { id: existingTagId, slug: 'hausa' },
      { id: tagIdOf('place', 'kano'), slug: 'kano' },
    ]);
  });

  it('[ST17] a republish updates the story, appends version 2 and follows the new authors, emotions and tags', async () => {
    await q(`update stories set status = 'hidden' where id = $1`, [storyId]);
    await storeDraftDocument(h.db.pool, draftId, owner.id, docOf(paragraph(text('A second telling.'))));
    await send(h.app, owner, 'updateDraft', {
      draftId,
      title: 'Harmattan, again',
      emotions: ['hope'],
      tags: [{ kind: 'place', label: 'Kano' }],
    });
    await send(h.app, owner, 'removeCoAuthor', { draftId, userId: coauthor.id });
    await expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), 'accepted');

    const [story] = await q(
      `select title, content_html, current_version, status, published_by from stories where id = $1`,
      [storyId],
    );
    expect(story).toEqual({
      title: 'Harmattan, again',
      content_html: '<p>A second telling.</p>',
      current_version: 2,
      // Moderation stays as moderators left it.
      status: 'hidden',
      published_by: owner.id,
    });
    expect(
      await q(`select version, title from story_versions where story_id = $1 order by version`, [storyId]),
    ).toEqual([
      { version: 1, title: 'Harmattan' },
      { version: 2, title: 'Harmattan, again' },
    ]);
    expect(await q(`select user_id from story_authors where story_id = $1`, [storyId])).toEqual([
      { user_id: owner.id },
    ]);
    expect(await q(`select emotion_key from story_emotions where story_id = $1`, [storyId])).toEqual([
      { emotion_key: 'hope' },
    ]);
    expect(await q(`select tag_id from story_tags where story_id = $1`, [storyId])).toEqual([
      { tag_id: tagIdOf('place', 'kano') },
    ]);
  });

  it('[ST17] concurrent publishes of one draft make consecutive versions', async () => {
    await Promise.all([
      expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), 'accepted'),
      expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), 'accepted'),
      expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), 'accepted'),
    ]);
    expect(
      await q(`select version from story_versions where story_id = $1 order by version`, [storyId]),
    ).toEqual([1, 2, 3, 4, 5].map((version) => ({ version })));
  });

  it('[ST18] authors change the visibility (the draft follows); others are refused', async () => {
    await expectOutcome(
      send(h.app, member, 'setStoryVisibility', { storyId, visibility: 'public' }),
      ErrorCode.notDraftAuthor,
    );
    await expectOutcome(
      send(h.app, owner, 'setStoryVisibility', { storyId, visibility: 'public' }),
      'accepted',
    );
    expect(await q(`select visibility from stories where id = $1`, [storyId])).toEqual([
      { visibility: 'public' },
    ]);
    expect(await q(`select visibility from drafts where id = $1`, [draftId])).toEqual([
      { visibility: 'public' },
    ]);
  });

  it('[ST18] unpublishing removes the story and its versions; the draft stays and publishes again as version 1', async () => {
    await expectOutcome(send(h.app, member, 'unpublishStory', { storyId }), ErrorCode.notDraftAuthor);
    await expectOutcome(send(h.app, owner, 'unpublishStory', { storyId }), 'accepted');
    expect(await q(`select 1 from stories where id = $1`, [storyId])).toEqual([]);
    expect(await q(`select 1 from story_versions where story_id = $1`, [storyId])).toEqual([]);
    expect(await q(`select status from drafts where id = $1`, [draftId])).toEqual([{ status: 'open' }]);
    await expectOutcome(send(h.app, owner, 'publishDraft', { draftId }), 'accepted');
    expect(await q(`select current_version, status from stories where id = $1`, [storyId])).toEqual([
      { current_version: 1, status: 'published' },
    ]);
  });
});
