import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, get, onSessionExpired, post, setCsrfToken } from '../api/client';
import { events } from '../api/events';

/** The caller as GET /auth/me tells it. */
export interface Me {
  id: string;
  kind: string;
  name: string;
  roles: string[];
  groups: string[] | null;
  permissions: string[];
  pending: string[];
  csrfToken?: string;
  sessionIdleS: number;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'expired' | 'idle' | 'logout' }
  | { status: 'signed-in'; me: Me };

interface SessionApi {
  state: SessionState;
  /** re-reads /auth/me (after login, a sign-in step, a password change) */
  refresh(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  logout(reason?: 'idle' | 'logout'): Promise<void>;
  can(permission: string): boolean;
}

/** Not a secret: only whether this browser may hold a session cookie (the cookie itself is HttpOnly). */
const HINT = 'ov2x.signedIn';

function forget(): void {
  events.close();
  setCsrfToken(null);
  localStorage.removeItem(HINT);
}

const SessionContext = createContext<SessionApi | null>(null);

/** Activity that counts as "in use" for the idle sign-out. */
const activity = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    // a fresh visit without a session of ours shows the login at once, without a 401 to log
    if (!localStorage.getItem(HINT)) { setState({ status: 'signed-out' }); return; }
    try {
      const me = await get<Me>('/auth/me');
      setCsrfToken(me.csrfToken ?? null);
      localStorage.setItem(HINT, '1');
      setState({ status: 'signed-in', me });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      forget();
      setState((s) => (s.status === 'signed-out' ? s : { status: 'signed-out', reason: 'expired' }));
    }
  }, []);

  const signedOut = useCallback((reason: 'expired' | 'idle' | 'logout') => {
    forget();
    setState({ status: 'signed-out', reason });
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const answer = await post<{ csrfToken: string }>('/auth/login', { username, password });
    setCsrfToken(answer.csrfToken);
    localStorage.setItem(HINT, '1');
    await refresh();
  }, [refresh]);

  const logout = useCallback(async (reason: 'idle' | 'logout' = 'logout') => {
    events.close();
    try { await post('/auth/logout'); } catch { /* already gone: signed out either way */ }
    signedOut(reason);
  }, [signedOut]);

  useEffect(() => { refresh().catch(() => setState({ status: 'signed-out' })); }, [refresh]);
  useEffect(() => onSessionExpired(() => setState((s) => {
    if (s.status !== 'signed-in') return s;
    forget();
    return { status: 'signed-out', reason: 'expired' };
  })), []);

  // The platform ends a session unused for sessionIdleS; live updates would keep it in use for
  // ever, so the portal itself signs out after as long without the user touching it.
  const idleS = state.status === 'signed-in' ? state.me.sessionIdleS : 0;
  useEffect(() => {
    if (!idleS) return;
    let timer = 0;
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void logout('idle'), idleS * 1000);
    };
    arm();
    for (const a of activity) window.addEventListener(a, arm, { passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const a of activity) window.removeEventListener(a, arm);
    };
  }, [idleS, logout]);

  const value = useMemo<SessionApi>(() => ({
    state, refresh, login, logout,
    can: (p) => state.status === 'signed-in' && state.me.permissions.includes(p),
  }), [state, refresh, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in caller (only inside the signed-in part of the app). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while signed out');
  return state.me;
}
