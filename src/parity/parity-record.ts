/**
 * One parity run as every caller runs it — the CLI and the server alike: compare, store the
 * report (for the release gate and the dashboard), audit it.
 */
import { appendAudit } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import type { Store } from '../store/open-store.js';
import type { StoredReport } from '../store/reports-repository.js';
import { DATA_SYNC_REPORT_KIND } from './data-age-probe.js';
import type { ProbeResult, Severity } from './drift.js';
import { PARITY_REPORT_KIND, type ParityReport } from './parity-report.js';
import { chooseEnvironments, runParity } from './run-parity.js';

export async function parityAndRecord(options: {
  readonly config: Config;
  readonly dir: string;
  readonly store: Store;
  readonly actor: string;
  readonly env?: string | undefined;
  readonly against?: string | undefined;
  readonly failOn?: Severity | undefined;
  readonly onProbe?: (result: ProbeResult) => void;
}): Promise<{ report: ParityReport; stored: StoredReport }> {
  const { config, store } = options;
  const { env, against } = chooseEnvironments(config, options.env, options.against);
  const report = await runParity({
    config,
    dir: options.dir,
    env,
    against,
    failOn: options.failOn ?? config.parity?.failOn ?? 'breaking',
    ...(options.onProbe === undefined ? {} : { onProbe: options.onProbe }),
    lastSync: async (name) =>
      (await store.reports.latest(DATA_SYNC_REPORT_KIND, name, 'pass'))?.createdAt,
  });
  const stored = await store.reports.save({
    kind: PARITY_REPORT_KIND,
    subject: `${env}~${against}`,
    status: report.status,
    body: report,
  });
  await appendAudit(store, {
    actor: options.actor,
    action: 'parity.run',
    subject: `${env}~${against}`,
    details: {
      reportId: stored.id,
      status: report.status,
      score: report.score,
      drift: report.counts.drift,
      blocking: report.counts.blocking,
    },
  });
  return { report, stored };
}
