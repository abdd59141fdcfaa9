// The browse and search queries (SPEC.md SW2, SW3) against a real PGlite with the replica's real layout
// (synced tables under views): filters narrow, search finds words of title and text, hostile input is
// only ever a value. PGlite opens once; each test reads the same rows.
import { PGlite } from '@electric-sql/pglite';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLocalSchema } from '../../db/local-schema';
import { NO_FILTERS, storyListQuery, type StoryFilters } from './browse';
import { INVITE_CANDIDATES_SQL } from './queries';

const ANA = '0190a000-0000-7000-8000-0000000000a1';
const BEN = '0190a000-0000-7000-8000-0000000000b2';
const COMMUNITY = '0190a000-0000-7000-8000-0000000000c1';
const RIVER = '0190a000-0000-7000-8000-000000000101';
const KITCHEN = '0190a000-0000-7000-8000-000000000102';
const HIDDEN = '0190a000-0000-7000-8000-000000000103';
const YORUBA_TAG = '0190a000-0000-7000-8000-000000000201';

let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create();
  await applyLocalSchema(db, localSchemaSql(), localSchemaVersion());
  await db.exec(`
    insert into synced.users_synced (id, display_name, bio, locale, time_zone, site_role, created_at, updated_at)
    values ('${ANA}', 'Ana Lima', '', 'en', 'UTC', 'member', now(), now()),
           ('${BEN}', 'Ben 100%_real', '', 'en', 'UTC', 'member', now(), now());
    insert into synced.communities_synced (id, slug, name, description, visibility, join_policy, created_by, created_at, updated_at)
    values ('${COMMUNITY}', 'river-folk', 'River folk', '', 'public', 'open', '${ANA}', now(), now());
    insert into synced.stories_synced (id, draft_id, community_id, visibility, status, title, summary, content_html,
      content_text, language, content_warning, current_version, published_by, first_published_at, published_at)
    values
      ('${RIVER}', gen_random_uuid(), '${COMMUNITY}', 'public', 'published', 'The river song', '', '<p>x</p>',
       'My grandmother sang by the water every evening.', 'es', null, 1, '${ANA}', now(), now() - interval '1 day'),
      ('${KITCHEN}', gen_random_uuid(), null, 'public', 'published', 'Kitchen light', '', '<p>x</p>',
       'Bread, steam and the radio; grandmother laughing.', 'en', 'Loss', 1, '${ANA}', now(), now()),
      ('${HIDDEN}', gen_random_uuid(), null, 'public', 'hidden', 'The river hidden', '', '<p>x</p>',
       'water', 'en', null, 1, '${ANA}', now(), now());
    insert into synced.emotions_synced (key, position, valence, arousal)
    values ('joy', 1, 2, 1), ('nostalgia', 9, 0, -1), ('grief', 14, -2, 0);
    insert into synced.emotion_labels_synced (emotion_key, locale, label)
    values ('joy', 'en', 'Joy'), ('joy', 'es', 'Alegría'), ('grief', 'en', 'Grief'), ('grief', 'es', 'Duelo'),
           ('nostalgia', 'en', 'Nostalgia');
    insert into synced.story_emotions_synced (id, story_id, emotion_key)
    values (gen_random_uuid(), '${RIVER}', 'nostalgia'), (gen_random_uuid(), '${KITCHEN}', 'joy'),
           (gen_random_uuid(), '${KITCHEN}', 'grief');
    insert into synced.tags_synced (id, kind, slug, label, created_at) values ('${YORUBA_TAG}', 'culture', 'yoruba', 'Yoruba', now());
    insert into synced.story_tags_synced (id, story_id, tag_id) values (gen_random_uuid(), '${RIVER}', '${YORUBA_TAG}');
  `);
}, 120_000);

afterAll(async () => {
  await db.close();
});

async function titles(filters: Partial<StoryFilters>, locale = 'en'): Promise<string[]> {
  const { sql, params } = storyListQuery({ ...NO_FILTERS, ...filters }, locale);
  const { rows } = await db.query<{ title: string }>(sql, [...params]);
  return rows.map((row) => row.title);
}

describe('[SW2] filters over the replica', () => {
  it('[SW2] published stories only, newest first, emotions labelled in the viewer language', async () => {
    expect(await titles({})).toEqual(['Kitchen light', 'The river song']);
    const { sql, params } = storyListQuery(NO_FILTERS, 'es');
    const { rows } = await db.query<{ title: string; emotions: string[] }>(sql, [...params]);
    expect(rows.find((row) => row.title === 'Kitchen light')?.emotions).toEqual(['Alegría', 'Duelo']);
  });

  it('[SW2] emotion, culture, language and community each narrow the list', async () => {
    expect(await titles({ emotion: 'grief' })).toEqual(['Kitchen light']);
    expect(await titles({ culture: 'yoruba' })).toEqual(['The river song']);
    expect(await titles({ language: 'es' })).toEqual(['The river song']);
    expect(await titles({ communityId: COMMUNITY })).toEqual(['The river song']);
    expect(await titles({ emotion: 'grief', language: 'es' })).toEqual([]);
  });

  it('[SW2] hostile filter values are only values', async () => {
    const hostile = `'); drop table synced.stories_synced; --`;
    expect(
      await titles({ emotion: hostile, culture: hostile, communityId: hostile, language: hostile }),
    ).toEqual([]);
    expect(await titles({})).toHaveLength(2);
  });
});

describe('[SW3] full-text search in the replica', () => {
  it('[SW3] finds words of the text and the title, any case', async () => {
    expect(await titles({ query: 'water' })).toEqual(['The river song']);
    expect(await titles({ query: 'GRANDMOTHER' })).toEqual(['Kitchen light', 'The river song']);
    expect(await titles({ query: 'kitchen' })).toEqual(['Kitchen light']);
  });

  it('[SW3] web search syntax: quoted phrases, -exclusions, or', async () => {
    expect(await titles({ query: '"by the water"' })).toEqual(['The river song']);
    expect(await titles({ query: 'grandmother -radio' })).toEqual(['The river song']);
    expect(await titles({ query: 'radio or river' })).toHaveLength(2);
  });

  it('[SW3] input that is not a query never fails: it finds nothing or everything it names', async () => {
    for (const query of [`'`, '&|!():*', '"', '-', 'or'])
      await expect(titles({ query })).resolves.toBeInstanceOf(Array);
  });
});

describe('[SW8] finding people to invite', () => {
  it('[SW8] by a name fragment, wildcards taken literally, authors left out', async () => {
    const draft = '0190a000-0000-7000-8000-000000000301';
    const find = async (name: string) =>
      (await db.query<{ display_name: string }>(INVITE_CANDIDATES_SQL, [name, draft])).rows.map(
        (r) => r.display_name,
      );
    expect(await find('ana')).toEqual(['Ana Lima']);
    expect(await find('100%_')).toEqual(['Ben 100%_real']);
    expect(await find('%')).toEqual(['Ben 100%_real']);
    expect(await find('')).toEqual([]);
  });
});
