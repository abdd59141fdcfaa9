// One story to read (SPEC.md SW4, SW5): its text as the server rendered and sanitized it, the content
// warning first as a click-through, its tags, and the conversation (reactions, comments) below.
import { useEffect, useState, type ReactNode } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import { Conversation } from '../conversation/Conversation';
import { languageName } from '../feed/format';
import { labelLocale, searchOfFilters, NO_FILTERS } from './browse';
import { STORY_SQL, STORY_TAGS_SQL } from './queries';
import './stories.css';

interface StoryRow extends Record<string, unknown> {
  id: string;
  draft_id: string;
  title: string;
  content_html: string;
  language: string;
  content_warning: string | null;
  visibility: string;
  status: string;
  current_version: number;
  community_name: string | null;
  community_id: string | null;
  published_ms: number;
  authors: string[];
}

interface TagRow extends Record<string, unknown> {
  kind: string;
  value: string;
  label: string;
}

export default function StoryScreen({ storyId }: { storyId: string }) {
  const rows = useView<StoryRow>(STORY_SQL, [storyId]);
  const story = rows?.[0];
  if (rows === undefined) return <p className="stories-empty">Reading this device…</p>;
  if (story === undefined)
    return (
      <div className="story card">
        <h1 tabIndex={-1}>This story is not on this device</h1>
        <p>It may be private, not shared with you, or not synced yet.</p>
        <p>
          <Link to="/stories">All stories</Link>
        </p>
      </div>
    );
  return (
    <article className="story" lang={story.language} data-testid="story" data-id={story.id}>
      <header className="story-header">
        <p className="eyebrow">
          <Link to="/stories">Stories</Link>
        </p>
        <h1 tabIndex={-1}>{story.title}</h1>
        <p className="story-meta" lang="">
          {story.authors.length > 0 && <>By {story.authors.join(', ')} · </>}
          {languageName(story.language, navigator.language)}
          {story.community_name !== null && <> · {story.community_name}</>} ·{' '}
          <time dateTime={new Date(story.published_ms).toISOString()}>
            {new Date(story.published_ms).toLocaleDateString()}
          </time>
          {story.current_version > 1 && <> · version {story.current_version}</>}
        </p>
        <StoryTags storyId={story.id} />
        <AuthorLink draftId={story.draft_id} />
      </header>
      {story.status !== 'published' && (
        <p className="notice" role="status">
          This story is {story.status} by moderators; only its authors still see it.
        </p>
      )}
      {/* The reactions and comments speak of the story: behind its warning too. */}
      <WarningGate warning={story.content_warning}>
        {/* [SW4] The only HTML this app injects: rendered from the draft and sanitized by the server. */}
        <div
          id="story-body"
          className="story-body"
          data-testid="story-body"
          tabIndex={-1}
          dangerouslySetInnerHTML={{ __html: story.content_html }}
        />
        <Conversation subject={{ storyId: story.id }} />
      </WarningGate>
    </article>
  );
}

function StoryTags({ storyId }: { storyId: string }) {
  const tags = useView<TagRow>(STORY_TAGS_SQL, [storyId, labelLocale(navigator.language)]) ?? [];
  if (tags.length === 0) return null;
  return (
    <ul className="chips" aria-label="Tags" lang="">
      {tags.map((tag) => (
        <li key={`${tag.kind}:${tag.value}`} className="chip" data-kind={tag.kind}>
          <Link to={`/stories${searchOfFilters(filterFor(tag))}`}>{tag.label}</Link>
        </li>
      ))}
    </ul>
  );
}

/** A tag chip links to the stories that share it (emotion and culture are filters; others search). */
function filterFor(tag: TagRow) {
  if (tag.kind === 'emotion') return { ...NO_FILTERS, emotion: tag.value };
  if (tag.kind === 'culture') return { ...NO_FILTERS, culture: tag.value };
  return { ...NO_FILTERS, query: tag.label };
}

function AuthorLink({ draftId }: { draftId: string }) {
  // Drafts sync only to their authors: holding the row means I may edit it.
  const draft = useView<{ id: string }>('select id from drafts where id::text = $1', [draftId]);
  if (draft === undefined || draft.length === 0) return null;
  return (
    <p>
      <Link className="button button-secondary" to={`/drafts/${draftId}`}>
        Edit the draft
      </Link>
    </p>
  );
}

/** [SW4] A story with a content warning shows the warning, and the text only when the reader asks. */
function WarningGate({ warning, children }: { warning: string | null; children: ReactNode }) {
  const [shown, setShown] = useState(false);
  // The button goes away when pressed: the keyboard continues at the start of the story.
  useEffect(() => {
    if (shown) document.getElementById('story-body')?.focus();
  }, [shown]);
  if (warning === null || shown) return <>{children}</>;
  return (
    <div className="content-warning card" data-testid="content-warning" lang="">
      <p>
        <strong>Content warning:</strong> {warning}
      </p>
      <button type="button" className="button button-primary" onClick={() => setShown(true)}>
        Show the story
      </button>
    </div>
  );
}
