// One event: when (viewer's clock, the event's beside it), where, seats, hosts, the viewer's reply and
// tickets, calendar link, the conversation; hosts also get the guest list, approvals, co-hosts, tiers,
// the door and cancelling (GW1, GW3, GW10–GW12).
import { lazy, Suspense } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import type { EventItem } from './EventsScreen';
import { HostPanel, type Guest } from './HostPanel';
import { Loading, SignInFirst, useMyId } from './parts';
import { EVENT_SQL, GUESTS_SQL, HOSTS_SQL, NOBODY } from './queries';
import { seatsText } from './rsvp';
import { RsvpPanel } from './RsvpPanel';
import { TicketsPanel } from './TicketsPanel';
import { eventWhen, viewerLocale, viewerZone } from './time';

export interface EventView extends EventItem {
  my_community_role: 'member' | 'organizer' | 'admin' | null;
  my_community_status: string | null;
  my_host_role: 'host' | 'manager' | 'checkin' | null;
}

export interface Host extends Record<string, unknown> {
  id: string;
  user_id: string;
  role: 'host' | 'manager' | 'checkin';
  name: string;
}

// The shared conversation (web/src/features/conversation): comments, reactions, host announcements.
const Conversation = lazy(() =>
  import('../conversation/Conversation').then((module) => ({ default: module.Conversation })),
);

/** [GW10] Managers: hosts, manager co-hosts, organizers and admins of the community; staff adds check-in co-hosts. */
export function rolesOf(
  event: Pick<EventView, 'my_community_role' | 'my_community_status' | 'my_host_role'>,
) {
  const communityRole = event.my_community_status === 'active' ? event.my_community_role : null;
  const manager =
    event.my_host_role === 'host' ||
    event.my_host_role === 'manager' ||
    communityRole === 'organizer' ||
    communityRole === 'admin';
  return { manager, staff: manager || event.my_host_role !== null };
}

const HOST_WORDS: Record<Host['role'], string> = { host: 'Host', manager: 'Co-host', checkin: 'Check-in' };

export function EventScreen({ eventId }: { eventId: string }) {
  const me = useMyId();
  const rows = useView<EventView>(EVENT_SQL, [eventId, me ?? NOBODY]);
  if (rows === undefined) return <Loading what="the event" />;
  const event = rows[0];
  if (!event)
    return (
      <section className="gw-screen">
        <h1 tabIndex={-1}>Event not found</h1>
        <p>This device does not hold this event (it may be private, or not synced yet).</p>
        <Link to="/events">Upcoming events</Link>
      </section>
    );
  return <EventPage event={event} me={me} />;
}

function EventPage({ event, me }: { event: EventView; me: string | null }) {
  const hosts = useView<Host>(HOSTS_SQL, [event.id]) ?? [];
  const guests = useView<Guest>(GUESTS_SQL, [event.id]) ?? [];
  const { manager, staff } = rolesOf(event);
  const when = eventWhen(event.starts_ms, event.ends_ms, event.time_zone, viewerZone(), viewerLocale());
  return (
    <article
      className="gw-screen"
      aria-labelledby="event-title"
      data-testid="event-screen"
      data-id={event.id}
    >
      <p className="gw-crumbs">
        <Link to={`/communities/${event.community_id}`}>{event.community_name}</Link>
      </p>
      <h1 id="event-title" tabIndex={-1}>
        {event.title}
      </h1>
      {event.status === 'cancelled' ? (
        <p className="gw-notice" data-tone="warn" role="status" data-testid="event-cancelled">
          This event was cancelled.
        </p>
      ) : null}
      <dl className="gw-facts">
        <div>
          <dt>When</dt>
          <dd>
            <time dateTime={new Date(event.starts_ms).toISOString()} data-testid="event-when">
              {when.local}
            </time>
            {when.atEvent ? (
              <span className="gw-meta" data-testid="event-when-there">
                {' '}
                ({when.atEvent} where it happens, {event.time_zone.replaceAll('_', ' ')})
              </span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Where</dt>
          <dd>
            {[event.place_name, event.address].filter(Boolean).join(', ')}
            {event.online_url ? (
              <>
                {event.place_name || event.address ? ' · ' : ''}
                <a href={event.online_url} rel="noopener noreferrer" target="_blank">
                  Online link
                </a>
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Seats</dt>
          <dd data-testid="event-seats">
            {event.status === 'cancelled'
              ? 'Cancelled'
              : seatsText(event.capacity, event.seats_taken, event.waitlist_length)}
            {event.requires_approval ? ' · a host approves each reply' : ''}
            {event.guest_limit > 0 ? ` · up to ${event.guest_limit} +1 per person` : ''}
          </dd>
        </div>
        <div>
          <dt>Hosts</dt>
          <dd>
            <ul className="gw-inline" data-testid="event-hosts">
              {hosts.map((host) => (
                <li key={host.id}>
                  {host.name} <span className="gw-meta">({HOST_WORDS[host.role]})</span>
                </li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>
      {event.description ? <p className="gw-prose">{event.description}</p> : null}
      <p className="gw-links">
        <a href={`/api/events/${event.id}/calendar.ics`} download data-testid="event-ics">
          Add to calendar (.ics)
        </a>
      </p>

      {me ? (
        <>
          <RsvpPanel event={event} me={me} />
          <TicketsPanel event={event} me={me} manager={manager} />
        </>
      ) : (
        <SignInFirst to="reply or get a ticket" />
      )}

      {me && staff ? (
        <HostPanel event={event} me={me} manager={manager} hosts={hosts} guests={guests} />
      ) : null}

      <div className="gw-section">
        <Suspense fallback={<Loading what="the conversation" />}>
          <Conversation subject={{ eventId: event.id }} />
        </Suspense>
      </div>
    </article>
  );
}
