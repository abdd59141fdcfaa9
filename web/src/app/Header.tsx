// App bar: Hearth's mark and name, the status pill: offline / N pending / rejected / online
// (web/src/outbox/SPEC.md OB14), and the account slot (web/src/auth/SPEC.md AU2). The connection
// comes from the shell, the rest from the outbox and the replica's identity.
import { AccountMenu } from '../auth/AccountMenu';
import { useOutboxStatus } from '../outbox/react';
import type { OutboxStatus } from '../outbox/client';
import { Link } from './router';

export function Header({ online }: { online: boolean }) {
  const status = useOutboxStatus();
  return (
    <header className="header">
      <Link className="brand" to="/" aria-label="Hearth home">
        <img className="brand-mark" src="/favicon.svg" alt="" width="32" height="32" />
        <span className="brand-name">Hearth</span>
      </Link>
      <div className="header-end">
        <StatusPill online={online} status={status} />
        <AccountMenu />
      </div>
    </header>
  );
}

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

function pillText(online: boolean, status: OutboxStatus) {
  const connection = online ? 'Connection: online' : 'Connection: offline';
  const { pending, rejected } = status;
  if (!online)
    return {
      state: 'offline',
      text: pending > 0 ? `Offline · ${pending} pending` : 'Offline',
      label: pending > 0 ? `${connection}, ${changes(pending)} waiting to send` : connection,
      title: 'No network: you can keep working here; changes are sent when the network is back.',
    };
  if (rejected.length > 0)
    return {
      state: 'rejected',
      text: `${rejected.length} rejected`,
      label: `${connection}, ${changes(rejected.length)} refused by the server`,
      title: rejected.map((entry) => entry.message).join('\n'),
    };
  if (pending > 0)
    return {
      state: 'pending',
      text: `${pending} pending`,
      label: `${connection}, ${changes(pending)} being sent`,
      title: 'Connected: sending your changes.',
    };
  return {
    state: 'online',
    text: 'Online',
    label: connection,
    title: 'Connected: changes sync as they happen.',
  };
}

function StatusPill({ online, status }: { online: boolean; status: OutboxStatus }) {
  const { state, text, label, title } = pillText(online, status);
  return (
    <span
      className="pill"
      data-state={state}
      data-pending={status.pending}
      data-rejected={status.rejected.length}
      role="status"
      aria-label={label}
      title={title}
    >
      <span className="pill-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
