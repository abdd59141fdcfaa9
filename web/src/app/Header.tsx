// App bar: Hearth's mark and name, and whether this device can reach the network right now.
export function Header({ online }: { online: boolean }) {
  return (
    <header className="header">
      <a className="brand" href="/" aria-label="Hearth home">
        <img className="brand-mark" src="/favicon.svg" alt="" width="32" height="32" />
        <span className="brand-name">Hearth</span>
      </a>
      <StatusPill online={online} />
    </header>
  );
}

function StatusPill({ online }: { online: boolean }) {
  return (
    <span
      className="pill"
      data-state={online ? 'online' : 'offline'}
      role="status"
      aria-label={online ? 'Connection: online' : 'Connection: offline'}
      title={online ? 'Connected: changes sync as they happen.' : 'No network: you can keep working here.'}
    >
      <span className="pill-dot" aria-hidden="true" />
      {online ? 'Online' : 'Offline'}
    </span>
  );
}
