/**
 * Starts `understudy serve` in-process for a test project (a real HTTP server on loopback, a real
 * store) and gives a small client with a cookie jar, so a test reads like a person or CI using
 * the API.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { tempProject } from '../harness/cli.js';

export { totpCode } from '../harness/totp.js';

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A client with its own cookies (a browser), or a bearer token (CI and the CLI). */
export class ApiClient {
  private cookie: string | undefined;
  csrf: string | undefined;

  constructor(
    readonly base: string,
    private readonly token?: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    url: string,
    body?: unknown,
    options: { csrf?: boolean; raw?: string } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (this.cookie !== undefined) headers.cookie = this.cookie;
    if (body !== undefined || options.raw !== undefined)
      headers['content-type'] = 'application/json';
    if (options.csrf !== false && this.csrf !== undefined && method !== 'GET')
      headers['x-csrf-token'] = this.csrf;
    const response = await fetch(`${this.base}${url}`, {
      method,
      headers,
      ...(options.raw !== undefined
        ? { body: options.raw }
        : body === undefined
          ? {}
          : { body: JSON.stringify(body) }),
    });
    const set = response.headers.get('set-cookie');
    if (set !== null) {
      const pair = set.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes('json') && text !== '' ? JSON.parse(text) : text) as T,
    };
  }

  async signIn(name: string, password: string): Promise<Answer> {
    const answer = await this.call('POST', '/api/v1/session', { name, password });
    if (answer.status === 200) this.csrf = answer.body.csrfToken as string;
    return answer;
  }
}

/** A project with `config` as understudy.yaml and a server on a free loopback port. */
export async function startTestServer(
  config: string,
  env: Record<string, string | undefined> = {},
  port = 0,
): Promise<{ dir: string; server: RunningServer }> {
  const dir = await tempProject('understudy-serve-');
  await writeFile(path.join(dir, 'understudy.yaml'), config);
  const server = await startServer({
    cwd: dir,
    env: { ...process.env, ...env },
    host: '127.0.0.1',
    port,
    log: () => undefined,
  });
  return { dir, server };
}
