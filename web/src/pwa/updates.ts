// Registers the service worker through workbox-window and tells the UI when a new version waits.
// The new version takes over only when the user accepts (SKIP_WAITING), then the page reloads once.
import { Workbox } from 'workbox-window';

export type OfflineReadiness = 'disabled' | 'unsupported' | 'installing' | 'ready';

export interface PwaState {
  /** Whether this page is controlled by Hearth's service worker, i.e. would open offline. */
  readonly offline: OfflineReadiness;
  /** A newer build is installed and waiting for the user's go-ahead. */
  readonly updateWaiting: boolean;
}

export interface PwaUpdates {
  readonly getState: () => PwaState;
  readonly subscribe: (listener: () => void) => () => void;
  /** Activate the waiting version and reload into it. */
  readonly applyUpdate: () => void;
}

export function registerServiceWorker(scriptUrl = '/sw.js'): PwaUpdates {
  const supported = 'serviceWorker' in navigator;
  let state: PwaState = {
    offline: !supported ? 'unsupported' : navigator.serviceWorker.controller ? 'ready' : 'installing',
    updateWaiting: false,
  };
  const listeners = new Set<() => void>();
  const update = (next: Partial<PwaState>): void => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };

  const workbox = supported ? new Workbox(scriptUrl) : undefined;
  if (workbox) {
    workbox.addEventListener('waiting', () => update({ updateWaiting: true }));
    workbox.addEventListener('controlling', () => update({ offline: 'ready' }));
    workbox.register().catch((error: unknown) => {
      console.error('Hearth could not register its service worker; it will not open offline.', error);
      update({ offline: 'unsupported' });
    });
  }

  return {
    getState: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    applyUpdate: () => {
      if (!workbox) return;
      workbox.addEventListener('controlling', () => window.location.reload());
      workbox.messageSkipWaiting();
    },
  };
}

/** The dev server builds no service worker: the same interface, with nothing to install. */
export function withoutServiceWorker(): PwaUpdates {
  const state: PwaState = { offline: 'disabled', updateWaiting: false };
  return { getState: () => state, subscribe: () => () => undefined, applyUpdate: () => undefined };
}
