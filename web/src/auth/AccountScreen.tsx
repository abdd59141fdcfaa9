// /account: who is signed in on this device, and signing out of it or of every device (AU7, AU13).
import { useOnline } from '../app/useOnline';
import { useOutboxStatus } from '../outbox/react';
import { Link } from '../app/router';
import { changesText } from './messages';
import { useAuth, useAuthState } from './react';

export function AccountScreen() {
  const auth = useAuth();
  const { status, account, sessionEnded, signOut } = useAuthState();
  const { pending } = useOutboxStatus();
  const online = useOnline();

  if (status === 'loading')
    return (
      <section className="auth-card card" aria-labelledby="account-title" aria-busy="true">
        <h1 id="account-title" tabIndex={-1}>
          Your account
        </h1>
        <p>Reading this device…</p>
      </section>
    );

  if (account === null)
    return (
      <section className="auth-card card" aria-labelledby="account-title">
        <h1 id="account-title" tabIndex={-1}>
          You are signed out
        </h1>
        <p>Sign in to see your account on this device.</p>
        <p className="actions">
          <Link className="button button-primary" to="/signin">
            Sign in
          </Link>
          <Link className="button button-secondary" to="/signup">
            Create an account
          </Link>
        </p>
      </section>
    );

  const busy = signOut.phase !== 'idle' && signOut.phase !== 'failed';
  return (
    <section className="auth-card card" aria-labelledby="account-title">
      <h1 id="account-title" tabIndex={-1}>
        Your account
      </h1>
      <dl className="facts">
        <div className="fact">
          <dt>Name</dt>
          <dd>{account.displayName ?? '—'}</dd>
        </div>
        <div className="fact">
          <dt>Email</dt>
          <dd>{account.email ?? (online ? '—' : 'Shown when online')}</dd>
        </div>
        <div className="fact">
          <dt>On this device</dt>
          <dd data-pending={pending}>
            {pending === 0 ? 'Everything is sent' : `${changesText(pending)} waiting to reach the server`}
          </dd>
        </div>
      </dl>
      {sessionEnded ? (
        <p className="notice" data-state="session-ended">
          The server has ended this device’s session (you may have signed out everywhere).{' '}
          <Link to="/signin">Sign in again</Link> to keep sending your changes, or sign out.
        </p>
      ) : null}

      <h2>Sign out</h2>
      <p className="muted">
        Signing out removes your data and unsent changes from this device. If changes are waiting, Hearth
        tries to send them first.
      </p>
      <p className="actions">
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() => auth.requestSignOut('device')}
        >
          Sign out
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={busy || !online}
          onClick={() => auth.requestSignOut('everywhere')}
        >
          Sign out of all devices
        </button>
      </p>
      {online ? (
        <p className="muted">
          “Sign out of all devices” ends every session of your account, here and elsewhere.
        </p>
      ) : (
        <p className="notice" data-state="offline">
          Signing out of all devices needs a connection; this device is offline.
        </p>
      )}
    </section>
  );
}
