/**
 * What a capture holds, at a glance (`understudy traffic show`): its files and who wrote them,
 * how many exchanges over which time span, sessions, methods and statuses, bodies cut at the cap,
 * redactions, and every problem met while reading. One streaming pass; memory grows only with
 * the number of distinct sessions, methods and statuses.
 */
import type { CaptureHeader, CaptureProblem } from './capture-format.js';
import { listCaptureFiles, readCaptureFile } from './capture-read.js';

/** One file of a capture. */
export interface CaptureFileSummary {
  readonly file: string;
  /** The file's header, when it had a readable one. */
  readonly header?: CaptureHeader;
  readonly records: number;
}

export interface CaptureSummary {
  readonly files: readonly CaptureFileSummary[];
  readonly records: number;
  /** The earliest and latest `startedAt`, when there are records. */
  readonly from?: string;
  readonly until?: string;
  readonly sessions: number;
  /** Exchanges by request method. */
  readonly methods: Readonly<Record<string, number>>;
  /** Exchanges by response status (`none` for requests without an answer). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Request and response bodies cut at the body cap (never compared by a replay). */
  readonly truncatedBodies: number;
  /** Values redacted, over all records. */
  readonly redactions: number;
  /** Problems met while reading (the rest of the capture was still read), the first 1,000. */
  readonly problems: readonly CaptureProblem[];
  /** Problems beyond those listed. */
  readonly moreProblems: number;
}

const MAX_PROBLEMS = 1000;

/** Reads a whole capture (a directory or one file) and sums it up. */
export async function summarizeCapture(target: string): Promise<CaptureSummary> {
  const files: CaptureFileSummary[] = [];
  const problems: CaptureProblem[] = [];
  const sessions = new Set<string>();
  const methods = new Map<string, number>();
  const statuses = new Map<string, number>();
  let records = 0;
  let truncatedBodies = 0;
  let redactions = 0;
  let moreProblems = 0;
  let from: string | undefined;
  let until: string | undefined;
  for (const file of await listCaptureFiles(target)) {
    let header: CaptureHeader | undefined;
    let count = 0;
    const read = readCaptureFile(
      file,
      (p) => (problems.length < MAX_PROBLEMS ? problems.push(p) : moreProblems++),
      (_, h) => (header ??= h),
    );
    for await (const record of read) {
      count++;
      sessions.add(record.session);
      bump(methods, record.request.method);
      bump(statuses, record.response === undefined ? 'none' : String(record.response.status));
      if (record.request.body?.truncated === true) truncatedBodies++;
      if (record.response?.body?.truncated === true) truncatedBodies++;
      for (const r of record.redactions) redactions += r.count;
      // ISO 8601 UTC strings of one shape order as text.
      if (from === undefined || record.startedAt < from) from = record.startedAt;
      if (until === undefined || record.startedAt > until) until = record.startedAt;
    }
    records += count;
    files.push({ file, ...(header === undefined ? {} : { header }), records: count });
  }
  return {
    files,
    records,
    ...(from === undefined ? {} : { from }),
    ...(until === undefined ? {} : { until }),
    sessions: sessions.size,
    methods: sorted(methods),
    statuses: sorted(statuses),
    truncatedBodies,
    redactions,
    problems,
    moreProblems,
  };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sorted(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
