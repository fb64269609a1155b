/**
 * Which exchanges are recorded: a percentage of sessions, the same decision for every request of
 * one session (a hash of the `sample.by` header or cookie, else of the client address), so a
 * recorded session is whole; and the route filter. What is left out is counted as skipped.
 */
import { compileRouteFilter } from './route-match.js';

/** `traffic.record.sample` and `routes`. */
export interface SamplingOptions {
  /** 0–100; 100 records every session. */
  readonly percent?: number;
  /** A header name, or `cookie:NAME`, whose value identifies a session. */
  readonly by?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** Decides per request. */
export interface Sampler {
  /** The session's key: the `by` header or cookie value, else `client`. */
  sessionKey(rawHeaders: readonly string[], client: string): string;
  /** Whether to record this request of the session `key`. */
  keep(method: string, path: string, key: string): boolean;
}

/** The value of cookie `name` in the Cookie headers of a flat raw header list. */
export function cookieValue(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'cookie') continue;
    for (const part of rawHeaders[i + 1]!.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** FNV-1a, 32 bits: fast, stable across runs and machines; secrecy is not needed here. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Builds the sampler. */
export function createSampler(options: SamplingOptions): Sampler {
  const percent = options.percent ?? 100;
  const routes = compileRouteFilter(options);
  const by = options.by?.trim().toLowerCase();
  const cookie = by?.startsWith('cookie:') === true ? options.by!.trim().slice(7) : undefined;
  return {
    sessionKey(rawHeaders, client) {
      if (by === undefined) return client;
      if (cookie !== undefined) return cookieValue(rawHeaders, cookie) || client;
      for (let i = 0; i < rawHeaders.length; i += 2)
        if (rawHeaders[i]!.toLowerCase() === by && rawHeaders[i + 1] !== '')
          return rawHeaders[i + 1]!;
      return client;
    },
    keep(method, path, key) {
      if (!routes(method, path)) return false;
      if (percent >= 100) return true;
      if (percent <= 0) return false;
      // Hundredths of a percent, so 0.5 % means something.
      return fnv1a(key) % 10_000 < percent * 100;
    },
  };
}
