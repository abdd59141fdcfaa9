// Communities: the ones this device knows (public ones and mine), each with where I stand, and the
// form to start one (GW9). Reads the replica; writes through the outbox.
import { newId } from '@hearth/schema/ids';
import { useState, type FormEvent } from 'react';
import { Link, navigate } from '../../app/router';
import { useView } from '../../db/views';
import { useMutate } from '../../outbox/react';
import { policyFor, slugOf, type JoinPolicy, type Visibility } from './community-form';
import { errorText, Notice, SelectField, SignInFirst, TextArea, TextField, useMyId } from './parts';
import { COMMUNITIES_SQL, NOBODY } from './queries';

export interface CommunityItem extends Record<string, unknown> {
  id: string;
  slug: string;
  name: string;
  description: string;
  visibility: Visibility;
  join_policy: JoinPolicy;
  my_status: 'pending' | 'active' | 'removed' | 'left' | null;
  my_role: 'member' | 'organizer' | 'admin' | null;
  following: boolean;
}

export function standingText(item: Pick<CommunityItem, 'my_status' | 'my_role' | 'following'>): string {
  if (item.my_status === 'active')
    return item.my_role === 'member' ? 'Member' : capitalize(item.my_role ?? 'member');
  if (item.my_status === 'pending') return 'Request sent';
  return item.following ? 'Following' : '';
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export function CommunitiesScreen() {
  const me = useMyId();
  const communities = useView<CommunityItem>(COMMUNITIES_SQL, [me ?? NOBODY]);
  return (
    <section className="gw-screen" aria-labelledby="communities-title">
      <header className="gw-head">
        <h1 id="communities-title" tabIndex={-1}>
          Communities
        </h1>
        {me ? (
          <Link className="button button-primary" to="/communities/new">
            Start a community
          </Link>
        ) : null}
      </header>
      <p className="gw-links">
        <Link to="/events">Upcoming events</Link>
      </p>
      {communities === undefined ? (
        <p className="gw-muted">Reading this device…</p>
      ) : communities.length === 0 ? (
        <p className="gw-muted">No communities on this device yet.</p>
      ) : (
        <ul className="gw-list" data-testid="communities">
          {communities.map((community) => (
            <li key={community.id} className="card gw-item" data-testid="community" data-id={community.id}>
              <h2>
                <Link to={`/communities/${community.id}`}>{community.name}</Link>
              </h2>
              <p className="gw-meta">
                {community.visibility === 'private' ? 'Private' : 'Public'} ·{' '}
                {community.join_policy === 'open' ? 'Open to join' : 'Join by approval'}
                {standingText(community) ? <> · {standingText(community)}</> : null}
              </p>
              {community.description ? <p className="gw-clamp">{community.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function NewCommunityScreen() {
  const me = useMyId();
  return (
    <section className="gw-screen" aria-labelledby="new-community-title">
      <h1 id="new-community-title" tabIndex={-1}>
        Start a community
      </h1>
      {me ? <CommunityForm /> : <SignInFirst to="start a community" />}
    </section>
  );
}

const VISIBILITY = [
  { value: 'public', label: 'Public: anyone can find it' },
  { value: 'private', label: 'Private: only members see it' },
] as const;

const POLICY = [
  { value: 'open', label: 'Open: anyone joins at once' },
  { value: 'approval', label: 'Approval: an admin accepts each request' },
] as const;

function CommunityForm() {
  const mutate = useMutate();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [policy, setPolicy] = useState<JoinPolicy>('open');
  const [error, setError] = useState<string | null>(null);
  const address = slug ?? slugOf(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const id = newId();
    try {
      await mutate('createCommunity', {
        id,
        membershipId: newId(),
        slug: address,
        name,
        description,
        visibility,
        joinPolicy: policyFor(visibility, policy),
      });
      navigate(`/communities/${id}`);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <form className="card gw-form" onSubmit={(event) => void submit(event)} aria-label="New community">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <TextField label="Name" value={name} onValue={setName} required name="name" />
      <TextField
        label="Address"
        value={address}
        onValue={setSlug}
        required
        name="slug"
        hint="Lower-case letters, digits and single hyphens, e.g. lagos-poets."
      />
      <TextArea label="What is it about?" value={description} onValue={setDescription} name="description" />
      <SelectField label="Who can see it" value={visibility} onValue={setVisibility} options={VISIBILITY} />
      <SelectField
        label="How people join"
        value={policyFor(visibility, policy)}
        onValue={setPolicy}
        options={POLICY}
        disabled={visibility === 'private'}
        hint={visibility === 'private' ? 'A private community takes members by approval.' : undefined}
      />
      <button className="button button-primary" type="submit">
        Create community
      </button>
    </form>
  );
}
