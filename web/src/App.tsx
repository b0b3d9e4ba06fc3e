import { useEffect } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { LoginPage } from './auth/LoginPage';
import { useSession } from './auth/session';
import { Loading } from './components/ui';
import { Layout } from './layout/Layout';
import { homeOf, pages } from './pages/registry';

/** Signed out or mid sign-in: the login steps; signed in: the pages of the table the user may open. */
export function App() {
  const { state, can } = useSession();
  const location = useLocation();
  const page = pages.find((p) => matches(p.path, location.pathname));
  useEffect(() => { document.title = page ? `${page.title} · OV2X` : 'OV2X'; }, [page]);
  if (state.status === 'loading') return <Loading what="Starting" />;
  if (state.status === 'signed-out' || state.me.pending.length) return <LoginPage />;
  const home = `/${homeOf(can)}`;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to={home} replace />} />
        {pages.map((p) => (
          <Route key={p.path} path={p.path} element={!p.permission || can(p.permission) ? <p.component /> : <Forbidden />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

const matches = (pattern: string, path: string): boolean =>
  new RegExp(`^/${pattern.replace(/:[^/]+/g, '[^/]+')}/?$`).test(path);

function Forbidden() {
  return <section><h1>Not allowed</h1><p>Your role does not give access to this page.</p></section>;
}

function NotFound() {
  return <section><h1>Not found</h1><p>There is no such page.</p></section>;
}
