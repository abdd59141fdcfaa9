// The header's account slot (AU2 in ./SPEC.md): signed in, the person's name opening a menu with
// Account and Sign out; signed out, "Sign in". It reads the replica's identity, so it shows offline.
import { useDisclosure } from '../app/disclosure';
import { Link } from '../app/router';
import { useAuth, useAuthState } from './react';

export function AccountMenu() {
  const auth = useAuth();
  const { status, account, sessionEnded } = useAuthState();
  const { setOpen, buttonProps, panelProps } = useDisclosure<HTMLDivElement>();

  if (status === 'loading') return <span className="account-slot" aria-hidden="true" />;
  if (account === null)
    return (
      <Link className="button button-primary button-small" to="/signin">
        Sign in
      </Link>
    );

  const name = account.displayName ?? 'Account';
  return (
    <div className="account-menu">
      <button
        {...buttonProps}
        type="button"
        className="account-toggle"
        aria-label={name}
        data-session-ended={sessionEnded ? 'true' : undefined}
      >
        <span className="avatar" aria-hidden="true">
          {initial(name)}
        </span>
        <span className="account-name">{name}</span>
      </button>
      <div className="account-popover" {...panelProps}>
        {sessionEnded ? (
          <p className="account-note">
            Your session has ended.{' '}
            <Link to="/signin" onClick={() => setOpen(false)}>
              Sign in again
            </Link>
          </p>
        ) : null}
        <ul>
          <li>
            <Link to="/account" className="menu-item" onClick={() => setOpen(false)}>
              Account
            </Link>
          </li>
          <li>
            <button
              type="button"
              className="menu-item"
              onClick={() => {
                setOpen(false);
                auth.requestSignOut('device');
              }}
            >
              Sign out
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}
