// The home feed: upcoming public gatherings and recently published stories, read live from the local
// replica's views (synced rows with this device's pending changes over them). No fetch: it works offline.
import { useView } from '../../db/views';
import { eventTimes, languageName } from './format';

/** Upcoming public events with their community; the start as epoch ms so both clocks can be drawn. */
export const UPCOMING_EVENTS_SQL = `
  select e.id, e.title, e.time_zone, c.name as community_name,
         (extract(epoch from e.starts_at) * 1000)::float8 as starts_ms
    from events e
    join communities c on c.id = e.community_id
   where e.visibility = 'public' and e.status = 'scheduled' and e.ends_at > now()
   order by e.starts_at, e.id
   limit 20`;

/** Recently published public stories, with their emotions labelled in $1 (the viewer's language, else English). */
export const RECENT_STORIES_SQL = `
  select s.id, s.title, s.language, c.name as community_name,
         coalesce((
           select array_agg(coalesce(label.label, english.label, se.emotion_key)
                            order by emotion.position, se.emotion_key)
             from story_emotions se
             left join emotions emotion on emotion.key = se.emotion_key
             left join emotion_labels label on label.emotion_key = se.emotion_key and label.locale = $1
             left join emotion_labels english on english.emotion_key = se.emotion_key and english.locale = 'en'
            where se.story_id = s.id
         ), '{}'::text[]) as emotions
    from stories s
    left join communities c on c.id = s.community_id
   where s.status = 'published' and s.visibility = 'public'
   order by s.published_at desc, s.id
   limit 20`;

interface EventItem extends Record<string, unknown> {
  id: string;
  title: string;
  time_zone: string;
  community_name: string;
  starts_ms: number;
}

interface StoryItem extends Record<string, unknown> {
  id: string;
  title: string;
  language: string;
  community_name: string | null;
  emotions: string[];
}

function viewerLocale(): string {
  return navigator.language || 'en';
}

export function Feed() {
  return (
    <div className="feed" data-testid="feed">
      <UpcomingEvents />
      <RecentStories />
    </div>
  );
}

function UpcomingEvents() {
  const events = useView<EventItem>(UPCOMING_EVENTS_SQL);
  const locale = viewerLocale();
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section className="feed-section" aria-labelledby="feed-events-title" data-testid="feed-events">
      <h2 id="feed-events-title">Upcoming gatherings</h2>
      {events === undefined ? (
        <p className="feed-empty">Reading this device…</p>
      ) : events.length === 0 ? (
        <p className="feed-empty">No upcoming public gatherings on this device yet.</p>
      ) : (
        <ul className="feed-list">
          {events.map((event) => {
            const times = eventTimes(event.starts_ms, event.time_zone, viewerZone, locale);
            return (
              <li key={event.id} className="feed-item card" data-testid="feed-event" data-id={event.id}>
                <h3>{event.title}</h3>
                <p className="feed-meta">{event.community_name}</p>
                <p className="feed-time">
                  <time dateTime={new Date(event.starts_ms).toISOString()}>{times.local}</time>
                  {times.atEvent !== null && (
                    <span className="feed-time-event"> · {times.atEvent} where it happens</span>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function RecentStories() {
  const locale = viewerLocale();
  const stories = useView<StoryItem>(RECENT_STORIES_SQL, [locale.split('-')[0] ?? 'en']);
  return (
    <section className="feed-section" aria-labelledby="feed-stories-title" data-testid="feed-stories">
      <h2 id="feed-stories-title">Recent stories</h2>
      {stories === undefined ? (
        <p className="feed-empty">Reading this device…</p>
      ) : stories.length === 0 ? (
        <p className="feed-empty">No published stories on this device yet.</p>
      ) : (
        <ul className="feed-list">
          {stories.map((story) => (
            <li key={story.id} className="feed-item card" data-testid="feed-story" data-id={story.id}>
              <h3 lang={story.language}>{story.title}</h3>
              <p className="feed-meta">
                <span data-testid="story-language">{languageName(story.language, locale)}</span>
                {story.community_name !== null && <> · {story.community_name}</>}
              </p>
              {story.emotions.length > 0 && (
                <ul className="feed-emotions" aria-label="Emotions">
                  {story.emotions.map((emotion) => (
                    <li key={emotion} data-testid="story-emotion">
                      {emotion}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
