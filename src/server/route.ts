/**
 * A route is described once: method, path, summary, the zod schemas of its query and body, who
 * may call it, and its handler. The router dispatches from these descriptions and the OpenAPI
 * document is generated from them, so the two cannot drift apart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Identity } from '../access/people.js';
import type { Session } from '../access/sessions.js';
import type { LoadedConfig } from '../config/config-load.js';
import type { Store } from '../store/open-store.js';
import type { EventHub } from './events.js';
import type { JobRunner } from './jobs.js';
import type { ServerMetrics } from './metrics.js';
import type { SignInLimit } from './sign-in-limit.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: anyone, or someone signed in (duties are checked by the capability). */
export type Access = 'public' | 'signed-in';

/** What every handler can reach. */
export interface AppDeps {
  readonly store: Store;
  readonly loaded: LoadedConfig;
  readonly events: EventHub;
  readonly jobs: JobRunner;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  readonly now: () => Date;
}

export interface RouteInput<Q, B> {
  readonly deps: AppDeps;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Q;
  readonly body: B;
  /** Who is calling; undefined only on public routes. */
  readonly identity: Identity | undefined;
  /** The cookie session, when the caller signed in with a password. */
  readonly session: Session | undefined;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** The server's own parts: sign-in limits and metrics. */
  readonly services: AppServices;
}

export interface AppServices {
  readonly signInLimit: SignInLimit;
  readonly metrics: ServerMetrics;
  readonly routes: readonly Route[];
}

/** A JSON answer; `undefined` body means 204. A handler that streams answers `{ streamed: true }`. */
export type RouteAnswer =
  | { readonly status?: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly streamed: true };

export interface Route<Q = unknown, B = unknown> {
  readonly method: Method;
  /** OpenAPI-style path: `/api/v1/releases/{version}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** What a success looks like, for the document: status and a description. */
  readonly answers: {
    readonly status: number;
    readonly description: string;
    readonly type?: string;
  };
  handle(input: RouteInput<Q, B>): RouteAnswer | Promise<RouteAnswer>;
}

/** Declares a route with its types inferred from its schemas. */
export function route<Q = undefined, B = undefined>(definition: Route<Q, B>): Route {
  return definition;
}
