// Home: what Hearth is, who is signed in here, the first sync's progress, the feed read from the local
// replica, and what this device holds (local replica, offline readiness, connection).
import { useSyncExternalStore } from 'react';
import { useAuthState } from '../auth/react';
import { Feed } from '../features/feed/Feed';
import { FirstSyncProgress } from '../sync/react';
import type { OfflineReadiness, PwaUpdates } from '../pwa/updates';
import { Link } from './router';
import type { ReplicaStatus } from './useReplicaStatus';

export function Home({ online, pwa, replica }: { online: boolean; pwa: PwaUpdates; replica: ReplicaStatus }) {
  const { offline } = useSyncExternalStore(pwa.subscribe, pwa.getState);
  return (
    <>
      <section className="hero">
        <p className="eyebrow">Gatherings &amp; stories</p>
        <h1 tabIndex={-1}>Your community, kept close.</h1>
        <p className="lede">
          Hearth is where communities host their gatherings and share the stories that matter to them. It
          lives on your device first: it opens with no signal, in a hall or on a train, and syncs when the
          network comes back.
        </p>
        <Welcome />
      </section>

      <FirstSyncProgress />
      <Feed />

      <section className="features" aria-label="What Hearth does">
        <article className="card">
          <h2>Gatherings</h2>
          <p>Events, RSVPs and tickets for your community, with check-in at the door even offline.</p>
        </article>
        <article className="card">
          <h2>Stories</h2>
          <p>
            Write together, in real time or apart, and share moments across cultures with sound and pictures.
          </p>
        </article>
        <article className="card">
          <h2>Yours, on this device</h2>
          <p>Everything reads from a copy on your device. Nothing you type is lost when the network is.</p>
        </article>
      </section>

      <section className="device card" aria-labelledby="device-title">
        <h2 id="device-title">This device</h2>
        <dl className="facts">
          <div className="fact">
            <dt>Local replica</dt>
            <dd>
              <ReplicaLine replica={replica} />
            </dd>
          </div>
          <div className="fact">
            <dt>Offline use</dt>
            <dd data-state={offline}>{offlineText[offline]}</dd>
          </div>
          <div className="fact">
            <dt>Network</dt>
            <dd data-state={online ? 'online' : 'offline'}>
              {online ? 'Connected' : 'No connection — working from this device'}
            </dd>
          </div>
        </dl>
      </section>
    </>
  );
}

function Welcome() {
  const { status, account } = useAuthState();
  if (status === 'loading') return null;
  if (account === null)
    return (
      <p className="actions">
        <Link className="button button-primary" to="/signup">
          Create an account
        </Link>
        <Link className="button button-secondary" to="/signin">
          Sign in
        </Link>
      </p>
    );
  return <p className="welcome">Welcome back{account.displayName ? `, ${account.displayName}` : ''}.</p>;
}

const offlineText: Record<OfflineReadiness, string> = {
  ready: 'Ready: Hearth opens without a network',
  installing: 'Preparing Hearth for offline use…',
  unsupported: 'Not available in this browser',
  disabled: 'Off in development builds (no service worker)',
};

function ReplicaLine({ replica }: { replica: ReplicaStatus }) {
  switch (replica.state) {
    case 'opening':
      return <span data-state="opening">Opening local replica…</span>;
    case 'ready':
      return (
        <span data-state="ready" data-tables={replica.tables}>
          Local replica ready ({replica.tables} {replica.tables === 1 ? 'table' : 'tables'})
        </span>
      );
    case 'failed':
      return (
        <span data-state="failed" data-code={replica.code} role="alert">
          {replica.message}
        </span>
      );
  }
}
