// The shell: header with the connection pill, the update prompt, and the home screen.
import type { Replica } from '../db/replica';
import { UpdatePrompt } from '../pwa/UpdatePrompt';
import type { PwaUpdates } from '../pwa/updates';
import { Header } from './Header';
import { Home } from './Home';
import { useOnline } from './useOnline';
import { useReplicaStatus } from './useReplicaStatus';

export function App({ pwa, replica }: { pwa: PwaUpdates; replica: Promise<Replica> }) {
  const online = useOnline();
  const replicaStatus = useReplicaStatus(replica);
  return (
    <div className="app">
      <Header online={online} />
      <UpdatePrompt pwa={pwa} />
      <main className="main">
        <Home online={online} pwa={pwa} replica={replicaStatus} />
      </main>
      <footer className="footer">Hearth keeps your community on this device and syncs it when it can.</footer>
    </div>
  );
}
