/**
 * A route is described once: method, path, summary, the zod schemas of its query and body, who
 * may call it, and its handler. The router dispatches from these descriptions and the OpenAPI
 * document is generated from them, so the two cannot drift apart.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Identity } from '../access/people.js';
import { allows } from '../access/roles.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Session } from '../access/sessions.js';
import type { LoadedConfig } from '../config/config-load.js';
import type { Store } from '../store/open-store.js';
import type { EventHub } from './events.js';
import type { JobRunner } from './jobs.js';
import type { ServerMetrics } from './metrics.js';
import type { SignInLimit } from './sign-in-limit.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The session cookie's name. */
export const SESSION_COOKIE = 'understudy_session';

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

/** The `totp` field of bodies that may need a second factor. */
export const totpField = z
  .string()
  .max(16)
  .optional()
  .describe('A current TOTP code: the second factor');

/** `?limit=` of lists. */
export const limitField = z.coerce.number().int().min(1).max(1000).optional();

/** A numeric id from the path (`/reports/{id}`); anything else is bad input. */
export function pathId(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value))
    throw Object.assign(
      new UnderstudyError('E_INPUT', `${what} ids are whole numbers, not "${value ?? ''}"`),
      {
        path: 'path',
      },
    );
  return Number(value);
}

/** Who is calling a signed-in route (the router has authenticated them). */
export function caller(identity: Identity | undefined): Identity {
  if (identity === undefined) throw new UnderstudyError('E_AUTH', 'not signed in');
  return identity;
}

/**
 * Refuses unless `identity` may deploy to `env` (or, without `env`, to some environment):
 * creating releases, reporting checks, syncing and comparing environments are deployers' work.
 */
export function requireDeployer(
  deps: AppDeps,
  identity: Identity | undefined,
  what: string,
  env?: string,
): Identity {
  const who = caller(identity);
  const envs = env === undefined ? ['*', ...Object.keys(deps.loaded.config.environments)] : [env];
  if (!envs.some((e) => allows(who.roles, e, 'deploy')))
    throw new UnderstudyError(
      'E_BLOCKED',
      `${what} needs the deployer role ${env === undefined ? 'in some environment' : `in ${env}`}`,
    );
  if (
    env !== undefined &&
    deps.loaded.config.environments[env]?.protected === true &&
    !who.secondFactor
  )
    throw new UnderstudyError('E_BLOCKED', `${env} is protected: give a current code as "totp"`);
  return who;
}

/** Compares two secrets in constant time. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The client's address, for limits: the socket's peer, or — behind a trusted reverse proxy —
 * the last X-Forwarded-For entry, the one that proxy added (earlier ones the client can forge).
 */
export function clientAddress(deps: AppDeps, request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (!deps.loaded.config.server.trustProxy) return peer;
  const header = request.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const last = list[list.length - 1]?.trim();
  return last === undefined || last === '' ? peer : last;
}
