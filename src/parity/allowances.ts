/**
 * Allowances: documented differences that parity accepts. Pure. An allowance matches a drift path
 * exactly, as a glob (`*` within one path segment, `**` across segments), or as an ancestor
 * (`infrastructure:aws_instance.web` covers its attributes). An expired allowance stops hiding its
 * drift and is reported as expired; an active one that matched nothing is reported as stale.
 */
import type { Difference, Severity } from './drift.js';
import { probeNames } from './drift.js';

export interface Allowance {
  readonly match: string;
  readonly reason: string;
  readonly owner?: string | undefined;
  /** `YYYY-MM-DD`: allowed until the end of that day (UTC). */
  readonly expires?: string | undefined;
}

/** How an allowance fared in one run. */
export interface AllowanceUse extends Allowance {
  readonly state: 'active' | 'expired' | 'stale';
  /** How many differences it matched (for expired ones: would have matched). */
  readonly matched: number;
}

/** What became of one difference. */
export type Verdict = 'drift' | 'allowed' | 'explained';

export interface AssessedDifference extends Difference {
  readonly verdict: Verdict;
  /** The allowance that accepts it (`allowed`), or the expired one that no longer does (`drift`). */
  readonly allowance?: Allowance;
  readonly allowanceExpired?: boolean;
}

/** Writes `config.LOG_LEVEL` as `config:LOG_LEVEL`: people write both, paths use the colon. */
export function normalizeMatch(match: string): string {
  for (const probe of probeNames) {
    if (match.startsWith(`${probe}.`)) return `${probe}:${match.slice(probe.length + 1)}`;
  }
  return match;
}

/** A matcher for one allowance pattern: exact, glob, or ancestor of the path. */
export function compileMatch(match: string): (path: string) => boolean {
  const pattern = normalizeMatch(match);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') {
      source += '[^.:]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const regex = new RegExp(`^${source}(?:\\..*)?$`);
  return (path) => regex.test(path);
}

/** Whether an allowance has expired on `today` (`YYYY-MM-DD`). */
export function isExpired(allowance: Allowance, today: string): boolean {
  return allowance.expires !== undefined && allowance.expires < today;
}

/** Applies allowances to differences; `explainedBy` wins over allowances, which win over drift. */
export function applyAllowances(
  differences: readonly Difference[],
  allowances: readonly Allowance[],
  today: string,
): { differences: AssessedDifference[]; allowances: AllowanceUse[] } {
  const compiled = allowances.map((a) => ({
    allowance: a,
    test: compileMatch(a.match),
    expired: isExpired(a, today),
    matched: 0,
  }));
  const assessed = differences.map((difference): AssessedDifference => {
    const matching = compiled.filter((c) => c.test(difference.path));
    for (const c of matching) c.matched++;
    if (difference.explainedBy !== undefined) return { ...difference, verdict: 'explained' };
    const active = matching.find((c) => !c.expired);
    if (active !== undefined)
      return { ...difference, verdict: 'allowed', allowance: active.allowance };
    const expired = matching[0];
    if (expired !== undefined)
      return {
        ...difference,
        verdict: 'drift',
        allowance: expired.allowance,
        allowanceExpired: true,
      };
    return { ...difference, verdict: 'drift' };
  });
  const uses = compiled.map((c): AllowanceUse => ({
    ...c.allowance,
    state: c.expired ? 'expired' : c.matched === 0 ? 'stale' : 'active',
    matched: c.matched,
  }));
  return { differences: assessed, allowances: uses };
}

/** Whether a severity is at or above the threshold that fails the check. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return threshold === 'notice' || severity === 'breaking';
}
