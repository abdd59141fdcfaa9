// The shell: header (connection pill, account menu), the update prompt, and the screen the path picks
// (./router). The sign-out dialog sits above every screen; a sign-out in any tab leaves /account.
import { useEffect, useRef } from 'react';
import { AccountScreen } from '../auth/AccountScreen';
import { AuthErrorNotice } from '../auth/AuthErrorNotice';
import { useAuth } from '../auth/react';
import { SignInScreen } from '../auth/SignInScreen';
import { SignOutDialog } from '../auth/SignOutDialog';
import { SignUpScreen } from '../auth/SignUpScreen';
import type { Replica } from '../db/replica';
import { ReplicaProvider } from '../db/views';
import { UpdatePrompt } from '../pwa/UpdatePrompt';
import type { PwaUpdates } from '../pwa/updates';
import { Header } from './Header';
import { Home } from './Home';
import { NotFound } from './NotFound';
import { featureRoutes } from './features';
import { matchFeature, navigate, routeOf, useLocation, type Route } from './router';
import { useOnline } from './useOnline';
import { useReplicaStatus, type ReplicaStatus } from './useReplicaStatus';

export function App({ pwa, replica }: { pwa: PwaUpdates; replica: Promise<Replica> }) {
  const online = useOnline();
  const replicaStatus = useReplicaStatus(replica);
  const auth = useAuth();
  const { pathname } = useLocation();
  const route = routeOf(pathname);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(
    () =>
      auth.onSignedOut(() => {
        if (routeOf(window.location.pathname).name === 'account') navigate('/', { replace: true });
      }),
    [auth],
  );

  // A new screen: its heading takes the focus (screen readers hear where they are) and the page starts at the top.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);

  return (
    <div className="app">
      <Header />
      <UpdatePrompt pwa={pwa} />
      <AuthErrorNotice />
      <main className="main" ref={main}>
        {/* Every screen reads the replica (useView), so every screen sits inside its provider. */}
        <ReplicaProvider replica={replica} fallback={<ReplicaOpening replica={replicaStatus} />}>
          <Screen route={route} online={online} pwa={pwa} replica={replicaStatus} />
        </ReplicaProvider>
      </main>
      <SignOutDialog />
      <footer className="footer">Hearth keeps your community on this device and syncs it when it can.</footer>
    </div>
  );
}

function Screen({
  route,
  online,
  pwa,
  replica,
}: {
  route: Route;
  online: boolean;
  pwa: PwaUpdates;
  replica: ReplicaStatus;
}) {
  switch (route.name) {
    case 'home':
      return <Home online={online} pwa={pwa} replica={replica} />;
    case 'signin':
      return <SignInScreen />;
    case 'signup':
      return <SignUpScreen />;
    case 'account':
      return <AccountScreen />;
    case 'not-found': {
      const feature = matchFeature(featureRoutes, route.path);
      return feature ? feature.route.render(feature.params) : <NotFound />;
    }
  }
}

/** Until the replica is open, in place of the screen: that it is opening, or why it could not open. */
function ReplicaOpening({ replica }: { replica: ReplicaStatus }) {
  if (replica.state === 'failed')
    return (
      <p className="replica-failed" data-code={replica.code} role="alert">
        {replica.message}
      </p>
    );
  return (
    <p className="feed-empty" role="status">
      Opening this device’s data…
    </p>
  );
}
