/**
 * What every command receives: the output, the environment, and lazy access to the config and
 * the state store — a command that needs neither never reads the disk or opens a database.
 */
import { userInfo } from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/config-load.js';
import type { Identity } from '../access/people.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { remoteClient, type RemoteClient } from './remote-client.js';
import { formatProblems, type Output } from './cli-output.js';

export interface CommandContext {
  readonly output: Output;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The `--config` flag, when given. */
  readonly configFile: string | undefined;
  /** Loads and validates the config once; config warnings are shown on stderr. */
  config(): Promise<LoadedConfig>;
  /** Opens the state store named by the config (or UNDERSTUDY_STORE_URL); closed after the command. */
  store(): Promise<Store>;
  /** Who is acting, for the audit log: UNDERSTUDY_ACTOR, else the local user. */
  actor(): string;
  /**
   * Who is acting, proven: the person or CI token UNDERSTUDY_TOKEN belongs to, with the
   * `--totp` code (or UNDERSTUDY_TOTP) checked; undefined without a token.
   */
  identity(): Promise<Identity | undefined>;
  /** The proven identity's name when there is a token, else `actor()`. */
  actorName(): Promise<string>;
  /** The server the command goes through (`--server`, UNDERSTUDY_SERVER), or undefined: local. */
  remote(): RemoteClient | undefined;
}

export interface ContextOptions {
  readonly output: Output;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configFile: string | undefined;
  /** The `--totp` flag, when given. */
  readonly totp?: string;
  /** The `--server` flag, when given. */
  readonly server?: string;
}

/** Builds the context; `close()` releases whatever the command opened. */
export function createContext(
  options: ContextOptions,
): CommandContext & { close(): Promise<void> } {
  let loaded: Promise<LoadedConfig> | undefined;
  let opened: Promise<Store> | undefined;
  let proven: Promise<Identity | undefined> | undefined;
  const context = {
    ...options,
    config() {
      loaded ??= loadConfig({ file: options.configFile, cwd: options.cwd, env: options.env }).then(
        (result) => {
          if (result.warnings.length > 0 && !options.output.json) {
            for (const line of formatProblems(
              result.warnings,
              options.output.color,
              options.output.color.yellow('!'),
            )) {
              options.output.note(line);
            }
          }
          return result;
        },
      );
      return loaded;
    },
    store() {
      opened ??= (async () => {
        const { openStore } = await import('../store/open-store.js');
        const fromEnv = options.env.UNDERSTUDY_STORE_URL;
        const { config, dir } = await context.config();
        const url = fromEnv !== undefined && fromEnv !== '' ? fromEnv : config.store.url;
        return openStore({ url, dir: path.resolve(dir, config.store.dir) });
      })();
      return opened;
    },
    actor() {
      const named = options.env.UNDERSTUDY_ACTOR;
      if (named !== undefined && named !== '') return named;
      // Until people sign in (roles and tokens come with promotion), the OS user is who acted.
      let user = options.env.USER ?? options.env.USERNAME ?? 'unknown';
      try {
        user = userInfo().username;
      } catch {
        // No passwd entry (some containers): keep the environment's answer.
      }
      return `local:${user}`;
    },
    identity() {
      proven ??= (async () => {
        const token = options.env.UNDERSTUDY_TOKEN;
        const totp = options.totp ?? options.env.UNDERSTUDY_TOTP;
        if (token === undefined || token === '') {
          if (options.totp !== undefined)
            throw new UnderstudyError(
              'E_USAGE',
              'a --totp code needs UNDERSTUDY_TOKEN: whose code is it?',
            );
          return undefined;
        }
        const { resolveIdentity } = await import('../access/people.js');
        return resolveIdentity(await context.store(), token, totp === '' ? undefined : totp);
      })();
      return proven;
    },
    async actorName() {
      return (await context.identity())?.name ?? context.actor();
    },
    remote() {
      const totp = options.totp ?? options.env.UNDERSTUDY_TOTP;
      return remoteClient(options.server, options.env, totp === '' ? undefined : totp);
    },
    async close() {
      if (opened !== undefined) await (await opened.catch(() => undefined))?.close();
    },
  };
  return context;
}
