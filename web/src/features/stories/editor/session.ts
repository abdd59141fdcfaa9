// One draft's collaborative session (SPEC.md SW9, SW11): its Yjs document, kept on this device by
// y-indexeddb and shared through the collab room by y-websocket. The network's coming and going
// connects and disconnects the socket; typed closes from the server become a state the page shows.
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { closeNotice, collabServerUrl, type CollabState } from '../connection';
import { draftStoreName } from '../device-drafts';

export interface DraftSession {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Resolves once the copy kept on this device is loaded into `doc`. */
  readonly whenLocal: Promise<void>;
  readonly getState: () => CollabState;
  readonly subscribe: (listener: () => void) => () => void;
  /** Connects again after a terminal close, when what it was about may have changed (SW11). */
  readonly retry: () => void;
  readonly destroy: () => void;
}

export function openDraftSession(draftId: string): DraftSession {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(draftStoreName(draftId), doc);
  const provider = new WebsocketProvider(collabServerUrl(window.location), draftId, doc, {
    connect: navigator.onLine,
  });
  const listeners = new Set<() => void>();
  let state: CollabState = navigator.onLine ? { kind: 'connecting' } : { kind: 'offline' };
  const set = (next: CollabState) => {
    state = next;
    for (const listener of listeners) listener();
  };

  provider.on('status', ({ status }) => {
    if (state.kind === 'closed' && state.terminal) return;
    if (!navigator.onLine) set({ kind: 'offline' });
    else if (status === 'connected') set(provider.synced ? { kind: 'live' } : { kind: 'connecting' });
    else set({ kind: 'connecting' });
  });
  provider.on('sync', (synced) => {
    if (synced && provider.wsconnected) set({ kind: 'live' });
  });
  provider.on('connection-close', (event) => {
    const notice = event === null ? null : closeNotice(event.code);
    if (notice !== null && event !== null) set({ kind: 'closed', code: event.code, ...notice });
  });

  const onOnline = () => {
    if (state.kind === 'closed' && state.terminal) return;
    set({ kind: 'connecting' });
    provider.connect();
  };
  const onOffline = () => {
    if (state.kind === 'closed' && state.terminal) return;
    provider.disconnect();
    set({ kind: 'offline' });
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  return {
    doc,
    provider,
    whenLocal: persistence.whenSynced.then(() => undefined),
    getState: () => state,
    retry() {
      if (state.kind !== 'closed' || !navigator.onLine) return;
      set({ kind: 'connecting' });
      provider.connect();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      provider.destroy();
      void persistence.destroy();
      doc.destroy();
    },
  };
}
