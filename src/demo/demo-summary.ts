/**
 * What the demo's story found, distilled from the `--json` documents of the commands it ran:
 * the shape `understudy demo --json` prints and the dashboard can show. Pure.
 */

/** One step of the story, as it ran. */
export interface DemoStep {
  readonly name: string;
  /** `ok`: as the story expects; `unexpected`: it ran, but not as planned (see detail). */
  readonly status: 'ok' | 'unexpected';
  readonly detail: string;
  readonly ms: number;
}

export interface GateSummary {
  readonly gate: string;
  readonly status: 'pass' | 'fail' | 'pending';
  readonly reason: string;
}

export interface PromotionSummary {
  readonly version: string;
  readonly env: string;
  /** deployed, denied, pending, rolled-back or failed. */
  readonly outcome: string;
  readonly reason: string;
  readonly gates: readonly GateSummary[];
}

export interface ParitySummary {
  readonly status: string;
  readonly score: number | null;
  readonly compared: number;
  readonly blocking: number;
  /** Unexplained differences, then allowed ones. */
  readonly differences: readonly {
    readonly path: string;
    readonly severity: string;
    readonly verdict: string;
    readonly staging?: unknown;
    readonly production?: unknown;
    readonly note?: string;
  }[];
}

export interface ReplaySummary {
  readonly status: string;
  readonly summary: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly regressions: readonly {
    readonly route: string;
    readonly path: string;
    readonly kind: string;
    readonly requests: number;
    readonly example?: { readonly url: string; readonly recorded: string; readonly actual: string };
  }[];
  /** Differences explained as noise, by route, path and reason. */
  readonly noise: readonly {
    readonly route: string;
    readonly path: string;
    readonly reason: string;
    readonly requests: number;
  }[];
}

export interface SyncSummary {
  readonly status: string;
  readonly rows: number;
  readonly seconds: number;
  readonly tables: readonly {
    readonly table: string;
    readonly rows: number;
    readonly masked: readonly string[];
  }[];
  /** `table.column` of every masked column. */
  readonly maskedColumns: readonly string[];
  /** Whether the copy was searched for production values afterwards and none was found. */
  readonly verified: boolean | null;
}

export interface DemoSummary {
  readonly dir: string;
  readonly urls: {
    readonly production: string;
    readonly staging: string;
    /** The recording proxy (stopped once the traffic is recorded). */
    readonly proxy: string;
    /** The databases, without credentials (those are in `DemoWorld.env`). */
    readonly productionDatabase: string;
    readonly stagingDatabase: string;
  };
  readonly steps: readonly DemoStep[];
  readonly traffic: {
    readonly sent: number;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly recorded: number;
    readonly dropped: number;
  };
  readonly scan: {
    readonly personal: number;
    readonly uncovered: number;
    readonly kept: readonly string[];
  };
  readonly sync: SyncSummary;
  /** Parity of staging against production while staging ran v1, then v2. */
  readonly parity: { readonly v1: ParitySummary; readonly v2: ParitySummary };
  /** The capture replayed against staging running v1, then v2. */
  readonly replay: { readonly v1: ReplaySummary; readonly v2: ReplaySummary };
  /** Every promotion the story asked for, in order; the last is the blocked one. */
  readonly promotions: readonly PromotionSummary[];
  /** v2 → production: what the gates said. */
  readonly blocked: PromotionSummary;
  /** Whether every step went as the story expects. */
  readonly asExpected: boolean;
  readonly durationMs: number;
}

type Doc = Record<string, unknown>;
const obj = (value: unknown): Doc =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The parity summary of a `parity --json` document. */
export function summarizeParity(doc: Doc): ParitySummary {
  const report = obj(doc.report);
  const counts = obj(report.counts);
  const differences = arr(report.differences)
    .map(obj)
    .filter((d) => d.verdict !== 'explained')
    .sort((a, b) => Number(a.verdict !== 'drift') - Number(b.verdict !== 'drift'))
    .map((d) => ({
      path: str(d.path),
      severity: str(d.severity),
      verdict: str(d.verdict),
      ...(d.envValue === undefined ? {} : { staging: d.envValue }),
      ...(d.againstValue === undefined ? {} : { production: d.againstValue }),
      ...(typeof d.note === 'string' ? { note: d.note } : {}),
    }));
  return {
    status: str(report.status),
    score: typeof report.score === 'number' ? report.score : null,
    compared: num(counts.compared),
    blocking: num(counts.blocking),
    differences,
  };
}

/** The replay summary of a `replay --json` document. */
export function summarizeReplay(doc: Doc): ReplaySummary {
  const report = obj(doc.report);
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(obj(report.counts))) counts[key] = num(value);
  return {
    status: str(report.status),
    summary: str(report.summary),
    counts,
    regressions: arr(report.regressions)
      .map(obj)
      .map((g) => {
        const example = obj(arr(g.examples)[0]);
        return {
          route: str(g.route),
          path: str(g.path),
          kind: str(g.kind),
          requests: num(g.requests),
          ...(example.url === undefined
            ? {}
            : {
                example: {
                  url: str(example.url),
                  recorded: str(example.recorded),
                  actual: str(example.actual),
                },
              }),
        };
      }),
    noise: arr(report.noise)
      .map(obj)
      .map((g) => ({
        route: str(g.route),
        path: str(g.path),
        reason: str(g.reason),
        requests: num(g.requests),
      })),
  };
}

/** The sync summary of a `data sync --json` document. */
export function summarizeSync(doc: Doc): SyncSummary {
  const report = obj(doc.report);
  const tables = arr(report.tables)
    .map(obj)
    .map((t) => ({
      table: str(t.table),
      rows: num(t.rowsWritten),
      masked: arr(t.maskedColumns).map(str),
    }));
  const verification = report.verification;
  return {
    status: doc.ok === true ? 'pass' : 'leak',
    rows: num(obj(report.totals).rowsWritten),
    seconds: num(obj(report.totals).seconds),
    tables,
    maskedColumns: tables.flatMap((t) => t.masked.map((c) => `${t.table}.${c}`)),
    verified:
      verification === null || verification === undefined ? null : obj(verification).ok === true,
  };
}

/** The promotion summary of a `promote --json` document. */
export function summarizePromotion(doc: Doc): PromotionSummary {
  return {
    version: str(doc.version),
    env: str(doc.env),
    outcome: str(doc.outcome),
    reason: str(doc.reason),
    gates: arr(doc.gates)
      .map(obj)
      .map((g) => ({
        gate: str(g.gate),
        status: g.status === 'pass' ? 'pass' : g.status === 'fail' ? 'fail' : 'pending',
        reason: str(g.reason),
      })),
  };
}
