// The "new version" banner: shown while a newer build waits; Reload hands control to it.
import { useSyncExternalStore } from 'react';
import type { PwaUpdates } from './updates';

export function UpdatePrompt({ pwa }: { pwa: PwaUpdates }) {
  const { updateWaiting } = useSyncExternalStore(pwa.subscribe, pwa.getState);
  if (!updateWaiting) return null;
  return (
    <div className="update-prompt" role="status" aria-live="polite">
      <span>A new version of Hearth is ready.</span>
      <button type="button" className="button button-primary" onClick={() => pwa.applyUpdate()}>
        Reload
      </button>
    </div>
  );
}
