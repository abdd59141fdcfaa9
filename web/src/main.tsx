// Boots the PWA: registers the service worker, starts opening the local replica, renders the shell.
// Screens read only the local replica (local-first); the network is for sync and assets.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { openReplica } from './db/replica';
import { registerServiceWorker, withoutServiceWorker } from './pwa/updates';
import './app/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to render Hearth into.');

const pwa = import.meta.env.PROD ? registerServiceWorker() : withoutServiceWorker();
const replica = openReplica();

createRoot(root).render(
  <StrictMode>
    <App pwa={pwa} replica={replica} />
  </StrictMode>,
);
