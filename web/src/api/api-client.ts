/**
 * The one way the dashboard talks to the server: JSON over fetch with the session cookie, the
 * CSRF token on every unsafe request, and one error type that carries the server's code,
 * message and hint so pages can show them as they are.
 */
import type { ErrorBody } from './api-types.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const API = '/api/v1';

/** An error answer (or no answer at all: status 0, `E_UNREACHABLE`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly path: string | undefined;

  constructor(status: number, error: ErrorBody['error']) {
    super(error.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code;
    this.hint = error.hint;
    this.path = error.path;
  }

  /** Whether the server refused for want of a current TOTP code (step-up). */
  get needsTotp(): boolean {
    if (this.code !== 'E_BLOCKED' && this.code !== 'E_INPUT') return false;
    if (this.path !== undefined) return /totp/i.test(this.path);
    return this.code === 'E_BLOCKED' && /totp|second factor|authenticator/i.test(this.message);
  }
}

// Kept in memory only, as the contract asks: a reload gets it again from GET /session.
let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** Sets the token sent as `X-CSRF-Token`; undefined after signing out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Whether an unsafe request would carry a CSRF token. */
export function hasCsrfToken(): boolean {
  return csrfToken !== undefined;
}

/** Called on every 401 (and on a CSRF refusal without a token): the app goes back to sign-in. */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

/** Sends one request and answers its JSON body (undefined for 204); errors throw `ApiError`. */
export async function apiRequest<T>(
  method: Method,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new ApiError(0, {
      code: 'E_UNREACHABLE',
      message: 'The Understudy server cannot be reached.',
      hint: 'check that `understudy serve` is running, then try again',
    });
  }
  if (!response.ok) {
    const error = await errorOf(response);
    const signingIn = method === 'POST' && path === '/session';
    if ((error.status === 401 && !signingIn) || (error.code === 'E_CSRF' && !hasCsrfToken()))
      onUnauthorized?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** GET, as the pages mostly do. */
export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return apiRequest<T>('GET', path, undefined, signal);
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let error: ErrorBody['error'] | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof parsed.error?.message === 'string') error = parsed.error;
  } catch {
    // Not JSON (a proxy's error page): described by the status below.
  }
  const retry = response.headers.get('retry-after');
  error ??= {
    code: response.status === 429 ? 'E_RATE_LIMITED' : `HTTP_${response.status}`,
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
  };
  if (response.status === 429 && retry !== null && error.hint === undefined)
    error = { ...error, hint: `try again in ${retry} s` };
  return new ApiError(response.status, error);
}

/** Turns a path segment into its URL form. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));
