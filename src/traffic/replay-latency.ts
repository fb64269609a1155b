/**
 * Latency per route template: p50/p95/p99 of the recorded answers against the target's, and
 * whether the target is slower beyond the configured threshold. A route is flagged only when its
 * p95 grew by more than `slowerBy` percent *and* by at least `minMs` milliseconds, so sub-
 * millisecond jitter on a fast route is not "100 % slower". Pure.
 */

/** Percentiles of a set of durations in milliseconds (nearest-rank). */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** The latency of one route: recorded against target. */
export interface RouteLatency {
  readonly recorded?: Percentiles;
  readonly target?: Percentiles;
  /** How much the target's p95 differs from the recorded p95, in percent (positive: slower). */
  readonly p95ChangePercent?: number;
  readonly slower: boolean;
}

export interface LatencyThresholds {
  /** Percent the p95 may grow before the route is flagged. */
  readonly slowerBy: number;
  /** Milliseconds the p95 must grow at least before the route is flagged. */
  readonly minMs: number;
}

/** Percentiles of `samples` (not modified), or undefined when there are none. */
export function percentiles(samples: readonly number[]): Percentiles | undefined {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number): number =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99) };
}

/** Compares the recorded and the target durations of one route. */
export function compareLatency(
  recorded: readonly number[],
  target: readonly number[],
  thresholds: LatencyThresholds,
): RouteLatency {
  const r = percentiles(recorded);
  const t = percentiles(target);
  if (r === undefined || t === undefined)
    return {
      ...(r === undefined ? {} : { recorded: r }),
      ...(t === undefined ? {} : { target: t }),
      slower: false,
    };
  const change = r.p95 > 0 ? round(((t.p95 - r.p95) / r.p95) * 100) : undefined;
  const grew = t.p95 - r.p95;
  const slower = grew >= thresholds.minMs && t.p95 > r.p95 * (1 + thresholds.slowerBy / 100);
  return {
    recorded: r,
    target: t,
    ...(change === undefined ? {} : { p95ChangePercent: change }),
    slower,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
