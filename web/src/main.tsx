// Boots the PWA: registers the service worker, starts opening the local replica, the outbox client and
// the sync, renders the shell. Screens read only the local replica (local-first); the network is for sync and assets.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createAuth, type Auth } from './auth/session';
import { AuthProvider } from './auth/react';
import { openReplica } from './db/replica';
import { forgetDraftDocuments } from './features/stories/device-drafts';
import { createHearthClient, type HearthClient } from './outbox/client';
import { HearthProvider } from './outbox/react';
import { registerServiceWorker, withoutServiceWorker } from './pwa/updates';
import { startSync } from './sync/client';
import { SyncProvider } from './sync/react';
import './app/app.css';
import './auth/auth.css';

declare global {
  interface Window {
    /** The outbox client, for the console and the e2e specs: `await hearth.mutate(name, args)`. */
    hearth: HearthClient;
    /** Who is signed in, and the account actions (web/src/auth/SPEC.md), for the console and e2e specs. */
    hearthAuth: Auth;
  }
}

performance.mark('hearth:entry');
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to render Hearth into.');

const pwa = import.meta.env.PROD ? registerServiceWorker() : withoutServiceWorker();
const replica = openReplica();
const client = createHearthClient(replica);
window.hearth = client;
const auth = createAuth(client);
window.hearthAuth = auth;
// Draft texts are kept in IndexedDB beside the replica (features/stories SW9): a sign-out in any tab
// forgets them too, so the next person on this device finds none.
auth.onSignedOut(() => {
  forgetDraftDocuments().catch((error: unknown) =>
    console.warn('Hearth: could not forget the draft texts kept on this device:', error),
  );
});
// The leader tab's worker syncs for every tab; this tab watches it (web/src/sync/SPEC.md).
const sync = startSync(replica);
// Who is signed in, for mutations' context and the header; offline this keeps the last answer. A
// sign-out the server still owes (made offline) is delivered first.
auth.refresh().catch((error: unknown) => console.warn('Hearth: could not check the session:', error));

createRoot(root).render(
  <StrictMode>
    <HearthProvider client={client}>
      <AuthProvider auth={auth}>
        <SyncProvider sync={sync}>
          <App pwa={pwa} replica={replica} />
        </SyncProvider>
      </AuthProvider>
    </HearthProvider>
  </StrictMode>,
);
