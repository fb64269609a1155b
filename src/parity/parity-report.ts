/**
 * Turns what the probes found into the parity report: allowances applied, a score, counts, and
 * one status that decides the exit code. Pure; the runner gathers the probe results.
 */
import {
  applyAllowances,
  isAtLeast,
  type Allowance,
  type AllowanceUse,
  type AssessedDifference,
} from './allowances.js';
import {
  compareDifferences,
  probeNames,
  type JsonValue,
  type ProbeName,
  type ProbeResult,
  type Severity,
} from './drift.js';

/** Stored parity reports' kind; their subject is `ENV~AGAINST`. */
export const PARITY_REPORT_KIND = 'parity';

/** Version of the report's shape (in `--json` and the store). */
export const PARITY_REPORT_VERSION = 1;

/**
 * `pass`: nothing unexplained at or above the threshold. `drift`: something is. `error`: a probe
 * could not read its target, so the report is incomplete whatever else it says.
 */
export type ParityStatus = 'pass' | 'drift' | 'error';

export interface ProbeSummary {
  readonly probe: ProbeName;
  readonly status: ProbeResult['status'];
  readonly reason?: string;
  readonly unreachable?: boolean;
  readonly compared: number;
  readonly drift: number;
  readonly allowed: number;
  readonly explained: number;
  readonly facts?: { readonly [key: string]: JsonValue };
}

export interface ParityReport {
  readonly version: typeof PARITY_REPORT_VERSION;
  readonly env: string;
  readonly against: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: ParityStatus;
  readonly failOn: Severity;
  /** (compared − unexplained) ÷ compared, 0..1; null when nothing could be compared. */
  readonly score: number | null;
  readonly counts: {
    readonly compared: number;
    readonly drift: number;
    /** Unexplained drift at or above `failOn`: what fails the check. */
    readonly blocking: number;
    readonly allowed: number;
    readonly explained: number;
  };
  readonly probes: readonly ProbeSummary[];
  readonly differences: readonly AssessedDifference[];
  readonly allowances: readonly AllowanceUse[];
}

export interface BuildReportInput {
  readonly env: string;
  readonly against: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly failOn: Severity;
  readonly results: readonly ProbeResult[];
  readonly allowances: readonly Allowance[];
  /** `YYYY-MM-DD`, for allowance expiry. */
  readonly today: string;
}

/** Builds the report from probe results and allowances. */
export function buildParityReport(input: BuildReportInput): ParityReport {
  const results = [...input.results].sort(
    (a, b) => probeNames.indexOf(a.probe) - probeNames.indexOf(b.probe),
  );
  const all = results.flatMap((r) => r.differences).sort(compareDifferences);
  const { differences, allowances } = applyAllowances(all, input.allowances, input.today);

  const count = (probe: ProbeName | undefined, verdict: AssessedDifference['verdict']): number =>
    differences.filter((d) => (probe === undefined || d.probe === probe) && d.verdict === verdict)
      .length;
  const probes = results.map((r): ProbeSummary => ({
    probe: r.probe,
    status: r.status,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.unreachable === true ? { unreachable: true } : {}),
    compared: r.compared,
    drift: count(r.probe, 'drift'),
    allowed: count(r.probe, 'allowed'),
    explained: count(r.probe, 'explained'),
    ...(r.facts === undefined ? {} : { facts: r.facts }),
  }));

  const compared = results.reduce((sum, r) => sum + r.compared, 0);
  const drift = count(undefined, 'drift');
  const blocking = differences.filter(
    (d) => d.verdict === 'drift' && isAtLeast(d.severity, input.failOn),
  ).length;
  const failed = results.some((r) => r.status === 'failed');
  return {
    version: PARITY_REPORT_VERSION,
    env: input.env,
    against: input.against,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    status: failed ? 'error' : blocking > 0 ? 'drift' : 'pass',
    failOn: input.failOn,
    score: compared === 0 ? null : Math.max(0, compared - drift) / compared,
    counts: {
      compared,
      drift,
      blocking,
      allowed: count(undefined, 'allowed'),
      explained: count(undefined, 'explained'),
    },
    probes,
    differences,
    allowances,
  };
}

/** The score as people read it: `97.5 %`, or `n/a`. */
export function formatScore(score: number | null): string {
  if (score === null) return 'n/a';
  // Never round a report with drift up to 100 %: 99.96 % is shown as 99.9 %.
  const percent = Math.floor(score * 1000) / 10;
  return `${percent.toFixed(percent === 100 ? 0 : 1)} %`;
}
