/**
 * Stored reports: parity, data sync, replay and later capabilities save their reports here, and
 * the release gate and the dashboard read them back, never the capabilities' internals.
 */
import { UnderstudyError } from '../shared/errors.js';
import { jsonParam, toDate, toNumber, toText } from './sql-values.js';
import type { SqlExecutor } from './store-port.js';

/** A report to store. `body` is any JSON value; its shape belongs to the capability that wrote it. */
export interface NewReport {
  /** Which capability wrote it: `parity`, `replay`, `data-sync`, … */
  readonly kind: string;
  /** What it is about, e.g. the environment or the release it checked. */
  readonly subject: string;
  /** The outcome in the report's own words: `clean`, `drift`, `failed`, … */
  readonly status: string;
  readonly body: unknown;
}

/** A report as stored, with its id and when it was saved. */
export interface StoredReport extends NewReport {
  readonly id: number;
  readonly createdAt: Date;
}

export interface ReportQuery {
  readonly kind?: string;
  readonly subject?: string;
  /** At most this many, newest first; default 50, at most 1000. */
  readonly limit?: number;
}

/** Saving and reading stored reports. */
export interface ReportsRepository {
  /** Stores a report and returns it as stored. */
  save(report: NewReport): Promise<StoredReport>;
  /** The newest report of a kind (about `subject`, with `status`, when given), or undefined. */
  latest(kind: string, subject?: string, status?: string): Promise<StoredReport | undefined>;
  /** Reports, newest first. */
  list(query?: ReportQuery): Promise<readonly StoredReport[]>;
  /** One report by id, or undefined. */
  get(id: number): Promise<StoredReport | undefined>;
}

interface ReportRow {
  readonly id: unknown;
  readonly kind: unknown;
  readonly subject: unknown;
  readonly status: unknown;
  readonly created_at: unknown;
  readonly body: unknown;
}

const columns = 'id, kind, subject, status, created_at, body';

function toReport(row: ReportRow): StoredReport {
  return {
    id: toNumber(row.id, 'reports.id'),
    kind: toText(row.kind, 'reports.kind'),
    subject: toText(row.subject, 'reports.subject'),
    status: toText(row.status, 'reports.status'),
    createdAt: toDate(row.created_at, 'reports.created_at'),
    body: row.body,
  };
}

function checkLimit(limit: number | undefined): number {
  const value = limit ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new UnderstudyError(
      'E_INPUT',
      `a report limit must be a whole number from 1 to 1000, got ${value}`,
    );
  }
  return value;
}

/** The reports repository over any SQL executor (a store driver, or a transaction). */
export function createReportsRepository(db: SqlExecutor): ReportsRepository {
  return {
    async save(report) {
      const { rows } = await db.query<ReportRow>(
        `INSERT INTO reports (kind, subject, status, body) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${columns}`,
        [report.kind, report.subject, report.status, jsonParam(report.body)],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
      return toReport(row);
    },
    async latest(kind, subject, status) {
      // Optional filters as "$n IS NULL OR column = $n": one statement serves every combination.
      const { rows } = await db.query<ReportRow>(
        `SELECT ${columns} FROM reports
          WHERE kind = $1 AND ($2::text IS NULL OR subject = $2) AND ($3::text IS NULL OR status = $3)
          ORDER BY id DESC LIMIT 1`,
        [kind, subject ?? null, status ?? null],
      );
      const row = rows[0];
      return row === undefined ? undefined : toReport(row);
    },
    async list(query = {}) {
      const limit = checkLimit(query.limit);
      const { rows } = await db.query<ReportRow>(
        `SELECT ${columns} FROM reports
          WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR subject = $2)
          ORDER BY id DESC LIMIT $3`,
        [query.kind ?? null, query.subject ?? null, limit],
      );
      return rows.map(toReport);
    },
    async get(id) {
      const { rows } = await db.query<ReportRow>(`SELECT ${columns} FROM reports WHERE id = $1`, [
        id,
      ]);
      const row = rows[0];
      return row === undefined ? undefined : toReport(row);
    },
  };
}
