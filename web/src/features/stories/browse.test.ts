// The browse screen's pure part (SPEC.md SW2, SW3): filters in the URL, and the query they make, whose
// values are always bind parameters.
import { describe, expect, it } from 'vitest';
import {
  filtersFromSearch,
  hasFilters,
  labelLocale,
  MAX_SEARCH_LENGTH,
  NO_FILTERS,
  searchOfFilters,
  searchText,
  storyListQuery,
} from './browse';

describe('[SW2] filters live in the URL', () => {
  it('[SW2] a query string gives its filters, and the filters give the same query back', () => {
    const filters = filtersFromSearch('?emotion=joy&culture=yoruba&language=es&community=c-1&q=river+song');
    expect(filters).toEqual({
      emotion: 'joy',
      culture: 'yoruba',
      language: 'es',
      communityId: 'c-1',
      query: 'river song',
    });
    expect(filtersFromSearch(searchOfFilters(filters))).toEqual(filters);
  });

  it('[SW2] empty and missing values are no filter, and no filter is no query string', () => {
    expect(filtersFromSearch('?emotion=&q=%20%20')).toEqual(NO_FILTERS);
    expect(searchOfFilters(NO_FILTERS)).toBe('');
  });
});

describe('[SW2] the list query', () => {
  it('[SW2] without filters: published stories only, labels in the viewer language, a bound limit', () => {
    const { sql, params } = storyListQuery(NO_FILTERS, 'es');
    expect(sql).toContain(`s.status = 'published'`);
    expect(params).toEqual(['es', 50]);
    expect(sql).toMatch(/limit \$2\s*$/);
  });

  it('[SW2] each filter adds one condition whose value is a parameter, never SQL text', () => {
    const hostile = `x' or 1=1 --`;
    const { sql, params } = storyListQuery(
      { emotion: hostile, culture: hostile, language: hostile, communityId: hostile, query: hostile },
      'en',
    );
    expect(sql).not.toContain(hostile);
    expect(params).toEqual(['en', hostile, hostile, hostile, hostile, hostile, 50]);
    expect(sql).toContain('se.story_id = s.id');
    expect(sql).toContain('fe.emotion_key = $2');
    expect(sql).toContain(`t.kind = 'culture' and t.slug = $3`);
    expect(sql).toContain('s.language = $4');
    expect(sql).toContain('s.community_id::text = $5');
  });

  it('[SW3] a search matches title and text with websearch_to_tsquery and ranks by relevance', () => {
    const { sql, params } = storyListQuery({ ...NO_FILTERS, query: 'grandmother kitchen' }, 'en');
    expect(sql).toContain(
      `to_tsvector('simple', s.title || ' ' || s.content_text) @@ websearch_to_tsquery('simple', $2)`,
    );
    expect(sql).toContain(`ts_rank(to_tsvector('simple', s.title || ' ' || s.content_text)`);
    expect(params).toEqual(['en', 'grandmother kitchen', 50]);
  });
});

describe('[SW3] search text', () => {
  it('[SW3] is trimmed, its whitespace collapsed, and capped', () => {
    expect(searchText('  river \n\t song  ')).toBe('river song');
    expect(searchText('')).toBe('');
    expect(searchText('a'.repeat(MAX_SEARCH_LENGTH + 50))).toHaveLength(MAX_SEARCH_LENGTH);
  });
});

describe('[SW7] the label language', () => {
  it('[SW7] is the primary subtag of the browser language, else English', () => {
    expect(labelLocale('es-MX')).toBe('es');
    expect(labelLocale('FR')).toBe('fr');
    expect(labelLocale('')).toBe('en');
    expect(labelLocale('x-klingon')).toBe('en');
  });
});

describe('[SW15] empty lists', () => {
  it('[SW15] any filter or a search narrows the list; none means every story on the device', () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters(filtersFromSearch('?emotion=joy'))).toBe(true);
    expect(hasFilters(filtersFromSearch('?q=river'))).toBe(true);
    expect(hasFilters(filtersFromSearch('?community=&language='))).toBe(false);
  });
});
