import { Suspense, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useSession, useMe } from '../auth/session';
import { Loading } from '../components/ui';
import { pages, sections } from '../pages/registry';

/** Header, navigation built from the page table (only pages the user may open), and the page. */
export function Layout() {
  const me = useMe();
  const { can, logout } = useSession();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const visible = pages.filter((p) => p.section && (!p.permission || can(p.permission)));
  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="menu" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>Menu</button>
        <span className="brand">OV2X</span>
        <span className="spacer" />
        <span className="who" data-testid="who">{me.name} <span className="muted">({me.roles.join(', ')})</span></span>
        <button type="button" onClick={() => void logout()}>Sign out</button>
      </header>
      <nav id="nav" className={open ? 'nav open' : 'nav'} aria-label="Main">
        {sections.map((section) => {
          const items = visible.filter((p) => p.section === section);
          if (!items.length) return null;
          return (
            <div key={section} className="nav-section">
              <h2>{section}</h2>
              <ul>{items.map((p) => <li key={p.path}><NavLink to={`/${p.path}`} onClick={() => setOpen(false)}>{p.title}</NavLink></li>)}</ul>
            </div>
          );
        })}
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense key={location.pathname.split('/')[1]} fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
