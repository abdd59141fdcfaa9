// App bar: Hearth's mark and name, the status indicator: offline / syncing / up to date / N pending /
// rejected (web/src/sync/SPEC.md SY4, web/src/outbox/SPEC.md OB14), and the account slot
// (web/src/auth/SPEC.md AU2). On a phone the sections wrap onto a row of their own (app.css, SH1).
import type { ComponentProps } from 'react';
import { AccountMenu } from '../auth/AccountMenu';
import { SyncStatusIndicator } from '../sync/react';
import { Link, useLocation } from './router';
import { sectionOf } from './sections';

export function Header() {
  return (
    <header className="header">
      <Link className="brand" to="/" aria-label="Hearth home">
        <img className="brand-mark" src="/favicon.svg" alt="" width="32" height="32" />
        <span className="brand-name">Hearth</span>
      </Link>
      <nav className="header-nav" aria-label="Sections">
        <NavLink to="/stories">Stories</NavLink>
        <NavLink to="/events">Gatherings</NavLink>
      </nav>
      <div className="header-end">
        <SyncStatusIndicator />
        <AccountMenu />
      </div>
    </header>
  );
}

/** A section link; the section of the page shown is marked current (SH2). */
function NavLink({ to, ...props }: ComponentProps<typeof Link>) {
  const { pathname } = useLocation();
  const section = sectionOf(to);
  const current = section !== null && sectionOf(pathname) === section;
  return <Link to={to} aria-current={current ? 'page' : undefined} {...props} />;
}
