// Hearth's service worker: precaches the whole build (shell, PGlite's wasm/data, worker chunks) so the app
// opens with no network, and serves the precached index.html for every in-app navigation.
// An update waits until the page says so (the "new version" prompt), see web/src/pwa/.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare let self: ServiceWorkerGlobalScope;

/** The message the page posts (workbox-window's messageSkipWaiting) when the user accepts an update. */
const SKIP_WAITING = 'SKIP_WAITING';

/** Server paths a navigation may hit that are not app screens: never answer them with the shell. */
const serverOnlyPaths = [/^\/api(\/|$)/, /^\/v1(\/|$)/, /^\/healthz$/, /^\/collab(\/|$)/];

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: serverOnlyPaths }));

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === SKIP_WAITING) {
    void self.skipWaiting();
  }
});

// The first install takes control of the open page at once, so it works offline without a reload.
// Later versions wait for SKIP_WAITING; claiming then is what fires the page's `controlling` event.
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});
