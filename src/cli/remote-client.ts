/**
 * The CLI's side of `--server URL` (or UNDERSTUDY_SERVER): the same commands, answered by an
 * `understudy serve` elsewhere through its HTTP API, with UNDERSTUDY_TOKEN as the bearer token
 * and --totp passed along as the step-up. An error answer becomes the same UnderstudyError the
 * command would have raised locally, so the message and exit code are the same.
 */
import { UnderstudyError, errorCodes, type ErrorCode } from '../shared/errors.js';
import { fetchFailure } from '../shared/fetch-failure.js';

export interface RemoteJob {
  readonly id: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly output: readonly string[];
  readonly outputTotal: number;
  readonly result?: unknown;
  readonly error?: { code: string; message: string; hint?: string };
}

export class RemoteClient {
  constructor(
    readonly base: URL,
    private readonly token: string,
    private readonly totp: string | undefined,
  ) {}

  /** Calls the API; `withTotp` adds the second factor to the body when one was given. */
  async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
    options: { withTotp?: boolean } = {},
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const payload =
      body === undefined
        ? undefined
        : {
            ...body,
            ...(options.withTotp === true && this.totp !== undefined ? { totp: this.totp } : {}),
          };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(120_000),
        // A redirect would carry the token and the code somewhere else: refused.
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      throw new UnderstudyError(
        'E_UNREACHABLE',
        `the server ${this.base.origin} did not answer: ${fetchFailure(error)}`,
        {
          hint: 'check --server (or UNDERSTUDY_SERVER), and that `understudy serve` runs there',
        },
      );
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new UnderstudyError(
        'E_UNREACHABLE',
        `${this.base.origin} answered ${response.status} with something that is not Understudy's JSON`,
        { hint: 'is --server the address of `understudy serve`?' },
      );
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; hint?: string } })
        .error;
      const code = (
        error?.code !== undefined && error.code in errorCodes ? error.code : 'E_OPERATION'
      ) as ErrorCode;
      throw new UnderstudyError(code, error?.message ?? `the server answered ${response.status}`, {
        ...(error?.hint === undefined ? {} : { hint: error.hint }),
      });
    }
    return parsed as T;
  }

  /** Follows a job until it ends, passing new output lines on; returns the finished job. */
  async follow(id: string, onLine: (line: string) => void, intervalMs = 400): Promise<RemoteJob> {
    let seen = 0;
    for (;;) {
      const { job } = await this.call<{ job: RemoteJob }>(
        'GET',
        `/api/v1/jobs/${encodeURIComponent(id)}?since=${seen}`,
      );
      for (const line of job.output) onLine(line);
      seen = job.outputTotal;
      if (job.status !== 'running') {
        if (job.error !== undefined && job.result === undefined) {
          const code = (job.error.code in errorCodes ? job.error.code : 'E_OPERATION') as ErrorCode;
          throw new UnderstudyError(code, job.error.message, {
            ...(job.error.hint === undefined ? {} : { hint: job.error.hint }),
          });
        }
        return job;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** The client for `--server`/UNDERSTUDY_SERVER, or undefined when the CLI works locally. */
export function remoteClient(
  server: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  totp: string | undefined,
): RemoteClient | undefined {
  const named = server ?? env.UNDERSTUDY_SERVER;
  if (named === undefined || named === '') return undefined;
  let base: URL;
  try {
    base = new URL(named.endsWith('/') ? named : `${named}/`);
  } catch {
    throw new UnderstudyError('E_USAGE', `--server "${named}" is not a URL`, {
      hint: 'e.g. --server https://understudy.example.com',
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new UnderstudyError(
      'E_USAGE',
      `--server must be an http:// or https:// URL, not ${base.protocol}`,
    );
  const token = env.UNDERSTUDY_TOKEN;
  if (token === undefined || token === '')
    throw new UnderstudyError('E_USAGE', `--server needs a token: set UNDERSTUDY_TOKEN`, {
      hint: 'a personal token (`understudy user add`) or a CI token (`understudy token create`)',
    });
  return new RemoteClient(base, token, totp);
}
