import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload(): void;
  /** reload once within LIVE_RELOAD_MS, however many live events ask: a busy fleet must not flood the API */
  reloadSoon(): void;
  /** replace the data locally (live updates) without a request */
  set(update: (old: T | undefined) => T | undefined): void;
}

export const LIVE_RELOAD_MS = 1000;

/** GET `path` (null: nothing yet) and keep the answer; a new path loads again. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    get<T>(path).then(
      (d) => { if (live) { setData(d); setError(undefined); setLoading(false); } },
      (e: unknown) => { if (live) { setError(e instanceof Error ? e : new Error(String(e))); setLoading(false); } },
    );
    return () => { live = false; };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const timer = useRef(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const reloadSoon = useCallback(() => {
    if (timer.current) return;
    timer.current = window.setTimeout(() => { timer.current = 0; reload(); }, LIVE_RELOAD_MS);
  }, [reload]);
  return { data, error, loading, reload, reloadSoon, set: setData };
}
