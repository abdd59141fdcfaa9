// Boots the PWA: registers the service worker, starts opening the local replica and the outbox client,
// renders the shell. Screens read only the local replica (local-first); the network is for sync and assets.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { openReplica } from './db/replica';
import { createHearthClient, type HearthClient } from './outbox/client';
import { HearthProvider } from './outbox/react';
import { registerServiceWorker, withoutServiceWorker } from './pwa/updates';
import './app/app.css';

declare global {
  interface Window {
    /** The outbox client, for the console and the e2e specs: `await hearth.mutate(name, args)`. */
    hearth: HearthClient;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to render Hearth into.');

const pwa = import.meta.env.PROD ? registerServiceWorker() : withoutServiceWorker();
const replica = openReplica();
const client = createHearthClient(replica);
window.hearth = client;
// Who is signed in, for mutations' context; offline this keeps the last answer.
client
  .refreshIdentity()
  .catch((error: unknown) => console.warn('Hearth: could not check the session:', error));

createRoot(root).render(
  <StrictMode>
    <HearthProvider client={client}>
      <App pwa={pwa} replica={replica} />
    </HearthProvider>
  </StrictMode>,
);
