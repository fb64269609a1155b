/**
 * Accounting for every replayed request: each ends in exactly one bucket, and the buckets sum to
 * the total. The rules, in order: not sent → `skipped` (with the reason); sent but not answered →
 * `error` (with the reason); any difference the noise model does not explain → `regression`;
 * the recorded body was cut at the capture cap → `skipped` (status and headers matched, the body
 * could not be compared); only noise differences → `noise`; none → `match`. Every suppressed
 * difference is tallied by route, path and reason. A builder: the replayer adds outcomes as they
 * come; requests with regressions wait for `finish`, where noise learned from the baseline later
 * in the run can still explain them.
 */
import type { ResponseDiff, ResponseDifference } from './diff-responses.js';
import { learnedCovers, type LearnedNoise } from './noise-model.js';
import { compareLatency, type LatencyThresholds, type RouteLatency } from './replay-latency.js';

/** Where a request ended. */
export type Bucket = 'match' | 'regression' | 'noise' | 'skipped' | 'error';

/** Requests per bucket and in total (the buckets always sum to `total`). */
export type BucketCounts = Record<Bucket | 'total', number>;

/** What happened to one request, as the replayer reports it. */
export interface ReplayOutcome {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly route: string;
  /** Milliseconds the recorded answer took. */
  readonly recordedMs: number;
  /** Why the request was not sent. */
  readonly skipped?: string;
  /** Why the request, sent, got no answer (timeout, connection refused). */
  readonly error?: string;
  /** Milliseconds the target took, when it answered. */
  readonly targetMs?: number;
  readonly diff?: ResponseDiff;
  /** Excerpts of both bodies, for a side-by-side view of a regression. */
  readonly bodies?: { readonly recorded: string; readonly actual: string };
}

/** A regression example: one request, one differing place, both values shortened. */
export interface RegressionExample {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly recorded: string;
  readonly actual: string;
  readonly bodies?: { readonly recorded: string; readonly actual: string };
}

/** Differences of one kind at one (generalised) path of one route. */
export interface RegressionGroup {
  readonly route: string;
  readonly path: string;
  readonly kind: ResponseDifference['kind'];
  /** Differences counted, and distinct requests they occurred in. */
  readonly count: number;
  readonly requests: number;
  readonly examples: readonly RegressionExample[];
}

/** Suppressed differences of one reason at one path of one route. */
export interface NoiseGroup {
  readonly route: string;
  readonly path: string;
  readonly reason: string;
  readonly rule?: string;
  readonly count: number;
  readonly requests: number;
}

export interface RouteSummary {
  readonly route: string;
  readonly counts: BucketCounts;
  readonly latency: RouteLatency;
}

/** What the account adds up to. */
export interface ReplayTally {
  readonly counts: BucketCounts;
  readonly skipped: readonly { readonly reason: string; readonly count: number }[];
  readonly errors: readonly { readonly reason: string; readonly count: number }[];
  readonly routes: readonly RouteSummary[];
  readonly regressions: readonly RegressionGroup[];
  readonly noise: readonly NoiseGroup[];
  readonly slowRoutes: readonly string[];
}

interface RouteState {
  readonly counts: BucketCounts;
  readonly recordedMs: number[];
  readonly targetMs: number[];
}

interface Group<T> {
  value: T;
  count: number;
  requests: number;
  lastId: string;
}

/** Counts of nothing yet. */
export const emptyCounts = (): BucketCounts => ({
  total: 0,
  match: 0,
  regression: 0,
  noise: 0,
  skipped: 0,
  error: 0,
});

/** Shows a JSON value in at most `width` characters. */
export function showValue(value: unknown, width = 80): string {
  if (value === undefined) return '(absent)';
  // JSON.stringify gives undefined only for functions and symbols, which parsed JSON never holds.
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** The replay's account. Add every outcome once, then `finish`. */
export class ReplayAccount {
  readonly #routes = new Map<string, RouteState>();
  readonly #total = emptyCounts();
  readonly #skipped = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  readonly #regressions = new Map<
    string,
    Group<Omit<RegressionGroup, 'count' | 'requests'> & { examples: RegressionExample[] }>
  >();
  readonly #noise = new Map<string, Group<Omit<NoiseGroup, 'count' | 'requests'>>>();
  readonly #pending: ReplayOutcome[] = [];
  readonly #maxExamples: number;

  constructor(options: { readonly maxExamples?: number } = {}) {
    this.#maxExamples = options.maxExamples ?? 3;
  }

  /** Accounts for one request. */
  add(outcome: ReplayOutcome): void {
    const route = this.#route(outcome.route);
    if (outcome.skipped !== undefined)
      return this.#count(route, 'skipped', this.#skipped, outcome.skipped);
    if (outcome.error !== undefined)
      return this.#count(route, 'error', this.#errors, outcome.error);
    route.recordedMs.push(outcome.recordedMs);
    if (outcome.targetMs !== undefined) route.targetMs.push(outcome.targetMs);
    const differences = outcome.diff?.differences ?? [];
    if (differences.some((d) => d.noise === undefined)) this.#pending.push(outcome);
    else this.#settle(outcome, differences);
  }

  /** Settles the requests still waiting, with everything learned, and adds it all up. */
  finish(learned: LearnedNoise, latency: LatencyThresholds): ReplayTally {
    for (const outcome of this.#pending.splice(0)) {
      const differences = (outcome.diff?.differences ?? []).map((d) =>
        d.noise === undefined && learnedCovers(learned, outcome.route, d.general)
          ? { ...d, noise: { reason: 'baseline' as const } }
          : d,
      );
      this.#settle(outcome, differences);
    }
    const routes = [...this.#routes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, state]) => ({
        route,
        counts: { ...state.counts },
        latency: compareLatency(state.recordedMs, state.targetMs, latency),
      }));
    const tally = (m: Map<string, number>) =>
      [...m]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    const byRouteAndPath = (
      a: { route: string; path: string },
      b: { route: string; path: string },
    ) => a.route.localeCompare(b.route) || a.path.localeCompare(b.path);
    return {
      counts: { ...this.#total },
      skipped: tally(this.#skipped),
      errors: tally(this.#errors),
      routes,
      regressions: [...this.#regressions.values()]
        .map((g) => ({ ...g.value, count: g.count, requests: g.requests }))
        .sort(byRouteAndPath),
      noise: [...this.#noise.values()]
        .map((g) => ({ ...g.value, count: g.count, requests: g.requests }))
        .sort((a, b) => byRouteAndPath(a, b) || a.reason.localeCompare(b.reason)),
      slowRoutes: routes.filter((r) => r.latency.slower).map((r) => r.route),
    };
  }

  #route(name: string): RouteState {
    let state = this.#routes.get(name);
    if (state === undefined) {
      state = { counts: emptyCounts(), recordedMs: [], targetMs: [] };
      this.#routes.set(name, state);
    }
    return state;
  }

  #count(route: RouteState, bucket: Bucket, reasons?: Map<string, number>, reason?: string): void {
    route.counts[bucket] += 1;
    route.counts.total += 1;
    this.#total[bucket] += 1;
    this.#total.total += 1;
    if (reasons !== undefined && reason !== undefined)
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }

  #settle(outcome: ReplayOutcome, differences: readonly ResponseDifference[]): void {
    const route = this.#route(outcome.route);
    let regressions = 0;
    for (const d of differences) {
      if (d.noise === undefined) {
        regressions += 1;
        this.#regression(outcome, d);
        continue;
      }
      const key = `${outcome.route}\u0000${d.general}\u0000${d.noise.reason}\u0000${d.noise.rule ?? ''}`;
      const group = this.#noise.get(key);
      const value = {
        route: outcome.route,
        path: d.general,
        reason: d.noise.reason,
        ...(d.noise.rule === undefined ? {} : { rule: d.noise.rule }),
      };
      bump(this.#noise, key, group, value, outcome.id);
    }
    if (regressions > 0) this.#count(route, 'regression');
    else if (outcome.diff?.bodyCompared === false)
      this.#count(route, 'skipped', this.#skipped, outcome.diff.note ?? 'body not compared');
    else this.#count(route, differences.length > 0 ? 'noise' : 'match');
  }

  #regression(outcome: ReplayOutcome, d: ResponseDifference): void {
    const key = `${outcome.route}\u0000${d.general}\u0000${d.kind}`;
    const group = this.#regressions.get(key);
    const value = group?.value ?? {
      route: outcome.route,
      path: d.general,
      kind: d.kind,
      examples: [],
    };
    if (
      value.examples.length < this.#maxExamples &&
      value.examples.every((e) => e.id !== outcome.id)
    )
      value.examples.push({
        id: outcome.id,
        method: outcome.method,
        url: outcome.url,
        path: d.path,
        recorded: showValue(d.recorded),
        actual: showValue(d.actual),
        ...(value.examples.length === 0 && outcome.bodies !== undefined
          ? { bodies: outcome.bodies }
          : {}),
      });
    bump(this.#regressions, key, group, value, outcome.id);
  }
}

function bump<T>(
  groups: Map<string, Group<T>>,
  key: string,
  group: Group<T> | undefined,
  value: T,
  id: string,
): void {
  if (group === undefined) {
    groups.set(key, { value, count: 1, requests: 1, lastId: id });
    return;
  }
  group.count += 1;
  if (group.lastId !== id) {
    group.requests += 1;
    group.lastId = id;
  }
}
