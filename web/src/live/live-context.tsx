/**
 * Puts the live store in React: the provider opens the event stream for a signed-in session
 * and loads the jobs the server already runs; hooks read the change counter, jobs and output.
 */
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import { getJson } from '../api/api-client.js';
import type { Job } from '../api/api-types.js';
import { LiveStore, type Connection } from './live-store.js';

const LiveContext = createContext<LiveStore | undefined>(undefined);

/** Opens the event stream while mounted; `onLost` checks whether the session still holds. */
export function LiveProvider(props: { onLost: () => void; children: ReactNode }): ReactNode {
  const [store] = useState(() => new LiveStore());
  const { onLost } = props;
  useEffect(() => store.connect(onLost), [store, onLost]);
  const changes = useSyncExternalStore(store.subscribe, () => store.changes);
  useEffect(() => {
    const controller = new AbortController();
    getJson<{ jobs: Job[] }>('/jobs', controller.signal).then(
      (answer) => store.putJobs(answer.jobs),
      () => undefined, // Jobs are a nicety here: the pages still show the stored results.
    );
    return () => controller.abort();
  }, [store, changes]);
  return <LiveContext.Provider value={store}>{props.children}</LiveContext.Provider>;
}

function useStore(): LiveStore {
  const store = useContext(LiveContext);
  if (store === undefined) throw new Error('useLive… outside <LiveProvider>');
  return store;
}

/** The live store itself, for adding jobs a request answered with. */
export function useLiveStore(): LiveStore {
  return useStore();
}

/** A number that grows whenever something changed on the server (debounced). */
export function useChangeCount(): number {
  const store = useContext(LiveContext);
  return useSyncExternalStore(store?.subscribe ?? noSubscribe, () => store?.changes ?? 0);
}

export function useConnection(): Connection {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => store.connection);
}

/** Jobs the server told of, newest first. */
export function useJobs(): readonly Job[] {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => store.jobs);
}

export function useJob(id: string | undefined): Job | undefined {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () =>
    id === undefined ? undefined : store.job(id),
  );
}

/** The deploy output of a job heard so far. */
export function useJobOutput(id: string | undefined): string {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => (id === undefined ? '' : store.output(id)));
}

const noSubscribe = (): (() => void) => () => undefined;
