// Discovery: upcoming events on this device, by community and day, with a search that runs over the
// local replica (so it works offline) (GW5).
import { useDeferredValue, useMemo, useState } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import { SelectField, TextField, useMyId } from './parts';
import { NOBODY, UPCOMING_SQL } from './queries';
import { byDay, findEvents, type Findable } from './search';
import { dayHeading, eventWhen, viewerLocale, viewerZone } from './time';
import { seatsText } from './rsvp';

export interface EventItem extends Findable, Record<string, unknown> {
  online_url: string | null;
  time_zone: string;
  visibility: 'public' | 'unlisted' | 'community';
  status: 'scheduled' | 'cancelled';
  capacity: number | null;
  requires_approval: boolean;
  guest_limit: number;
  /** Going seats and the waitlist's length, kept by the server on the event row (GA36). */
  seats_taken: number;
  waitlist_length: number;
  created_by: string;
  ends_ms: number;
}

export function EventsScreen() {
  const me = useMyId();
  const events = useView<EventItem>(UPCOMING_SQL, [me ?? NOBODY]);
  const [query, setQuery] = useState('');
  const [communityId, setCommunityId] = useState('all');
  const [fromDay, setFromDay] = useState('');
  const deferred = useDeferredValue(query);
  const zone = viewerZone();
  const communities = useMemo(() => {
    const seen = new Map<string, string>();
    for (const event of events ?? []) seen.set(event.community_id, event.community_name);
    return [...seen.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  }, [events]);
  const found = useMemo(
    () =>
      findEvents(
        events ?? [],
        {
          query: deferred,
          communityId: communityId === 'all' ? null : communityId,
          fromDay: fromDay || null,
        },
        zone,
      ),
    [events, deferred, communityId, fromDay, zone],
  );
  return (
    <section className="gw-screen" aria-labelledby="events-title">
      <header className="gw-head">
        <h1 id="events-title" tabIndex={-1}>
          Upcoming events
        </h1>
        <Link to="/communities">Communities</Link>
      </header>
      <form
        className="gw-filters"
        role="search"
        aria-label="Find events"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextField
          label="Search"
          type="search"
          value={query}
          onValue={setQuery}
          name="q"
          placeholder="Title, place, community…"
        />
        <SelectField
          label="Community"
          value={communityId}
          onValue={setCommunityId}
          options={[
            { value: 'all', label: 'All communities' },
            ...communities.map(([id, name]) => ({ value: id, label: name })),
          ]}
        />
        <TextField label="From" type="date" value={fromDay} onValue={setFromDay} name="from" />
      </form>
      {events === undefined ? (
        <p className="gw-muted">Reading this device…</p>
      ) : found.length === 0 ? (
        <p className="gw-muted" role="status">
          {events.length === 0 ? 'No upcoming events on this device yet.' : 'No events match.'}
        </p>
      ) : (
        <>
          <p className="visually-hidden" role="status">
            {found.length} {found.length === 1 ? 'event' : 'events'}
          </p>
          {byDay(found, zone).map((group) => (
            <section
              key={group.day}
              className="gw-day"
              aria-label={dayHeading(group.events[0]?.starts_ms ?? 0, zone, viewerLocale())}
            >
              <h2 className="gw-day-title">
                {dayHeading(group.events[0]?.starts_ms ?? 0, zone, viewerLocale())}
              </h2>
              <EventList events={group.events} />
            </section>
          ))}
        </>
      )}
    </section>
  );
}

export function EventList({ events }: { events: readonly EventItem[] }) {
  const zone = viewerZone();
  const locale = viewerLocale();
  return (
    <ul className="gw-list" data-testid="events">
      {events.map((event) => {
        const when = eventWhen(event.starts_ms, event.ends_ms, event.time_zone, zone, locale);
        return (
          <li key={event.id} className="card gw-item" data-testid="event" data-id={event.id}>
            <h3>
              <Link to={`/events/${event.id}`}>{event.title}</Link>
            </h3>
            <p className="gw-meta">
              <time dateTime={new Date(event.starts_ms).toISOString()}>{when.local}</time>
              {event.status === 'cancelled' ? <strong className="gw-cancelled"> · Cancelled</strong> : null}
            </p>
            <p className="gw-meta">
              {event.community_name}
              {event.place_name ? <> · {event.place_name}</> : event.online_url ? <> · Online</> : null}
              {event.capacity !== null && event.status === 'scheduled' ? (
                <span data-testid="event-item-seats">
                  {' '}
                  · {seatsText(event.capacity, event.seats_taken, event.waitlist_length)}
                </span>
              ) : null}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
