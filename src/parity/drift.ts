/**
 * The vocabulary of parity: a difference between the environment being checked (`env`, usually
 * staging) and the one it must mirror (`against`, usually production), and what each probe found.
 * Every probe produces these; allowances, scoring and reporters read only these.
 */

/** The probes parity runs, in report order. */
export const probeNames = [
  'schema',
  'config',
  'versions',
  'runtime',
  'data-age',
  'infrastructure',
] as const;
export type ProbeName = (typeof probeNames)[number];

/** `breaking`: tests on staging no longer predict production. `notice`: worth knowing. */
export type Severity = 'breaking' | 'notice';

/**
 * Relative to `env`: `missing` — `against` has it, `env` lacks it; `extra` — the reverse;
 * `changed` — both have it, with other values; `shared` — both hold the same value where they must
 * not (a production credential in staging).
 */
export type DifferenceKind = 'missing' | 'extra' | 'changed' | 'shared';

/** A JSON value, as stored in reports. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface Difference {
  readonly probe: ProbeName;
  /** Stable path, `probe:rest`, e.g. `schema:public.orders.columns.total.type`, `config:LOG_LEVEL`. */
  readonly path: string;
  readonly kind: DifferenceKind;
  readonly severity: Severity;
  /** The value in `env`; absent when missing there, or withheld (secret). */
  readonly envValue?: JsonValue;
  /** The value in `against`; absent when missing there, or withheld (secret). */
  readonly againstValue?: JsonValue;
  /** Values are secret: compared by keyed hash only, never shown or stored. */
  readonly secret?: boolean;
  /** One line for people, when the path and values do not say enough. */
  readonly note?: string;
  /** Why the difference is expected without an allowance, e.g. a pending migration. */
  readonly explainedBy?: string;
}

/** What one probe found. `compared` counts the items it compared, equal or not (for the score). */
export interface ProbeResult {
  readonly probe: ProbeName;
  /** `skipped`: nothing to compare was configured; `failed`: a target could not be read. */
  readonly status: 'compared' | 'skipped' | 'failed';
  /** For skipped and failed probes: why, naming the environment and source. */
  readonly reason?: string;
  /** For failed probes: whether a target was unreachable (exit 4) rather than unreadable. */
  readonly unreachable?: boolean;
  readonly compared: number;
  readonly differences: readonly Difference[];
  /** Extra facts the probe reports (versions, commits apart, pending migrations, …). */
  readonly facts?: { readonly [key: string]: JsonValue };
}

/** Builds a path from a probe and its parts, joined with dots. */
export function driftPath(probe: ProbeName, ...parts: readonly string[]): string {
  return `${probe}:${parts.join('.')}`;
}

/** Orders differences by probe (report order), then path: reports are stable run to run. */
export function compareDifferences(a: Difference, b: Difference): number {
  return (
    probeNames.indexOf(a.probe) - probeNames.indexOf(b.probe) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}
