/**
 * From `traffic.replay` in understudy.yaml and the command's flags to everything a replay run
 * needs: the target and baseline (an environment name or a URL), the policy, the credentials, the
 * thresholds. Flags win over the config. Pure: a mistake is an `E_INPUT`/`E_CONFIG` error before
 * any request is sent.
 */
import type { Config } from '../config/config-schema.js';
import { sections } from '../config/schema-sections.js';
import { parseDuration } from '../shared/duration.js';
import { UnderstudyError } from '../shared/errors.js';
import type { ReplayPolicy } from './replay-request.js';
import { compileRoutePattern } from './route-template.js';

/** `traffic.replay` with every default applied. */
export type ReplaySection = NonNullable<NonNullable<Config['traffic']>['replay']>;

/** What the command line may set. */
export interface ReplayFlags {
  readonly target?: string;
  readonly baseline?: string;
  readonly concurrency?: number;
  readonly rate?: number;
  readonly speed?: number;
  readonly timeout?: string;
}

/** Where requests go: a declared environment or a URL. */
export interface ResolvedEndpoint {
  /** The environment's name, or the URL's origin when a URL was given. */
  readonly name: string;
  readonly url: URL;
  readonly protected: boolean;
}

export interface ResolvedReplay {
  readonly target: ResolvedEndpoint;
  readonly baseline?: ResolvedEndpoint;
  readonly policy: ReplayPolicy;
  readonly concurrency: number;
  readonly rate?: number;
  readonly speed?: number;
  readonly timeoutMs: number;
  readonly headers: readonly string[];
  readonly ignore: readonly string[];
  readonly maxRegressions: number;
  readonly latency: { readonly slowerBy: number; readonly minMs: number; readonly fail: boolean };
}

/** The replay section of a config, or its defaults when the config has none. */
export function replaySection(config: Config): ReplaySection {
  return config.traffic?.replay ?? sections.traffic.shape.replay.unwrap().parse({});
}

/** An environment name or an http(s) URL, as `--target` and `--baseline` take them. */
export function resolveEndpoint(config: Config, value: string, flag: string): ResolvedEndpoint {
  if (/^https?:\/\//i.test(value)) {
    if (!URL.canParse(value))
      throw new UnderstudyError('E_INPUT', `${flag}: "${value}" is not a valid URL`);
    const url = new URL(value);
    // A URL that is a declared environment's keeps that environment's protection.
    const declared = Object.values(config.environments).find(
      (env) => env.url !== undefined && new URL(env.url).origin === url.origin,
    );
    return { name: url.origin, url, protected: declared?.protected === true };
  }
  const env = config.environments[value];
  if (env === undefined)
    throw new UnderstudyError('E_INPUT', `${flag}: no environment named "${value}"`, {
      hint: `declared: ${Object.keys(config.environments).join(', ')}; or pass a URL`,
    });
  if (env.url === undefined)
    throw new UnderstudyError('E_CONFIG', `environment "${value}" has no url to replay against`, {
      hint: `set environments.${value}.url, or pass ${flag} URL`,
    });
  return { name: value, url: new URL(env.url), protected: env.protected };
}

/** Resolves the config section and the flags into one set of run options. */
export function resolveReplay(config: Config, flags: ReplayFlags): ResolvedReplay {
  const section = replaySection(config);
  const target = resolveEndpoint(config, flags.target ?? section.target, '--target');
  const baselineValue = flags.baseline ?? section.baseline;
  const baseline =
    baselineValue === undefined ? undefined : resolveEndpoint(config, baselineValue, '--baseline');
  if (baseline !== undefined && baseline.url.origin === target.url.origin)
    throw new UnderstudyError('E_INPUT', 'the baseline is the target itself', {
      hint: 'the baseline must be a second production-like service, not the one under test',
    });
  const timeoutMs = parseDuration(flags.timeout ?? section.timeout);
  if (timeoutMs === undefined)
    throw new UnderstudyError('E_INPUT', `--timeout: "${flags.timeout}" is not a duration`, {
      hint: 'write it like 500ms, 10s or 1m',
    });
  const tokens = new Map<string, string>();
  const headers = new Map<string, string>();
  for (const rule of section.credentials) {
    if ('token' in rule) tokens.set(rule.token, rule.value);
    else headers.set(rule.header.toLowerCase(), rule.value);
  }
  const latency = section.latency ?? { slowerBy: 25, minMs: 5, fail: false };
  return {
    target,
    ...(baseline === undefined ? {} : { baseline }),
    policy: {
      exclude: section.exclude.map(compileRoutePattern),
      unsafeDefault: section.unsafeMethods,
      unsafeRoutes: Object.entries(section.unsafeRoutes).map(([pattern, value]) => ({
        match: compileRoutePattern(pattern),
        value,
      })),
      targetProtected: target.protected,
      targetHost: target.url.host,
      credentials: { tokens, headers },
    },
    concurrency: flags.concurrency ?? section.concurrency,
    ...(flags.rate === undefined ? {} : { rate: flags.rate }),
    ...(flags.speed === undefined ? {} : { speed: flags.speed }),
    timeoutMs,
    headers: section.headers.map((h) => h.toLowerCase()),
    ignore: section.ignore,
    maxRegressions: section.maxRegressions,
    latency,
  };
}
