// App bar: Hearth's mark and name, the status indicator: offline / syncing / up to date / N pending /
// rejected (web/src/sync/SPEC.md SY4, web/src/outbox/SPEC.md OB14), and the account slot
// (web/src/auth/SPEC.md AU2).
import { AccountMenu } from '../auth/AccountMenu';
import { SyncStatusIndicator } from '../sync/react';
import { Link } from './router';

export function Header() {
  return (
    <header className="header">
      <Link className="brand" to="/" aria-label="Hearth home">
        <img className="brand-mark" src="/favicon.svg" alt="" width="32" height="32" />
        <span className="brand-name">Hearth</span>
      </Link>
      <nav className="header-nav" aria-label="Sections">
        <Link to="/stories">Stories</Link>
        <Link to="/events">Gatherings</Link>
      </nav>
      <div className="header-end">
        <SyncStatusIndicator />
        <AccountMenu />
      </div>
    </header>
  );
}
