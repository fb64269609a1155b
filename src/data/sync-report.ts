/**
 * One masked sync as every caller runs it — the CLI and the server alike: plan from the config,
 * copy, verify, store the report (for the release gate, parity's data age and the dashboard) and
 * audit it, in that order.
 */
import { appendAudit } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import { DATA_SYNC_REPORT_KIND } from '../parity/data-age-probe.js';
import type { Store } from '../store/open-store.js';
import type { StoredReport } from '../store/reports-repository.js';
import { maskerVocabulary } from './maskers/word-lists.js';
import { dataSection, readModel, type PreparedSync } from './prepare-sync.js';
import type { SyncProgressEvent, SyncResult, TableSyncResult } from './sync-plan-types.js';
import { runSync } from './sync-run.js';
import { searchScopeOf, verifyCopy, type MaskedColumn, type VerifyReport } from './verify-run.js';

/** The masker registry, resolved beside this build (dist/ or src/), for the engine's worker threads. */
export const maskerModule = new URL('./maskers/index.js', import.meta.url).href;

export interface SyncReportBody extends SyncResult {
  readonly from: string;
  readonly to: string;
  readonly verification: VerifyReport | null;
}

export interface RecordedSync {
  readonly stored: StoredReport;
  readonly status: 'pass' | 'leak';
  readonly body: SyncReportBody;
  readonly result: SyncResult;
  readonly verification: VerifyReport | undefined;
}

/**
 * Checks a copy for leaks and orphans against its source: the target as it stands, or — with
 * `copy` — a finished copy not yet swapped in, with the rows each table got.
 */
export async function verifyPrepared(
  prepared: PreparedSync,
  copy?: { readonly url: string; readonly tables: readonly TableSyncResult[] },
): Promise<VerifyReport> {
  const masked = (prepared.input.tables ?? []).flatMap((t) =>
    t.masks.map((m): MaskedColumn => ({
      table: `${t.schema}.${t.name}`,
      column: m.column,
      scope: searchScopeOf(m.spec.masker),
    })),
  );
  const expectedRows =
    copy === undefined ? undefined : new Map(copy.tables.map((t) => [t.table, t.rowsWritten]));
  const targetUrl = copy?.url ?? prepared.to.url;
  const model = await readModel(targetUrl, `${prepared.to.name} database`);
  return verifyCopy({
    publicValues: maskerVocabulary(),
    sourceUrl: prepared.from.url,
    targetUrl,
    model,
    masked,
    ...(expectedRows === undefined ? {} : { expectedRows }),
  });
}

/**
 * Copies, verifies the copy before it replaces the target (unless `verify` is false) — a copy
 * that leaks is dropped and the target stays as it was — then stores the report and audits.
 */
export async function syncAndRecord(options: {
  readonly prepared: PreparedSync;
  readonly config: Config;
  readonly dir: string;
  readonly store: Store;
  readonly actor: string;
  readonly verify: boolean;
  readonly parallel?: number;
  readonly onProgress?: (event: SyncProgressEvent) => void;
}): Promise<RecordedSync> {
  const { prepared, store } = options;
  const parallel = options.parallel ?? dataSection(options.config).parallel;
  let verification: VerifyReport | undefined;
  const result = await runSync(prepared.input, {
    key: prepared.key,
    dir: options.dir,
    maskerModule,
    ...(parallel === undefined ? {} : { parallel }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.verify
      ? {
          beforeSwap: async (url: string, tables: readonly TableSyncResult[]) => {
            verification = await verifyPrepared(prepared, { url, tables });
            return verification.ok;
          },
        }
      : {}),
  });
  const status = verification === undefined || verification.ok ? 'pass' : 'leak';
  const body: SyncReportBody = {
    from: prepared.from.name,
    to: prepared.to.name,
    ...result,
    verification: verification ?? null,
  };
  const stored = await store.reports.save({
    kind: DATA_SYNC_REPORT_KIND,
    subject: prepared.to.name,
    status,
    body,
  });
  await appendAudit(store, {
    actor: options.actor,
    action: 'data.sync',
    subject: `${prepared.from.name}→${prepared.to.name}`,
    details: {
      reportId: stored.id,
      status,
      rows: result.totals.rowsWritten,
      tables: result.tables.length,
      snapshot: result.snapshot,
      verified: verification !== undefined,
      swapped: result.swapped,
    },
  });
  return { stored, status, body, result, verification };
}
