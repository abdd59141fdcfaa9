// [OB15] The list the status indicator opens: each change the server refused, why (./rejections), and
// a Dismiss that removes it on every tab. The overlay of a rejected change is already gone (OB6).
import { useEffect, useRef } from 'react';
import { useHearth, useRejected } from './react';
import { rejectionText } from './rejections';

export function RejectedChanges({ onClose }: { onClose: () => void }) {
  const client = useHearth();
  const rejected = useRejected();
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <section
      id="rejected-changes"
      className="rejected-changes card"
      aria-labelledby="rejected-changes-title"
      tabIndex={-1}
      ref={panel}
    >
      <header className="rejected-changes-head">
        <h2 id="rejected-changes-title">Changes the server refused</h2>
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
      </header>
      <p className="rejected-changes-note">These were undone on this device. Nothing of them was saved.</p>
      <ul className="rejected-changes-list">
        {rejected.map((entry) => {
          const { change, reason, hint } = rejectionText(entry);
          return (
            <li key={entry.id} data-testid="rejected-change" data-code={entry.code} data-id={entry.id}>
              <strong>{change}</strong>
              <p role="alert">{reason}</p>
              <p className="rejected-changes-hint">{hint}</p>
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Dismiss: ${change}`}
                onClick={() => {
                  client
                    .dismissRejected(entry.id)
                    .catch((error: unknown) => console.error('Hearth could not dismiss a change:', error));
                }}
              >
                Dismiss
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
