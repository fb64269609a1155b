/**
 * The replay report: what `understudy replay` prints, writes as JSON/JUnit/HTML, and keeps in the
 * store (kind `replay`, subject the target) for the release gate and the dashboard. Its status:
 * `error` when the target answered none of the requests sent (unreachable), `fail` when the
 * regressions exceed the threshold (or a route got slower and latency is set to fail), else
 * `pass`. Pure.
 */
import type { CaptureProblem } from './capture-format.js';
import type { BucketCounts, ReplayTally } from './replay-account.js';

/** Kind of the stored replay report; its subject is the target environment (or URL). */
export const REPLAY_REPORT_KIND = 'replay';

/** Version of the report's shape; bumped only for incompatible changes. */
export const REPLAY_REPORT_VERSION = 1;

export type ReplayStatus = 'pass' | 'fail' | 'error';

/** At most this many capture problems are listed (all are counted). */
export const MAX_LISTED_PROBLEMS = 50;

export interface ReplayReport extends ReplayTally {
  readonly version: typeof REPLAY_REPORT_VERSION;
  readonly status: ReplayStatus;
  /** One line saying why the status is what it is. */
  readonly summary: string;
  readonly capture: string;
  readonly target: { readonly name: string; readonly url: string };
  readonly baseline?: {
    readonly url: string;
    /** Requests sent twice to the baseline, and those it failed to answer. */
    readonly pairs: number;
    readonly errors: number;
    readonly learned: readonly { readonly route: string; readonly paths: readonly string[] }[];
  };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Requests per second over the whole run. */
  readonly rate: number;
  readonly maxRegressions: number;
  readonly latency: { readonly slowerBy: number; readonly minMs: number; readonly fail: boolean };
  /** What could not be read from the capture: counted, the first few listed. */
  readonly captureProblems: { readonly count: number; readonly items: readonly CaptureProblem[] };
  /** Things a person should know about the run (unmapped credentials, baseline failures). */
  readonly notes: readonly string[];
}

export interface ReportContext {
  readonly capture: string;
  readonly target: { readonly name: string; readonly url: string };
  readonly baseline?: ReplayReport['baseline'];
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly maxRegressions: number;
  readonly latency: ReplayReport['latency'];
  readonly problems: { readonly count: number; readonly items: readonly CaptureProblem[] };
  readonly notes: readonly string[];
}

/** Whether every request that was sent failed to get an answer. */
export function targetUnreachable(counts: BucketCounts): boolean {
  return counts.error > 0 && counts.error === counts.total - counts.skipped;
}

/** The status of a tally, and a line saying why. */
export function replayVerdict(
  tally: ReplayTally,
  maxRegressions: number,
  latencyFails: boolean,
): { status: ReplayStatus; summary: string } {
  const { counts } = tally;
  if (targetUnreachable(counts))
    return {
      status: 'error',
      summary: `the target answered none of the ${counts.error} requests sent`,
    };
  if (counts.regression > maxRegressions)
    return {
      status: 'fail',
      summary: `${counts.regression} regression${counts.regression === 1 ? '' : 's'} (at most ${maxRegressions} tolerated)`,
    };
  if (latencyFails && tally.slowRoutes.length > 0)
    return {
      status: 'fail',
      summary: `${tally.slowRoutes.length} route${tally.slowRoutes.length === 1 ? '' : 's'} slower than allowed`,
    };
  const tolerated = counts.regression > 0 ? `, ${counts.regression} regression(s) tolerated` : '';
  return { status: 'pass', summary: `no unexplained difference${tolerated}` };
}

/** Assembles the report from the tally and what the run knew. */
export function buildReplayReport(tally: ReplayTally, context: ReportContext): ReplayReport {
  const { status, summary } = replayVerdict(tally, context.maxRegressions, context.latency.fail);
  const durationMs = Math.max(0, context.finishedAt.getTime() - context.startedAt.getTime());
  return {
    version: REPLAY_REPORT_VERSION,
    status,
    summary,
    capture: context.capture,
    target: context.target,
    ...(context.baseline === undefined ? {} : { baseline: context.baseline }),
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    durationMs,
    rate: durationMs > 0 ? Math.round((tally.counts.total / durationMs) * 1000) : 0,
    maxRegressions: context.maxRegressions,
    latency: context.latency,
    captureProblems: {
      count: context.problems.count,
      items: context.problems.items.slice(0, MAX_LISTED_PROBLEMS),
    },
    notes: context.notes,
    ...tally,
  };
}
