// Browsing stories on this device (SPEC.md SW2, SW3): filters live in the URL's query, and become a
// query over the replica's views whose values are always bind parameters, never SQL text. Pure.

export interface StoryFilters {
  readonly emotion: string | null;
  readonly culture: string | null;
  readonly language: string | null;
  readonly communityId: string | null;
  /** Words to search for, already normalized (`searchText`); '' means no search. */
  readonly query: string;
}

export const NO_FILTERS: StoryFilters = {
  emotion: null,
  culture: null,
  language: null,
  communityId: null,
  query: '',
};

/** Longest search the box accepts; more is cut (a search is a few words, not a document). */
export const MAX_SEARCH_LENGTH = 200;

const PARAM_OF: Readonly<Record<Exclude<keyof StoryFilters, 'query'>, string>> = {
  emotion: 'emotion',
  culture: 'culture',
  language: 'language',
  communityId: 'community',
};

/** [SW3] What is searched for: trimmed, inner whitespace collapsed, at most MAX_SEARCH_LENGTH characters. */
export function searchText(input: string): string {
  return input.replace(/\s+/g, ' ').trim().slice(0, MAX_SEARCH_LENGTH).trim();
}

function param(params: URLSearchParams, name: string): string | null {
  const value = params.get(name)?.trim() ?? '';
  return value === '' ? null : value.slice(0, 100);
}

/** [SW2] The filters a `?emotion=…&culture=…&language=…&community=…&q=…` query asks for. */
export function filtersFromSearch(search: string): StoryFilters {
  const params = new URLSearchParams(search);
  return {
    emotion: param(params, PARAM_OF.emotion),
    culture: param(params, PARAM_OF.culture),
    language: param(params, PARAM_OF.language),
    communityId: param(params, PARAM_OF.communityId),
    query: searchText(params.get('q') ?? ''),
  };
}

/** [SW2] The URL query for filters (empty ones left out), so a filtered list is a link. */
export function searchOfFilters(filters: StoryFilters): string {
  const params = new URLSearchParams();
  for (const key of ['emotion', 'culture', 'language', 'communityId'] as const) {
    const value = filters[key];
    if (value !== null) params.set(PARAM_OF[key], value);
  }
  if (filters.query !== '') params.set('q', filters.query);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export interface ViewQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The document a story is searched by: its title and its text. 'simple' keeps every word as written
 * (lower-cased), since stories come in many languages and no one stemmer fits them all.
 */
export const STORY_DOCUMENT_SQL = `to_tsvector('simple', s.title || ' ' || s.content_text)`;

/**
 * [SW2][SW3] Published stories on this device matching the filters, with their community name and
 * emotions labelled in `locale` (else English, else the key). Searching ranks by relevance first.
 */
export function storyListQuery(filters: StoryFilters, locale: string, limit = 50): ViewQuery {
  const params: unknown[] = [locale];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = [`s.status = 'published'`];
  if (filters.emotion !== null)
    where.push(
      `exists (select 1 from story_emotions fe where fe.story_id = s.id and fe.emotion_key = ${bind(filters.emotion)})`,
    );
  if (filters.culture !== null)
    where.push(
      `exists (select 1 from story_tags ft join tags t on t.id = ft.tag_id
                where ft.story_id = s.id and t.kind = 'culture' and t.slug = ${bind(filters.culture)})`,
    );
  if (filters.language !== null) where.push(`s.language = ${bind(filters.language)}`);
  if (filters.communityId !== null) where.push(`s.community_id::text = ${bind(filters.communityId)}`);
  let rank = '0::float4';
  if (filters.query !== '') {
    const query = `websearch_to_tsquery('simple', ${bind(filters.query)})`;
    where.push(`${STORY_DOCUMENT_SQL} @@ ${query}`);
    rank = `ts_rank(${STORY_DOCUMENT_SQL}, ${query})`;
  }
  const sql = `
  select s.id, s.title, s.summary, s.language, s.content_warning, s.visibility,
         c.name as community_name,
         (extract(epoch from s.published_at) * 1000)::float8 as published_ms,
         coalesce((
           select array_agg(coalesce(label.label, english.label, se.emotion_key)
                            order by emotion.position, se.emotion_key)
             from story_emotions se
             left join emotions emotion on emotion.key = se.emotion_key
             left join emotion_labels label on label.emotion_key = se.emotion_key and label.locale = $1
             left join emotion_labels english on english.emotion_key = se.emotion_key and english.locale = 'en'
            where se.story_id = s.id
         ), '{}'::text[]) as emotions,
         ${rank} as rank
    from stories s
    left join communities c on c.id = s.community_id
   where ${where.join('\n     and ')}
   order by rank desc, s.published_at desc, s.id
   limit ${bind(limit)}`;
  return { sql, params };
}

/** The vocabulary in its fixed order, labelled in $1 (else English, else the key). */
export const EMOTIONS_SQL = `
  select e.key, coalesce(label.label, english.label, e.key) as label
    from emotions e
    left join emotion_labels label on label.emotion_key = e.key and label.locale = $1
    left join emotion_labels english on english.emotion_key = e.key and english.locale = 'en'
   order by e.position, e.key`;

/** Culture tags that some story on this device carries, for the culture filter. */
export const CULTURE_OPTIONS_SQL = `
  select distinct t.slug as value, t.label
    from tags t join story_tags st on st.tag_id = t.id
   where t.kind = 'culture'
   order by t.label, t.slug`;

/** Languages of the stories on this device, for the language filter. */
export const LANGUAGE_OPTIONS_SQL = `
  select distinct s.language as value from stories s where s.status = 'published' order by 1`;

/** Communities that have stories on this device, for the community filter. */
export const COMMUNITY_OPTIONS_SQL = `
  select distinct c.id::text as value, c.name as label
    from communities c join stories s on s.community_id = c.id
   where s.status = 'published'
   order by c.name, 1`;

/** The viewer's language for labels: the primary subtag of the browser's language ("es-MX" -> "es"). */
export function labelLocale(language: string): string {
  const primary = language.split('-')[0]?.toLowerCase() ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : 'en';
}

/** [SW15] Whether any filter or search narrows the list (an empty list then says so, and offers to clear). */
export function hasFilters(filters: StoryFilters): boolean {
  return (
    filters.emotion !== null ||
    filters.culture !== null ||
    filters.language !== null ||
    filters.communityId !== null ||
    filters.query !== ''
  );
}
