/**
 * The JSON bodies of the HTTP API (described by the served /api/v1/openapi.json). Types the core already owns are imported
 * from it, so the dashboard and the server read one definition; the rest are the contract's own.
 */
import type { RoleMap } from '../../../src/access/roles.js';
import type { Job as ServerJob } from '../../../src/server/jobs.js';
import type { ChainFailure, ChainVerdict } from '../../../src/audit/audit-chain.js';
import type { SyncResult } from '../../../src/data/sync-plan-types.js';
import type { VerifyReport } from '../../../src/data/verify-run.js';
import type { Deployment } from '../../../src/release/deployments-repository.js';
import type { GateResult } from '../../../src/release/promotion-gates.js';

export type { AuditEntry, ChainFailure } from '../../../src/audit/audit-chain.js';
export type { Reservation } from '../../../src/coordination/reservations.js';
export type { TableSyncResult } from '../../../src/data/sync-plan-types.js';
export type { VerifyReport } from '../../../src/data/verify-run.js';
export type { AllowanceUse, AssessedDifference } from '../../../src/parity/allowances.js';
export type { JsonValue } from '../../../src/parity/drift.js';
export type { ParityReport, ProbeSummary } from '../../../src/parity/parity-report.js';
export type { Deployment } from '../../../src/release/deployments-repository.js';
export type { GateResult } from '../../../src/release/promotion-gates.js';
export type { PromotionResult, RollbackResult } from '../../../src/release/promotion-run.js';
export type { Release } from '../../../src/release/release-model.js';
export type { CheckResult } from '../../../src/release/releases-repository.js';
export type {
  RegressionExample,
  RegressionGroup,
  RouteSummary,
} from '../../../src/traffic/replay-account.js';
export type { Percentiles } from '../../../src/traffic/replay-latency.js';
export type { ReplayReport } from '../../../src/traffic/replay-report.js';

/** `{ error }`: every error answer. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
    readonly path?: string;
  };
}

export interface Session {
  readonly name: string;
  readonly kind: 'person' | 'ci-token';
  readonly auth: 'password' | 'personal-token' | 'ci-token';
  readonly roles: RoleMap;
  readonly csrfToken?: string;
}

export type { JobProgress } from '../../../src/server/jobs.js';

/** A job as the server sends it: whole from GET /jobs/{id}, without its output in events. */
export type Job = Readonly<Omit<ServerJob, 'output'>> & {
  /** The output so far, when the server sends it with the job (GET /jobs/{id}). */
  readonly output?: readonly string[];
};

export type ReportKind = 'parity' | 'data-sync' | 'replay';

export interface ReportSummary {
  readonly id: number;
  readonly kind: ReportKind;
  readonly subject: string;
  readonly status: string;
  readonly createdAt: string;
  readonly score?: number | null;
  readonly seconds?: number;
  readonly rows?: number;
  readonly counts?: {
    readonly total: number;
    readonly match: number;
    readonly regression: number;
    readonly noise: number;
    readonly skipped: number;
    readonly error: number;
  };
  readonly p50?: number | null;
  readonly p95?: number | null;
  readonly p99?: number | null;
}

export interface StoredReport<Body> {
  readonly id: number;
  readonly kind: ReportKind;
  readonly subject: string;
  readonly status: string;
  readonly createdAt: string;
  readonly body: Body;
}

/** The body of a stored `data-sync` report (written by `understudy data sync`). */
export interface DataSyncBody extends SyncResult {
  readonly from: string;
  readonly to: string;
  readonly verification: VerifyReport | null;
}

export interface EnvironmentCard {
  readonly name: string;
  readonly protected: boolean;
  readonly stage: number | null;
  readonly deployed: Deployment | null;
  readonly parity: {
    readonly reportId: number;
    readonly score: number | null;
    readonly status: string;
    readonly against: string;
    readonly createdAt: string;
  } | null;
  readonly lastSync: {
    readonly reportId: number;
    readonly status: string;
    readonly createdAt: string;
  } | null;
  readonly reservation: {
    readonly holder: string;
    readonly reason: string;
    readonly expiresAt: string | null;
    readonly queued: number;
  } | null;
}

export interface ParityPoint {
  readonly reportId: number;
  readonly createdAt: string;
  readonly subject: string;
  readonly score: number | null;
}

export interface Overview {
  readonly generatedAt: string;
  readonly environments: readonly EnvironmentCard[];
  readonly parityHistory: readonly ParityPoint[];
}

export interface Capture {
  readonly name: string;
  readonly bytes: number;
  readonly modifiedAt: string;
}

export interface Stage {
  readonly env: string;
  readonly protected: boolean;
  readonly gates: readonly GateResult[];
  readonly deployed: Deployment | null;
  readonly current: boolean;
  /** The version the environment runs now (the server sends it; not in the contract). */
  readonly running?: string | null;
}

/**
 * GET /audit/verify. The contract writes `{ok, entries, failure}`; the server answers the core's
 * `ChainVerdict` (`{ok, count, firstBad}`). Both are read (see `verificationOf`).
 */
export type AuditVerificationAnswer =
  | {
      readonly ok: boolean;
      readonly entries: number;
      readonly failure?: Partial<ChainFailure>;
    }
  | ChainVerdict;

/** One environment's leases, as GET /reservations answers (`BoardRow` of the core). */
export type { BoardRow } from '../../../src/coordination/reservations.js';
