// The demo world's stories are real drafts (SPEC.md ST16, ST17): the demo draft has co-authors and a
// stored Yjs document that publishes through the write path, and every seeded story has emotions, tags
// and a document behind it, so republishing it keeps them and makes version 2.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@hearth/schema/ids';
import { send, startWriteHarness, type WriteHarness } from '../writes/test-support/harness';
import type { TestUser } from '../writes/test-support/sessions';
import { demoDrafts, stories } from '../seed/demo-data';
import { seedDemoData } from '../seed/seed';

let h: WriteHarness;

beforeAll(async () => {
  h = await startWriteHarness();
  const client = await h.db.pool.connect();
  try {
    await client.query('begin');
    // The password hash is not what these tests are about: a fixed PHC string keeps them fast.
    await seedDemoData(client, {
      now: new Date(),
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    });
    await client.query('commit');
  } finally {
    client.release();
  }
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

/** A live session for a seeded person, as the harness's session resolver looks it up. */
async function sessionFor(displayName: string): Promise<TestUser> {
  const [row] = await q<{ id: string }>(`select id from users where display_name like $1`, [
    `${displayName}%`,
  ]);
  if (!row) throw new Error(`no seeded user named ${displayName}`);
  const token = randomBytes(32).toString('base64url');
  await q(
    `insert into sessions (id, user_id, token_hash, expires_at) values ($1, $2, $3, now() + interval '1 day')`,
    [newId(), row.id, createHash('sha256').update(token).digest()],
  );
  return { id: row.id, token };
}

describe('demo stories and drafts', () => {
  it('[ST16] every seeded story has emotions and tags, and so does the draft behind it', async () => {
    const rows = await q<{
      title: string;
      emotions: number;
      tags: number;
      draft_emotions: number;
      draft_tags: number;
    }>(
      `select s.title,
         (select count(*)::int from story_emotions e where e.story_id = s.id) as emotions,
         (select count(*)::int from story_tags t where t.story_id = s.id) as tags,
         (select count(*)::int from draft_emotions e where e.draft_id = s.draft_id) as draft_emotions,
         (select count(*)::int from draft_tags t where t.draft_id = s.draft_id) as draft_tags
       from stories s`,
    );
    expect(rows).toHaveLength(stories.length);
    for (const row of rows) {
      expect(row.emotions, row.title).toBeGreaterThan(0);
      expect(row.tags, row.title).toBeGreaterThan(0);
      expect(row.draft_emotions, row.title).toBe(row.emotions);
      expect(row.draft_tags, row.title).toBe(row.tags);
    }
  });

  it('[ST16] the demo draft has two co-authors and a document stored as a snapshot plus updates; its owner publishes it', async () => {
    const [draft] = demoDrafts;
    if (!draft) throw new Error('no demo draft');
    const [row] = await q<{ id: string; coauthors: number; updates: number; snapshots: number }>(
      `select d.id,
         (select count(*)::int from draft_authors a where a.draft_id = d.id and a.role = 'coauthor') as coauthors,
         (select count(*)::int from draft_updates u where u.draft_id = d.id) as updates,
         (select count(*)::int from draft_snapshots s where s.draft_id = d.id) as snapshots
       from drafts d where d.title = $1`,
      [draft.title],
    );
    expect(row).toMatchObject({ coauthors: 2, updates: 2, snapshots: 1 });
    const amara = await sessionFor('Amara');
    expect(await send(h.app, amara, 'publishDraft', { draftId: row?.id })).toMatchObject({
      status: 'accepted',
    });
    const [story] = await q<{ content_html: string; visibility: string }>(
      `select content_html, visibility from stories where draft_id = $1`,
      [row?.id],
    );
    expect(story?.visibility).toBe('community');
    expect(story?.content_html).toBe(
      '<h2>Three voices, one river</h2><p>Every circle ends with a song. We are writing down the ones people brought with them.</p>' +
        '<p>Kenji brought <em>Furusato</em>, the song every Japanese school child learns about the hills of home.</p>' +
        '<ul><li><p>Amara: a highlife tune her grandmother hummed</p></li><li><p>Élodie: À la claire fontaine</p></li></ul>',
    );
    expect(
      await q(
        `select t.slug from story_tags st join tags t on t.id = st.tag_id join stories s on s.id = st.story_id
                    where s.draft_id = $1 order by t.slug`,
        [row?.id],
      ),
    ).toEqual([{ slug: 'igbo' }, { slug: 'riverside' }]);
  });

  it('[ST17] republishing a seeded story keeps its emotions and tags and makes version 2', async () => {
    const [before] = await q<{ id: string; draft_id: string; emotions: string[]; tags: string[] }>(
      `select s.id, s.draft_id,
         array(select emotion_key from story_emotions where story_id = s.id order by 1) as emotions,
         array(select tag_id::text from story_tags where story_id = s.id order by 1) as tags
       from stories s where s.title = $1`,
      ["My grandmother's radio"],
    );
    const amara = await sessionFor('Amara');
    expect(await send(h.app, amara, 'publishDraft', { draftId: before?.draft_id })).toMatchObject({
      status: 'accepted',
    });
    const [after] = await q<{
      current_version: number;
      emotions: string[];
      tags: string[];
      content_text: string;
    }>(
      `select s.current_version, s.content_text,
         array(select emotion_key from story_emotions where story_id = s.id order by 1) as emotions,
         array(select tag_id::text from story_tags where story_id = s.id order by 1) as tags
       from stories s where s.id = $1`,
      [before?.id],
    );
    expect(after).toMatchObject({ current_version: 2, emotions: before?.emotions, tags: before?.tags });
    expect(after?.content_text).toMatch(/^My grandmother kept a radio/u);
  });
});
