/** The environments at a glance, stored reports, parity runs, data syncs, captures and jobs. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { reservationBoard } from '../../coordination/reservations.js';
import { dataSection, prepareSync } from '../../data/prepare-sync.js';
import { syncAndRecord, type SyncReportBody } from '../../data/sync-report.js';
import { DATA_SYNC_REPORT_KIND } from '../../parity/data-age-probe.js';
import { parityAndRecord } from '../../parity/parity-record.js';
import { listDeployments } from '../../release/deployments-repository.js';
import { PARITY_REPORT_KIND, type ParityReport } from '../../parity/parity-report.js';
import { listCaptureFiles } from '../../traffic/capture-read.js';
import { REPLAY_REPORT_KIND, type ReplayReport } from '../../traffic/replay-report.js';
import { UnderstudyError, isUnderstudyError } from '../../shared/errors.js';
import type { StoredReport } from '../../store/reports-repository.js';
import { summary, withOutputSince } from '../jobs.js';
import { limitField, pathId, requireDeployer, route, totpField, type Route } from '../route.js';

const limit = limitField;
const reportKind = z.enum([PARITY_REPORT_KIND, DATA_SYNC_REPORT_KIND, REPLAY_REPORT_KIND]);

/** The few figures a list shows of each kind of report. */
export function reportSummary(r: StoredReport): Record<string, unknown> {
  const base = {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  };
  if (r.kind === PARITY_REPORT_KIND) {
    const body = r.body as ParityReport;
    return { ...base, score: body.score, drift: body.counts.drift, blocking: body.counts.blocking };
  }
  if (r.kind === DATA_SYNC_REPORT_KIND) {
    const body = r.body as SyncReportBody;
    return {
      ...base,
      seconds: body.totals.seconds,
      rows: body.totals.rowsWritten,
      tables: body.tables.length,
    };
  }
  if (r.kind === REPLAY_REPORT_KIND) {
    const body = r.body as ReplayReport;
    const p = (q: 'p50' | 'p95' | 'p99'): number | null => {
      const all = body.routes
        .map((route) => route.latency.target?.[q])
        .filter((v): v is number => typeof v === 'number');
      return all.length === 0 ? null : Math.max(...all);
    };
    return { ...base, counts: body.counts, p50: p('p50'), p95: p('p95'), p99: p('p99') };
  }
  return base;
}

export function reportRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/overview',
      summary: 'Every environment at a glance: parity, deployed version, data age, reservation',
      tag: 'overview',
      access: 'signed-in',
      answers: { status: 200, description: 'The overview' },
      async handle({ deps }) {
        const { store, loaded } = deps;
        const config = loaded.config;
        const stages = config.release?.stages ?? [];
        const parity = await store.reports.list({ kind: PARITY_REPORT_KIND, limit: 50 });
        const syncs = await store.reports.list({ kind: DATA_SYNC_REPORT_KIND, limit: 100 });
        // A read changes nothing: the server's ticker moves the reservation queue.
        const { rows } = await reservationBoard(store, config, { move: false });
        const environments = await Promise.all(
          Object.entries(config.environments).map(async ([name, env]) => {
            const latestParity = parity.find((r) => r.subject.split('~').includes(name));
            const board = rows.find((r) => r.env === name);
            const deployed =
              (await listDeployments(store, { env: name, status: 'succeeded' }, 1))[0] ?? null;
            const lastSync = syncs.find((r) => r.subject === name);
            const body = latestParity?.body as ParityReport | undefined;
            return {
              name,
              protected: env.protected === true,
              stage: stages.indexOf(name) >= 0 ? stages.indexOf(name) : null,
              deployed,
              parity:
                latestParity === undefined || body === undefined
                  ? null
                  : {
                      reportId: latestParity.id,
                      score: body.score,
                      status: latestParity.status,
                      against: body.env === name ? body.against : body.env,
                      createdAt: latestParity.createdAt.toISOString(),
                    },
              lastSync:
                lastSync === undefined
                  ? null
                  : {
                      reportId: lastSync.id,
                      status: lastSync.status,
                      createdAt: lastSync.createdAt.toISOString(),
                    },
              reservation:
                board?.holder == null
                  ? null
                  : {
                      holder: board.holder.holder,
                      reason: board.holder.reason,
                      expiresAt: board.holder.expiresAt ?? null,
                      queued: board.queue.length,
                    },
            };
          }),
        );
        return {
          body: {
            generatedAt: deps.now().toISOString(),
            environments,
            parityHistory: [...parity].reverse().map((r) => ({
              reportId: r.id,
              createdAt: r.createdAt.toISOString(),
              subject: r.subject,
              score: (r.body as ParityReport).score,
            })),
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/reports',
      summary: 'Stored reports, newest first: parity, data syncs, replays',
      tag: 'reports',
      access: 'signed-in',
      query: z.strictObject({ kind: reportKind.optional(), subject: z.string().optional(), limit }),
      answers: { status: 200, description: '{reports: ReportSummary[]}' },
      async handle({ deps, query }) {
        const reports = await deps.store.reports.list({
          ...(query.kind === undefined ? {} : { kind: query.kind }),
          ...(query.subject === undefined ? {} : { subject: query.subject }),
          limit: query.limit ?? 50,
        });
        return { body: { reports: reports.map(reportSummary) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/reports/{id}',
      summary: 'One stored report, whole',
      tag: 'reports',
      access: 'signed-in',
      answers: { status: 200, description: '{report}' },
      async handle({ deps, params }) {
        const report = await deps.store.reports.get(pathId(params.id, 'report'));
        if (report === undefined)
          throw new UnderstudyError('E_NOT_FOUND', `no report ${params.id ?? ''}`);
        return { body: { report: { ...report, createdAt: report.createdAt.toISOString() } } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/parity/runs',
      summary: 'Compare two environments now; the report is stored and returned',
      tag: 'parity',
      access: 'signed-in',
      body: z.strictObject({
        env: z.string().optional(),
        against: z.string().optional(),
        failOn: z.enum(['breaking', 'notice']).optional(),
        totp: totpField,
      }),
      answers: { status: 200, description: '{report, reportId}' },
      async handle({ deps, body, identity }) {
        // Parity reads production's catalog and config: deployers' work, not a viewer's.
        const who = requireDeployer(deps, identity, 'comparing environments');
        const { report, stored } = await parityAndRecord({
          config: deps.loaded.config,
          dir: deps.loaded.dir,
          store: deps.store,
          actor: who.name,
          env: body.env,
          against: body.against,
          failOn: body.failOn,
        });
        return { body: { reportId: stored.id, report } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/data/syncs',
      summary: 'Start a masked sync from data.from into data.to (a job; progress as events)',
      tag: 'data',
      access: 'signed-in',
      body: z.strictObject({ verify: z.boolean().default(true), totp: totpField }),
      answers: { status: 202, description: '{job}' },
      async handle({ deps, body, identity }) {
        const who = requireDeployer(
          deps,
          identity,
          `syncing into ${dataSection(deps.loaded.config).to}`,
          dataSection(deps.loaded.config).to,
        );
        const prepared = await prepareSync(deps.loaded.config, { scan: true });
        const tablesTotal = prepared.input.tables?.length ?? 0;
        const done = new Map<string, number>();
        let rowsTotal = 0;
        const job = deps.jobs.start(
          {
            kind: 'data-sync',
            title: `sync ${prepared.from.name} → ${prepared.to.name}`,
            by: who.name,
          },
          async (handle) =>
            syncAndRecord({
              prepared,
              config: deps.loaded.config,
              dir: deps.loaded.dir,
              store: deps.store,
              actor: who.name,
              verify: body.verify,
              onProgress: (event) => {
                if (event.type === 'phase') {
                  if (event.estimatedRows !== undefined) rowsTotal = event.estimatedRows;
                  handle.output(`phase: ${event.phase}`);
                  return;
                }
                done.set(event.table, event.rows);
                let rowsDone = 0;
                let tablesDone = 0;
                for (const n of done.values()) rowsDone += n;
                if (event.done) handle.output(`${event.table}: ${event.rows} rows`);
                tablesDone = [...done.keys()].length;
                handle.progress({
                  table: event.table,
                  rowsDone,
                  ...(rowsTotal > 0 ? { rowsTotal } : {}),
                  tablesDone: event.done ? tablesDone : tablesDone - 1,
                  tablesTotal,
                });
              },
            }).then((r) => ({ reportId: r.stored.id, status: r.status, report: r.body })),
          (r) => r.status === 'pass',
        );
        return { status: 202, body: { job: summary(job) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/jobs',
      summary: 'Jobs this server ran lately (syncs, promotions, rollbacks), newest first',
      tag: 'jobs',
      access: 'signed-in',
      answers: { status: 200, description: '{jobs}' },
      handle({ deps }) {
        return { body: { jobs: deps.jobs.list().map(summary) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/jobs/{id}',
      summary: 'One job, with its output (from line `since` on) and, when done, its result',
      tag: 'jobs',
      access: 'signed-in',
      query: z.strictObject({ since: z.coerce.number().int().min(0).optional() }),
      answers: { status: 200, description: '{job}; outputTotal counts every line it produced' },
      handle({ deps, params, query }) {
        return { body: { job: withOutputSince(deps.jobs.get(params.id ?? ''), query.since ?? 0) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/captures',
      summary: 'The capture files in traffic.record.out',
      tag: 'traffic',
      access: 'signed-in',
      answers: { status: 200, description: '{dir, captures: {name, bytes, modifiedAt}[]}' },
      async handle({ deps }) {
        const dir = path.resolve(
          deps.loaded.dir,
          deps.loaded.config.traffic?.record?.out ?? '.understudy/captures',
        );
        let files: string[] = [];
        try {
          files = await listCaptureFiles(dir);
        } catch (error) {
          if (!isUnderstudyError(error, 'E_NOT_FOUND')) throw error;
        }
        const captures = await Promise.all(
          files.map(async (file) => {
            const info = await stat(file);
            return {
              name: path.basename(file),
              bytes: info.size,
              modifiedAt: info.mtime.toISOString(),
            };
          }),
        );
        return {
          body: { dir: path.relative(deps.loaded.dir, dir) || '.', captures: captures.reverse() },
        };
      },
    }),
  ];
}
