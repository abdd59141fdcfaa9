// The sign-out flow on screen (AU7, AU8 in ./SPEC.md): "Sending N changes…" while the outbox flushes,
// then, if changes are still waiting, the warning with Cancel / Sign out anyway.
import { useEffect, useRef } from 'react';
import { changesText, discardWarning } from './messages';
import { useAuth, useAuthState } from './react';
import type { ConfirmReason } from './signout-flow';

const WHY: Record<ConfirmReason, string> = {
  offline: 'This device is offline.',
  'timed-out': 'They could not be sent just now.',
  'cannot-send': 'The server no longer accepts this device’s session, so they cannot be sent.',
};

export function SignOutDialog() {
  const auth = useAuth();
  const { signOut, signOutScope } = useAuthState();
  const dialog = useRef<HTMLDialogElement>(null);
  const open = signOut.phase !== 'idle';

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const title =
    signOut.phase === 'confirm'
      ? 'Discard unsent changes?'
      : signOutScope === 'everywhere'
        ? 'Signing out of all devices'
        : 'Signing out';

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="signout-title"
      onCancel={(event) => {
        // Escape is Cancel, except once the sign-out is under way.
        event.preventDefault();
        if (signOut.phase !== 'signing-out') auth.cancelSignOut();
      }}
    >
      <h2 id="signout-title">{title}</h2>
      {signOut.phase === 'flushing' ? (
        <>
          <p role="status" aria-live="polite" data-pending={signOut.pending}>
            <span className="spinner" aria-hidden="true" /> Sending {changesText(signOut.pending)}…
          </p>
          <p className="muted">Your changes are going to the server before you sign out.</p>
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={() => auth.cancelSignOut()}>
              Cancel
            </button>
          </div>
        </>
      ) : null}
      {signOut.phase === 'confirm' ? (
        <>
          <p data-pending={signOut.pending}>{discardWarning(signOut.pending)}</p>
          <p className="muted">
            {WHY[signOut.reason]} Cancel to keep them on this device and send them later.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={() => auth.cancelSignOut()}>
              Cancel
            </button>
            <button type="button" className="button button-danger" onClick={() => auth.discardAndSignOut()}>
              Sign out anyway
            </button>
          </div>
        </>
      ) : null}
      {signOut.phase === 'signing-out' ? (
        <p role="status" aria-live="polite">
          <span className="spinner" aria-hidden="true" /> Signing out and clearing this device…
        </p>
      ) : null}
      {signOut.phase === 'failed' ? (
        <>
          <p role="alert">{signOut.message}</p>
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={() => auth.cancelSignOut()}>
              Close
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => auth.requestSignOut(signOutScope)}
            >
              Try again
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
