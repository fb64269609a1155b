/**
 * Data a page shows: fetched when the path changes, fetched again (keeping what is on screen)
 * when the server says something changed, or when the page asks.
 */
import { useCallback, useEffect, useState } from 'react';
import { useChangeCount } from '../live/live-context.js';
import { ApiError, getJson } from './api-client.js';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

interface State<T> {
  readonly path: string | null;
  readonly data?: T;
  readonly error?: ApiError;
  readonly loading: boolean;
}

/** GETs `path` (under /api/v1); null fetches nothing. `live: false` ignores change events. */
export function useResource<T>(path: string | null, options: { live?: boolean } = {}): Resource<T> {
  const changes = useChangeCount();
  const live = options.live ?? true;
  const [manual, setManual] = useState(0);
  const [state, setState] = useState<State<T>>({ path, loading: path !== null });
  const trigger = live ? changes : 0;

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => (s.path === path ? { ...s, loading: true } : { path, loading: true }));
    getJson<T>(path, controller.signal).then(
      (data) => setState({ path, data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure =
          error instanceof ApiError
            ? error
            : new ApiError(0, { code: 'E_CLIENT', message: String(error) });
        setState((s) => ({
          path,
          ...(s.path === path && s.data !== undefined ? { data: s.data } : {}),
          error: failure,
          loading: false,
        }));
      },
    );
    return () => controller.abort();
  }, [path, trigger, manual]);

  const reload = useCallback(() => setManual((n) => n + 1), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== null && (!current || state.loading),
    reload,
  };
}
