/**
 * Hash routing (`#/releases/v2`): the server hands out one index.html and needs no fallback.
 * `parseRoute` is pure; `useRoute` follows `hashchange`; `links` builds every address.
 */
import { useMemo, useSyncExternalStore } from 'react';

export type Route =
  | { readonly page: 'environments' }
  | { readonly page: 'parity' }
  | { readonly page: 'parity-report'; readonly id: string }
  | { readonly page: 'data' }
  | { readonly page: 'sync-report'; readonly id: string }
  | { readonly page: 'traffic' }
  | { readonly page: 'replay-report'; readonly id: string }
  | { readonly page: 'releases' }
  | { readonly page: 'release'; readonly version: string }
  | { readonly page: 'reservations' }
  | { readonly page: 'audit' }
  | { readonly page: 'people' }
  | { readonly page: 'not-found'; readonly path: string };

/** The top-level sections, as the navigation lists them. */
export type Section =
  'environments' | 'parity' | 'data' | 'traffic' | 'releases' | 'reservations' | 'audit' | 'people';

/** Which section a route belongs to (for `aria-current`). */
export function sectionOf(route: Route): Section | undefined {
  switch (route.page) {
    case 'parity-report':
      return 'parity';
    case 'sync-report':
      return 'data';
    case 'replay-report':
      return 'traffic';
    case 'release':
      return 'releases';
    case 'not-found':
      return undefined;
    default:
      return route.page;
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Reads a location hash: `#/parity/12` → the parity report 12. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decode);
  const [first, second, third] = parts;
  if (first === undefined) return { page: 'environments' };
  if (parts.length === 1) {
    if (
      first === 'parity' ||
      first === 'data' ||
      first === 'traffic' ||
      first === 'releases' ||
      first === 'reservations' ||
      first === 'audit' ||
      first === 'people'
    )
      return { page: first };
    if (first === 'environments') return { page: 'environments' };
  }
  if (parts.length === 2 && second !== undefined) {
    if (first === 'parity') return { page: 'parity-report', id: second };
    if (first === 'data') return { page: 'sync-report', id: second };
    if (first === 'releases') return { page: 'release', version: second };
  }
  if (parts.length === 3 && first === 'traffic' && second === 'replays' && third !== undefined)
    return { page: 'replay-report', id: third };
  return { page: 'not-found', path };
}

const enc = encodeURIComponent;

/** Every address the dashboard links to. */
export const links = {
  environments: '#/',
  parity: '#/parity',
  parityReport: (id: number | string): string => `#/parity/${enc(String(id))}`,
  data: '#/data',
  syncReport: (id: number | string): string => `#/data/${enc(String(id))}`,
  traffic: '#/traffic',
  replayReport: (id: number | string): string => `#/traffic/replays/${enc(String(id))}`,
  releases: '#/releases',
  release: (version: string): string => `#/releases/${enc(version)}`,
  reservations: '#/reservations',
  audit: '#/audit',
  people: '#/people',
} as const;

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => parseRoute(hash), [hash]);
}

/** Goes to an address (one of `links`). */
export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}
