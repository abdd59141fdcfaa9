// What hosts see of their event (GW10, GW11): links to edit, the door and the guest CSV; the guest
// list with pending approvals; co-hosts (manager or check-in) from the community's members; ticket
// tiers; cancelling. Managers change things; check-in co-hosts see the list and the door.
import { newId } from '@hearth/schema/ids';
import { useState } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import type { EventView, Host } from './EventScreen';
import { Notice, useWrite } from './parts';
import { PEOPLE_SQL } from './queries';
import { rsvpText, type RsvpStatus } from './rsvp';
import { TierEditor } from './TierEditor';

export interface Guest extends Record<string, unknown> {
  id: string;
  user_id: string;
  status: RsvpStatus;
  guests: number;
  waitlist_position: number | null;
  name: string;
}

/** [GW11] Guest list wording from the host's side. */
function guestLine(guest: Guest): string {
  return rsvpText({ status: guest.status, guests: guest.guests, waitlistPosition: guest.waitlist_position })
    .replace(/^You're going/, 'Going')
    .replace(/^You might go/, 'Maybe')
    .replace(/^You're not going/, 'Not going')
    .replace(/^You are on the waitlist/, 'Waitlist')
    .replace(/^Waiting for a host to approve your reply/, 'Waiting for approval');
}

export function HostPanel({
  event,
  me,
  manager,
  hosts,
  guests,
}: {
  event: EventView;
  me: string;
  manager: boolean;
  hosts: readonly Host[];
  guests: readonly Guest[];
}) {
  const { act, error } = useWrite();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const pending = guests.filter((g) => g.status === 'pending');
  const scheduled = event.status === 'scheduled';
  return (
    <section className="gw-section card gw-host" aria-labelledby="host-title" data-testid="host-panel">
      <h2 id="host-title">Hosting</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <p className="gw-links">
        <Link className="button button-primary" to={`/events/${event.id}/check-in`}>
          Check guests in
        </Link>
        {manager ? (
          <Link className="button button-secondary" to={`/events/${event.id}/edit`}>
            Edit event
          </Link>
        ) : null}
        <a
          className="button button-secondary"
          href={`/api/events/${event.id}/guests.csv`}
          download
          data-testid="guests-csv"
        >
          Guest list (CSV)
        </a>
      </p>

      {manager && pending.length > 0 ? (
        <>
          <h3>Waiting for approval ({pending.length})</h3>
          <ul className="gw-rows" data-testid="pending-guests">
            {pending.map((guest) => (
              <li key={guest.id} className="gw-row">
                <span>
                  {guest.name}
                  {guest.guests > 0 ? ` (+${guest.guests})` : ''}
                </span>
                <span className="gw-row-actions">
                  <button
                    className="button button-small button-primary"
                    type="button"
                    onClick={() => act((m) => m('decideRsvp', { rsvpId: guest.id, decision: 'approve' }))}
                  >
                    Approve
                  </button>
                  <button
                    className="button button-small button-secondary"
                    type="button"
                    onClick={() => act((m) => m('decideRsvp', { rsvpId: guest.id, decision: 'decline' }))}
                  >
                    Decline
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h3>Guest list ({guests.length})</h3>
      {guests.length === 0 ? (
        <p className="gw-muted">No replies yet.</p>
      ) : (
        <ul className="gw-rows" data-testid="guest-list">
          {guests.map((guest) => (
            <li key={guest.id} className="gw-row" data-status={guest.status}>
              <span>{guest.name}</span>
              <span className="gw-meta">{guestLine(guest)}</span>
            </li>
          ))}
        </ul>
      )}

      <CoHosts event={event} me={me} manager={manager} hosts={hosts} act={act} />
      {manager ? <TierEditor eventId={event.id} timeZone={event.time_zone} /> : null}

      {manager && scheduled ? (
        <div className="gw-danger-zone">
          {confirmCancel ? (
            <div role="alertdialog" aria-labelledby="cancel-q" className="gw-confirm">
              <p id="cancel-q">Cancel “{event.title}” for everyone? Guests see it as cancelled.</p>
              <button
                className="button button-danger"
                type="button"
                onClick={() => act((m) => m('cancelEvent', { eventId: event.id }))}
              >
                Yes, cancel the event
              </button>
              <button
                className="button button-secondary"
                type="button"
                onClick={() => setConfirmCancel(false)}
              >
                Keep it
              </button>
            </div>
          ) : (
            <button className="button button-danger" type="button" onClick={() => setConfirmCancel(true)}>
              Cancel event
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}

function CoHosts({
  event,
  me,
  manager,
  hosts,
  act,
}: {
  event: EventView;
  me: string;
  manager: boolean;
  hosts: readonly Host[];
  act: ReturnType<typeof useWrite>['act'];
}) {
  const people = useView<{ user_id: string; name: string }>(PEOPLE_SQL, [event.community_id]) ?? [];
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<'manager' | 'checkin'>('checkin');
  const hostIds = new Set(hosts.map((h) => h.user_id));
  const candidates = people.filter((p) => !hostIds.has(p.user_id));
  return (
    <>
      <h3>Co-hosts</h3>
      <ul className="gw-rows" data-testid="co-hosts">
        {hosts.map((host) => (
          <li key={host.id} className="gw-row">
            <span>
              {host.name}
              {host.user_id === me ? ' (you)' : ''}
            </span>
            <span className="gw-row-actions">
              <span className="gw-meta">
                {host.role === 'host' ? 'Host' : host.role === 'manager' ? 'Manager' : 'Check-in only'}
              </span>
              {host.role !== 'host' && (manager || host.user_id === me) ? (
                <button
                  className="button button-small button-secondary"
                  type="button"
                  onClick={() =>
                    act((m) => m('removeEventHost', { eventId: event.id, userId: host.user_id }))
                  }
                >
                  {host.user_id === me ? 'Step down' : 'Remove'}
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      {manager && candidates.length > 0 ? (
        <form
          className="gw-inline-form"
          aria-label="Add a co-host"
          onSubmit={(e) => {
            e.preventDefault();
            if (userId) act((m) => m('addEventHost', { eventId: event.id, userId, role, hostId: newId() }));
          }}
        >
          <label htmlFor="cohost-person">Person</label>
          <select
            id="cohost-person"
            className="gw-select gw-select-small"
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
          >
            <option value="">Choose a member…</option>
            {candidates.map((p) => (
              <option key={p.user_id} value={p.user_id}>
                {p.name}
              </option>
            ))}
          </select>
          <label htmlFor="cohost-role">Role</label>
          <select
            id="cohost-role"
            className="gw-select gw-select-small"
            value={role}
            onChange={(e) => setRole(e.target.value === 'manager' ? 'manager' : 'checkin')}
          >
            <option value="checkin">Check-in only</option>
            <option value="manager">Manager</option>
          </select>
          <button className="button button-small button-primary" type="submit" disabled={!userId}>
            Add co-host
          </button>
        </form>
      ) : null}
    </>
  );
}
