// The header's account slot (AU2 in ./SPEC.md): signed in, the person's name opening a menu with
// Account and Sign out; signed out, "Sign in". It reads the replica's identity, so it shows offline.
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from '../app/router';
import { useAuth, useAuthState } from './react';

export function AccountMenu() {
  const auth = useAuth();
  const { status, account, sessionEnded } = useAuthState();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (status === 'loading') return <span className="account-slot" aria-hidden="true" />;
  if (account === null)
    return (
      <Link className="button button-primary button-small" to="/signin">
        Sign in
      </Link>
    );

  const name = account.displayName ?? 'Account';
  return (
    <div className="account-menu" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="account-toggle"
        aria-expanded={open}
        aria-controls={menuId}
        data-session-ended={sessionEnded ? 'true' : undefined}
        onClick={() => setOpen((was) => !was)}
      >
        <span className="avatar" aria-hidden="true">
          {initial(name)}
        </span>
        <span className="account-name">{name}</span>
      </button>
      <div className="account-popover" id={menuId} hidden={!open}>
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
