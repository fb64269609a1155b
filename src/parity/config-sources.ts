/**
 * Reads an environment's configuration from the sources declared in `understudy.yaml`: dotenv,
 * JSON and YAML files, Kubernetes manifests, a command's output, an HTTP endpoint. The parsing is
 * pure (`config-parse.ts`, `dotenv-parse.ts`); this file only reads, runs and fetches.
 *
 * Sources are read in the order declared and merged: a later source overrides an earlier one for
 * the same key, as later `env_file`s and `envFrom` entries do. A key set by a Kubernetes Secret in
 * any source stays secret. Every failure names the source and, for syntax errors, file:line:col —
 * and never quotes a value.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentConfig } from '../config/config-schema.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import {
  flattenConfig,
  parseJsonText,
  parseKubernetesText,
  parseYamlText,
  selectPointer,
  sortedMap,
  type ConfigValues,
} from './config-parse.js';
import { parseDotenv } from './dotenv-parse.js';
import { hasUrlCredentials, looksLikeSecretValue } from './secret-detect.js';

export type { ConfigValues } from './config-parse.js';

/** One configuration source, as declared under `environments.NAME.config`. */
export type ConfigSource = EnvironmentConfig['config'][number];

/** Where sources are read from, and how long commands and endpoints may take. */
export interface ReadSourcesOptions {
  /** Directory of understudy.yaml: file paths are relative to it, and commands run in it. */
  readonly dir: string;
  /** The environment's `url`, for http sources given as a path. */
  readonly baseUrl?: string | undefined;
  /** Environment variables for commands (the process's own by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds a command may run (30 s by default). */
  readonly commandTimeoutMs?: number;
  /** Milliseconds an http source may take (10 s by default). */
  readonly httpTimeoutMs?: number;
}

/** Reads and merges all sources of one environment; throws `UnderstudyError` naming the source. */
export async function readConfigSources(
  sources: readonly ConfigSource[],
  options: ReadSourcesOptions,
): Promise<ConfigValues> {
  const values = new Map<string, string>();
  const secretKeys = new Set<string>();
  for (const source of sources) {
    const read = await readSource(source, options);
    for (const [key, value] of read.values) values.set(key, value);
    for (const key of read.secretKeys) secretKeys.add(key);
  }
  return { values: sortedMap(values), secretKeys };
}

const noSecrets: ReadonlySet<string> = new Set();

async function readSource(
  source: ConfigSource,
  options: ReadSourcesOptions,
): Promise<ConfigValues> {
  if ('dotenv' in source) {
    const text = await readSourceFile(source.dotenv, options.dir);
    return { values: sortedMap(parseDotenv(text, source.dotenv)), secretKeys: noSecrets };
  }
  if ('json' in source) {
    const text = await readSourceFile(source.json, options.dir);
    const picked = selectPointer(parseJsonText(text, source.json), source.pointer, source.json);
    return { values: flattenConfig(picked, source.json), secretKeys: noSecrets };
  }
  if ('yaml' in source) {
    const text = await readSourceFile(source.yaml, options.dir);
    const picked = selectPointer(parseYamlText(text, source.yaml), source.pointer, source.yaml);
    return { values: flattenConfig(picked, source.yaml), secretKeys: noSecrets };
  }
  if ('kubernetes' in source) {
    const text = await readSourceFile(source.kubernetes, options.dir);
    return parseKubernetesText(text, source.kubernetes, source.name);
  }
  if ('command' in source) {
    const output = await runCommand(source.command, options);
    const label = `output of command \`${redact(source.command)}\``;
    const values = output.trimStart().startsWith('{')
      ? flattenConfig(parseJsonText(output, label), label)
      : sortedMap(parseDotenv(output, label));
    return { values, secretKeys: noSecrets };
  }
  const url = resolveUrl(source.http, options.baseUrl);
  const body = await fetchText(url, options.httpTimeoutMs ?? 10_000);
  const label = safeUrl(url);
  const picked = selectPointer(parseJsonText(body, label), source.pointer, label);
  return { values: flattenConfig(picked, label), secretKeys: noSecrets };
}

/** Reads a file named in understudy.yaml; a missing one is `E_INPUT` naming the path as written. */
export async function readSourceFile(file: string, dir: string): Promise<string> {
  try {
    return await readFile(path.resolve(dir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnderstudyError(
      'E_INPUT',
      code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${messageOf(error)})`,
      { hint: 'Paths in understudy.yaml are relative to its directory.' },
    );
  }
}

/** Runs a command with the shell in `dir`: its stdout, or an error with exit code and stderr tail. */
async function runCommand(command: string, options: ReadSourcesOptions): Promise<string> {
  const timeoutMs = options.commandTimeoutMs ?? 30_000;
  const shown = `\`${redact(command)}\``;
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops the command's children too, not just the shell.
    const child = spawn(command, {
      shell: true,
      cwd: options.dir,
      env: { ...(options.env ?? process.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new UnderstudyError('E_OPERATION', `command ${shown} could not start: ${error.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve(Buffer.concat(stdout).toString('utf8'));
      const tail = stderrTail(Buffer.concat(stderr).toString('utf8'));
      const how = timedOut
        ? `did not finish within ${timeoutMs / 1000} s`
        : `exited with code ${code ?? 'none (killed)'}`;
      reject(
        new UnderstudyError(
          'E_OPERATION',
          `command ${shown} ${how}${tail === '' ? '' : `: ${tail}`}`,
          {
            hint: 'The command runs with the shell in the directory of understudy.yaml.',
          },
        ),
      );
    });
  });
}

/** The last lines of stderr on one line, with secret-looking words masked. */
function stderrTail(text: string): string {
  const lines = text.trim().split(/\r?\n/).slice(-3).join(' | ');
  return redact(lines.length > 300 ? `…${lines.slice(-300)}` : lines);
}

/** Masks words that look like secrets: commands and stderr may carry interpolated credentials. */
function redact(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : word;
      return looksLikeSecretValue(value) || hasUrlCredentials(value)
        ? word.replace(value, '***')
        : word;
    })
    .join('');
}

/** A full URL as is; a path joined to the environment's URL (keeping any path the URL has). */
function resolveUrl(target: string, baseUrl: string | undefined): URL {
  if (/^https?:\/\//i.test(target)) return new URL(target);
  if (baseUrl === undefined)
    throw new UnderstudyError(
      'E_INPUT',
      `http source "${target}" is a path, but the environment has no url`,
      {
        hint: 'Give the environment a url:, or the source a full URL.',
      },
    );
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`);
}

/** A URL fit to print: credentials removed. */
function safeUrl(url: URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

async function fetchText(url: URL, timeoutMs: number): Promise<string> {
  const shown = safeUrl(url);
  // fetch refuses URLs with credentials: send them as Basic authentication instead.
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '' || url.password !== '') {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  let response: Response;
  let body: string;
  try {
    response = await fetch(shown, { headers, signal: AbortSignal.timeout(timeoutMs) });
    body = await response.text();
  } catch (error) {
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : messageOf((error as { cause?: unknown }).cause ?? error);
    throw new UnderstudyError('E_UNREACHABLE', `GET ${shown}: ${why}`, {
      hint: 'Is the environment up, and its url right?',
    });
  }
  if (!response.ok) {
    // A server error means the environment is not answering properly; a 4xx means a wrong source.
    throw new UnderstudyError(
      response.status >= 500 ? 'E_UNREACHABLE' : 'E_INPUT',
      `GET ${shown} answered ${response.status} ${response.statusText}`.trimEnd(),
    );
  }
  return body;
}
