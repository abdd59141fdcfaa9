// Create or edit an event (organizers and admins of its community; hosts and managers edit): times on
// the event's wall clock in its IANA zone, place or link, seats, approval and +1 limit (GW2).
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
import { Link, navigate } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { readDraft, type EventDraft } from './event-form';
import type { EventItem } from './EventsScreen';
import { errorText, Notice, SelectField, TextArea, TextField, useMyId } from './parts';
import { COMMUNITY_SQL, EVENT_SQL, NOBODY } from './queries';
import { instantToWallClock, viewerZone } from './time';

const VISIBILITY = [
  { value: 'public', label: 'Public: anyone can find it' },
  { value: 'community', label: 'Community only: members see it' },
  { value: 'unlisted', label: 'Unlisted: only people with the link' },
] as const;

function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

export function NewEventScreen({ communityId }: { communityId: string }) {
  const me = useMyId();
  const community = useView<{ id: string; name: string }>(COMMUNITY_SQL, [communityId, me ?? NOBODY]);
  if (community === undefined) return <p className="gw-muted">Reading this device…</p>;
  const name = community[0]?.name ?? 'this community';
  const zone = viewerZone();
  const tomorrow = Date.now() + 86_400_000;
  const start = instantToWallClock(tomorrow, zone).slice(0, 11) + '19:00';
  const initial: EventDraft = {
    title: '',
    description: '',
    visibility: 'public',
    starts: start,
    ends: start.slice(0, 11) + '21:00',
    timeZone: zone,
    placeName: '',
    address: '',
    onlineUrl: '',
    capacity: '',
    requiresApproval: false,
    guestLimit: '0',
  };
  return (
    <section className="gw-screen" aria-labelledby="new-event-title">
      <p className="gw-crumbs">
        <Link to={`/communities/${communityId}`}>{name}</Link>
      </p>
      <h1 id="new-event-title" tabIndex={-1}>
        New event
      </h1>
      <EventForm initial={initial} communityId={communityId} eventId={null} />
    </section>
  );
}

export function EditEventScreen({ eventId }: { eventId: string }) {
  const me = useMyId();
  const rows = useView<EventItem>(EVENT_SQL, [eventId, me ?? NOBODY]);
  if (rows === undefined) return <p className="gw-muted">Reading this device…</p>;
  const event = rows[0];
  if (!event) return <p>This device does not hold this event.</p>;
  const initial: EventDraft = {
    title: event.title,
    description: event.description,
    visibility: event.visibility,
    starts: instantToWallClock(event.starts_ms, event.time_zone),
    ends: instantToWallClock(event.ends_ms, event.time_zone),
    timeZone: event.time_zone,
    placeName: event.place_name,
    address: event.address,
    onlineUrl: event.online_url ?? '',
    capacity: event.capacity === null ? '' : String(event.capacity),
    requiresApproval: event.requires_approval,
    guestLimit: String(event.guest_limit),
  };
  return (
    <section className="gw-screen" aria-labelledby="edit-event-title">
      <p className="gw-crumbs">
        <Link to={`/events/${event.id}`}>{event.title}</Link>
      </p>
      <h1 id="edit-event-title" tabIndex={-1}>
        Edit event
      </h1>
      <EventForm initial={initial} communityId={event.community_id} eventId={event.id} />
    </section>
  );
}

function EventForm({
  initial,
  communityId,
  eventId,
}: {
  initial: EventDraft;
  communityId: string;
  eventId: string | null;
}) {
  const mutate = useMutate();
  const [draft, setDraft] = useState(initial);
  const [problem, setProblem] = useState<{ field: keyof EventDraft | null; message: string } | null>(null);
  const set =
    <K extends keyof EventDraft>(key: K) =>
    (value: EventDraft[K]) =>
      setDraft((current) => ({ ...current, [key]: value }));
  const errorOf = (field: keyof EventDraft) => (problem?.field === field ? problem.message : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const read = readDraft(draft);
    if (!read.ok) {
      setProblem({ field: read.field, message: read.message });
      return;
    }
    setProblem(null);
    const { onlineUrl, capacity, ...fields } = read.fields;
    try {
      if (eventId === null) {
        const id = newId();
        await mutate('createEvent', {
          id,
          hostId: newId(),
          communityId,
          ...fields,
          ...(onlineUrl === null ? {} : { onlineUrl }),
          ...(capacity === null ? {} : { capacity }),
        });
        navigate(`/events/${id}`);
      } else {
        await mutate('updateEvent', { eventId, ...fields, onlineUrl, capacity });
        navigate(`/events/${eventId}`);
      }
    } catch (failure) {
      setProblem({ field: null, message: errorText(failure) });
    }
  }

  return (
    <form
      className="card gw-form"
      onSubmit={(e) => void submit(e)}
      aria-label={eventId ? 'Edit event' : 'New event'}
      noValidate
    >
      {problem ? <Notice tone="error">{problem.message}</Notice> : null}
      <TextField
        label="Title"
        value={draft.title}
        onValue={set('title')}
        required
        error={errorOf('title')}
        name="title"
      />
      <TextArea
        label="Description"
        value={draft.description}
        onValue={set('description')}
        name="description"
      />
      <SelectField
        label="Who can see it"
        value={draft.visibility}
        onValue={set('visibility')}
        options={VISIBILITY}
      />
      <SelectField
        label="Time zone"
        value={draft.timeZone}
        onValue={set('timeZone')}
        options={zones(draft.timeZone).map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }))}
        hint="Where the event happens: the times below are on that clock."
      />
      <div className="gw-pair">
        <TextField
          label="Starts"
          type="datetime-local"
          value={draft.starts}
          onValue={set('starts')}
          required
          error={errorOf('starts')}
          name="starts"
        />
        <TextField
          label="Ends"
          type="datetime-local"
          value={draft.ends}
          onValue={set('ends')}
          required
          error={errorOf('ends')}
          name="ends"
        />
      </div>
      <TextField
        label="Place"
        value={draft.placeName}
        onValue={set('placeName')}
        error={errorOf('placeName')}
        name="placeName"
      />
      <TextField label="Address" value={draft.address} onValue={set('address')} name="address" />
      <TextField
        label="Online link"
        type="url"
        inputMode="url"
        value={draft.onlineUrl}
        onValue={set('onlineUrl')}
        error={errorOf('onlineUrl')}
        name="onlineUrl"
        placeholder="https://…"
      />
      <div className="gw-pair">
        <TextField
          label="Seats"
          inputMode="numeric"
          value={draft.capacity}
          onValue={set('capacity')}
          error={errorOf('capacity')}
          name="capacity"
          hint="Empty: no limit."
        />
        <TextField
          label="+1 guests per person"
          inputMode="numeric"
          value={draft.guestLimit}
          onValue={set('guestLimit')}
          error={errorOf('guestLimit')}
          name="guestLimit"
        />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.requiresApproval}
          onChange={(e) => set('requiresApproval')(e.target.checked)}
        />
        A host approves each reply
      </label>
      <button className="button button-primary" type="submit">
        {eventId ? 'Save event' : 'Create event'}
      </button>
    </form>
  );
}
