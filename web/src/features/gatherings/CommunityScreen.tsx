// One community: what it is, where I stand (join / request / leave, follow), its upcoming events and
// calendar feed (members: a private webcal link, GW19), its members with roles; admins edit it, decide requests, remove and promote (GW9, GW10).
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
import { Link } from '../../app/router';
import { useView } from '../../db/views';
import { standingText, type CommunityItem } from './CommunitiesScreen';
import { policyFor, type JoinPolicy, type Visibility } from './community-form';
import { EventList, type EventItem } from './EventsScreen';
import { Notice, SelectField, TextArea, TextField, useMyId, useWrite } from './parts';
import { COMMUNITY_EVENTS_SQL, COMMUNITY_SQL, MEMBERS_SQL, NOBODY } from './queries';
import { requestFeedLink, revokeFeedLink } from './feed-link';

interface Member extends Record<string, unknown> {
  id: string;
  user_id: string;
  role: 'member' | 'organizer' | 'admin';
  status: 'active' | 'pending';
  name: string;
}

export function CommunityScreen({ communityId }: { communityId: string }) {
  const me = useMyId();
  const rows = useView<CommunityItem>(COMMUNITY_SQL, [communityId, me ?? NOBODY]);
  const [editing, setEditing] = useState(false);
  if (rows === undefined) return <p className="gw-muted">Reading this device…</p>;
  const community = rows[0];
  if (!community)
    return (
      <section className="gw-screen">
        <h1 tabIndex={-1}>Community not found</h1>
        <p>This device does not hold this community (it may be private, or not synced yet).</p>
        <Link to="/communities">All communities</Link>
      </section>
    );
  const admin = community.my_status === 'active' && community.my_role === 'admin';
  const organizer = community.my_status === 'active' && community.my_role !== 'member';
  return (
    <section className="gw-screen" aria-labelledby="community-title" data-testid="community-screen">
      <p className="gw-crumbs">
        <Link to="/communities">Communities</Link>
      </p>
      <header className="gw-head">
        <h1 id="community-title" tabIndex={-1}>
          {community.name}
        </h1>
        {admin ? (
          <button className="button button-secondary" type="button" onClick={() => setEditing(!editing)}>
            {editing ? 'Close editing' : 'Edit'}
          </button>
        ) : null}
      </header>
      <p className="gw-meta">
        {community.visibility === 'private' ? 'Private' : 'Public'} ·{' '}
        {community.join_policy === 'open' ? 'Open to join' : 'Join by approval'}
        {standingText(community) ? (
          <>
            {' '}
            · <span data-testid="my-standing">{standingText(community)}</span>
          </>
        ) : null}
      </p>
      {editing && admin ? (
        <EditCommunity community={community} onDone={() => setEditing(false)} />
      ) : community.description ? (
        <p className="gw-prose">{community.description}</p>
      ) : null}
      {me ? <Standing community={community} /> : null}

      <section className="gw-section" aria-labelledby="community-events-title">
        <header className="gw-head">
          <h2 id="community-events-title">Upcoming events</h2>
          {organizer ? (
            <Link className="button button-primary" to={`/communities/${community.id}/events/new`}>
              New event
            </Link>
          ) : null}
        </header>
        <CommunityEvents communityId={community.id} />
        {community.my_status === 'active' ? (
          <MemberFeed communityId={community.id} />
        ) : (
          <p className="gw-links">
            <a href={`/api/communities/${community.id}/calendar.ics`} data-testid="community-feed">
              Subscribe to this community’s calendar (.ics)
            </a>
          </p>
        )}
      </section>

      {community.my_status === 'active' ? <Members communityId={community.id} admin={admin} me={me} /> : null}
    </section>
  );
}

/**
 * [GW19] Members get a private link to their own view of the feed (calendar apps send no cookie): a
 * `webcal://` link with a secret token, made on request; asking again replaces it; it can be turned off.
 */
function MemberFeed({ communityId }: { communityId: string }) {
  const [link, setLink] = useState<{ url: string; httpUrl: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>) {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }
  const subscribe = () =>
    run(async () => {
      const result = await requestFeedLink(communityId);
      if (result.ok) setLink({ url: result.url, httpUrl: result.httpUrl });
      else setMessage(result.message);
    });
  const turnOff = () =>
    run(async () => {
      const result = await revokeFeedLink(communityId);
      if (result.ok) {
        setLink(null);
        setMessage('Your calendar link is turned off: calendars subscribed with it stop updating.');
      } else setMessage(result.message);
    });
  return (
    <div className="gw-links" data-testid="member-feed">
      {link ? (
        <>
          <p>
            <a href={link.url} data-testid="community-feed-link">
              Open in your calendar app
            </a>{' '}
            <span className="gw-meta">
              This link is yours alone: it shows this community’s events as you see them. Getting a new one
              turns this one off.
            </span>
          </p>
          <div className="field">
            <label htmlFor="feed-url">Or paste this address into your calendar</label>
            <input
              id="feed-url"
              readOnly
              value={link.httpUrl}
              onFocus={(e) => e.currentTarget.select()}
              data-testid="community-feed-url"
            />
          </div>
        </>
      ) : null}
      <div className="gw-actions">
        <button
          className="button button-secondary"
          type="button"
          disabled={busy}
          onClick={() => void subscribe()}
          data-testid="community-feed-subscribe"
        >
          {link ? 'Get a new link' : 'Subscribe in your calendar'}
        </button>
        {link ? (
          <button
            className="button button-secondary"
            type="button"
            disabled={busy}
            onClick={() => void turnOff()}
          >
            Turn the link off
          </button>
        ) : null}
      </div>
      {message ? <Notice tone="info">{message}</Notice> : null}
    </div>
  );
}

function CommunityEvents({ communityId }: { communityId: string }) {
  const events = useView<EventItem>(COMMUNITY_EVENTS_SQL, [communityId]);
  if (events === undefined) return <p className="gw-muted">Reading this device…</p>;
  if (events.length === 0) return <p className="gw-muted">No upcoming events here yet.</p>;
  return <EventList events={events} />;
}

function Standing({ community }: { community: CommunityItem }) {
  const { act, error } = useWrite();
  const id = community.id;
  const member = community.my_status === 'active';
  const waiting = community.my_status === 'pending';
  return (
    <div className="gw-actions" aria-label="Your membership">
      {error ? <Notice tone="error">{error}</Notice> : null}
      {member || waiting ? (
        <button
          className="button button-secondary"
          type="button"
          onClick={() => act((m) => m('leaveCommunity', { communityId: id }))}
        >
          {waiting ? 'Withdraw request' : 'Leave'}
        </button>
      ) : (
        <button
          className="button button-primary"
          type="button"
          onClick={() => act((m) => m('joinCommunity', { communityId: id, membershipId: newId() }))}
        >
          {community.visibility === 'public' && community.join_policy === 'open' ? 'Join' : 'Ask to join'}
        </button>
      )}
      {community.following ? (
        <button
          className="button button-secondary"
          type="button"
          aria-pressed="true"
          onClick={() => act((m) => m('unfollowCommunity', { communityId: id }))}
        >
          Following
        </button>
      ) : (
        <button
          className="button button-secondary"
          type="button"
          aria-pressed="false"
          onClick={() => act((m) => m('followCommunity', { communityId: id, followId: newId() }))}
        >
          Follow
        </button>
      )}
    </div>
  );
}

function EditCommunity({ community, onDone }: { community: CommunityItem; onDone: () => void }) {
  const { act, error } = useWrite();
  const [name, setName] = useState(community.name);
  const [description, setDescription] = useState(community.description);
  const [visibility, setVisibility] = useState<Visibility>(community.visibility);
  const [policy, setPolicy] = useState<JoinPolicy>(community.join_policy);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    act(async (m) => {
      await m('updateCommunity', {
        communityId: community.id,
        name,
        description,
        visibility,
        joinPolicy: policyFor(visibility, policy),
      });
      onDone();
    });
  };
  return (
    <form className="card gw-form" onSubmit={submit} aria-label="Edit community">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <TextField label="Name" value={name} onValue={setName} required />
      <TextArea label="What is it about?" value={description} onValue={setDescription} />
      <SelectField
        label="Who can see it"
        value={visibility}
        onValue={setVisibility}
        options={[
          { value: 'public', label: 'Public' },
          { value: 'private', label: 'Private' },
        ]}
      />
      <SelectField
        label="How people join"
        value={policyFor(visibility, policy)}
        onValue={setPolicy}
        disabled={visibility === 'private'}
        options={[
          { value: 'open', label: 'Open' },
          { value: 'approval', label: 'By approval' },
        ]}
      />
      <button className="button button-primary" type="submit">
        Save
      </button>
    </form>
  );
}

const ROLES = [
  { value: 'member', label: 'Member' },
  { value: 'organizer', label: 'Organizer' },
  { value: 'admin', label: 'Admin' },
] as const;

function Members({ communityId, admin, me }: { communityId: string; admin: boolean; me: string | null }) {
  const members = useView<Member>(MEMBERS_SQL, [communityId]);
  const { act, error } = useWrite();
  if (members === undefined) return null;
  const requests = members.filter((m) => m.status === 'pending');
  const active = members.filter((m) => m.status === 'active');
  return (
    <section className="gw-section" aria-labelledby="members-title">
      <h2 id="members-title">Members ({active.length})</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {admin && requests.length > 0 ? (
        <>
          <h3>Requests to join</h3>
          <ul className="gw-rows" data-testid="requests">
            {requests.map((request) => (
              <li key={request.id} className="gw-row">
                <span>{request.name}</span>
                <span className="gw-row-actions">
                  <button
                    className="button button-small button-primary"
                    type="button"
                    onClick={() =>
                      act((m) =>
                        m('decideMembership', { communityId, userId: request.user_id, decision: 'approve' }),
                      )
                    }
                  >
                    Approve
                  </button>
                  <button
                    className="button button-small button-secondary"
                    type="button"
                    onClick={() =>
                      act((m) =>
                        m('decideMembership', { communityId, userId: request.user_id, decision: 'deny' }),
                      )
                    }
                  >
                    Decline
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ul className="gw-rows" data-testid="members">
        {active.map((member) => (
          <li key={member.id} className="gw-row" data-role={member.role}>
            <span>
              {member.name}
              {member.user_id === me ? ' (you)' : ''}
            </span>
            {admin && member.user_id !== me ? (
              <span className="gw-row-actions">
                <label className="visually-hidden" htmlFor={`role-${member.id}`}>
                  Role of {member.name}
                </label>
                <select
                  id={`role-${member.id}`}
                  className="gw-select gw-select-small"
                  value={member.role}
                  onChange={(event) => {
                    const role = ROLES.find((r) => r.value === event.target.value)?.value;
                    if (role) act((m) => m('changeRole', { communityId, userId: member.user_id, role }));
                  }}
                >
                  {ROLES.map((role) => (
                    <option key={role.value} value={role.value}>
                      {role.label}
                    </option>
                  ))}
                </select>
                <button
                  className="button button-small button-danger"
                  type="button"
                  onClick={() => act((m) => m('removeMember', { communityId, userId: member.user_id }))}
                >
                  Remove
                </button>
              </span>
            ) : (
              <span className="gw-meta">{ROLES.find((r) => r.value === member.role)?.label}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
