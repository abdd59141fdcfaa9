// Browse stories (SPEC.md SW2, SW3): filters and search in the URL, results read live from the
// replica, so it all works offline.
import { useEffect, useState } from 'react';
import { Link, navigate, useLocation } from '../../app/router';
import { useView } from '../../db/views';
import {
  COMMUNITY_OPTIONS_SQL,
  CULTURE_OPTIONS_SQL,
  EMOTIONS_SQL,
  filtersFromSearch,
  hasFilters,
  LANGUAGE_OPTIONS_SQL,
  labelLocale,
  searchOfFilters,
  searchText,
  storyListQuery,
  type StoryFilters,
} from './browse';
import { languageName } from '../feed/format';
import './stories.css';

interface StoryCard extends Record<string, unknown> {
  id: string;
  title: string;
  summary: string;
  language: string;
  content_warning: string | null;
  community_name: string | null;
  published_ms: number;
  emotions: string[];
}

interface Option extends Record<string, unknown> {
  value: string;
  label?: string;
}

export default function StoriesScreen() {
  const { search } = useLocation();
  const filters = filtersFromSearch(search);
  const locale = labelLocale(navigator.language);
  const query = storyListQuery(filters, locale);
  const stories = useView<StoryCard>(query.sql, query.params);
  const change = (patch: Partial<StoryFilters>) =>
    navigate(`/stories${searchOfFilters({ ...filters, ...patch })}`, { replace: true });
  const filtered = hasFilters(filters);
  // The search box keeps what was typed (uncontrolled); clearing the filters starts a fresh form.
  const [formKey, setFormKey] = useState(0);
  const clear = () => {
    navigate('/stories', { replace: true });
    setFormKey((key) => key + 1);
  };
  useEffect(() => {
    if (formKey > 0) document.getElementById('story-search')?.focus();
  }, [formKey]);

  return (
    <div className="stories">
      <div className="stories-head">
        <h1 tabIndex={-1}>Stories</h1>
        <Link className="button button-primary" to="/drafts">
          Write a story
        </Link>
      </div>
      <Filters key={formKey} filters={filters} locale={locale} onChange={change} />
      <section aria-labelledby="stories-results" aria-live="polite">
        <h2 id="stories-results" className="visually-hidden">
          Results
        </h2>
        {stories === undefined ? (
          <p className="stories-empty">Reading this device…</p>
        ) : stories.length === 0 ? (
          <div className="stories-empty" data-testid="stories-empty">
            {filtered ? (
              <p>
                No story on this device matches these filters.{' '}
                <button type="button" className="button button-secondary button-small" onClick={clear}>
                  Clear the filters
                </button>
              </p>
            ) : (
              <p>
                No stories on this device yet: they appear here as they sync, and offline too once they have.{' '}
                <Link to="/drafts">Write the first one</Link>.
              </p>
            )}
          </div>
        ) : (
          <ul className="story-list" data-testid="story-list">
            {stories.map((story) => (
              <StoryListItem key={story.id} story={story} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function StoryListItem({ story }: { story: StoryCard }) {
  return (
    <li className="story-card card" data-testid="story-card" data-id={story.id}>
      <h3 lang={story.language}>
        <Link to={`/stories/${story.id}`}>{story.title}</Link>
      </h3>
      <p className="story-meta">
        {languageName(story.language, navigator.language)}
        {story.community_name !== null && <> · {story.community_name}</>}
        {story.content_warning !== null && <> · Content warning</>}
      </p>
      {story.summary !== '' && <p className="story-summary">{story.summary}</p>}
      {story.emotions.length > 0 && (
        <ul className="chips" aria-label="Emotions">
          {story.emotions.map((emotion) => (
            <li key={emotion} className="chip">
              {emotion}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Filters({
  filters,
  locale,
  onChange,
}: {
  filters: StoryFilters;
  locale: string;
  onChange: (patch: Partial<StoryFilters>) => void;
}) {
  const emotions = useView<{ key: string; label: string }>(EMOTIONS_SQL, [locale]) ?? [];
  const cultures = useView<Option>(CULTURE_OPTIONS_SQL) ?? [];
  const languages = useView<Option>(LANGUAGE_OPTIONS_SQL) ?? [];
  const communities = useView<Option>(COMMUNITY_OPTIONS_SQL) ?? [];
  return (
    <form className="story-filters" role="search" onSubmit={(event) => event.preventDefault()}>
      <div className="field field-wide">
        <label htmlFor="story-search">Search stories</label>
        <input
          id="story-search"
          type="search"
          defaultValue={filters.query}
          placeholder="Words from a title or a story"
          onChange={(event) => onChange({ query: searchText(event.target.value) })}
        />
      </div>
      <Select
        id="filter-emotion"
        label="Emotion"
        value={filters.emotion}
        options={emotions.map((emotion) => ({ value: emotion.key, label: emotion.label }))}
        onChange={(emotion) => onChange({ emotion })}
      />
      <Select
        id="filter-culture"
        label="Culture"
        value={filters.culture}
        options={cultures.map((option) => ({ value: option.value, label: option.label ?? option.value }))}
        onChange={(culture) => onChange({ culture })}
      />
      <Select
        id="filter-language"
        label="Language"
        value={filters.language}
        options={languages.map((option) => ({
          value: option.value,
          label: languageName(option.value, navigator.language),
        }))}
        onChange={(language) => onChange({ language })}
      />
      <Select
        id="filter-community"
        label="Community"
        value={filters.communityId}
        options={communities.map((option) => ({ value: option.value, label: option.label ?? option.value }))}
        onChange={(communityId) => onChange({ communityId })}
      />
    </form>
  );
}

function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string | null;
  options: readonly { value: string; label: string }[];
  onChange: (value: string | null) => void;
}) {
  // A value from a link that this device has no option for still shows, so the filter is visible.
  const shown =
    value !== null && !options.some((option) => option.value === value)
      ? [...options, { value, label: value }]
      : options;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(event.target.value || null)}>
        <option value="">Any</option>
        {shown.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
