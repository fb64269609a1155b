/**
 * `runSync`: copies a source database into a target database atomically. The source is read in
 * one exported snapshot shared by every copying connection; the target is rebuilt as a new
 * database (schema, rows via COPY, then keys, indexes, views, triggers, sequences, ANALYZE) and
 * swapped in only when complete (see `sync-target.ts`), so staging is never seen half-loaded and a
 * run killed at any moment leaves the previous data in place.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { connect, type Client } from '../postgres/connection.js';
import { readSchemaModel } from '../postgres/catalog-read.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { postDataDdl } from './ddl-post.js';
import { ddlSessionSettings, preDataDdl } from './ddl-pre.js';
import { inlineMaskRunner, threadMaskRunner, type MaskRunner } from './mask-worker-pool.js';
import { planLoads, runLoads, targetSessionSettings } from './sync-load.js';
import type {
  SyncOptions,
  SyncPlanInput,
  SyncProgressEvent,
  SyncResult,
} from './sync-plan-types.js';
import {
  databaseIdentity,
  exportSnapshot,
  largeObjectCount,
  sequenceStates,
  setSequences,
  tableSizes,
  targetIdentity,
} from './sync-source.js';
import {
  createFreshDatabase,
  createTemplate,
  dropDatabase,
  dropLeftovers,
  parseTargetUrl,
  swapIn,
  targetNames,
  tryLockTarget,
  unlockTarget,
} from './sync-target.js';

/** Copies `plan.source` into `plan.target`, replacing the target atomically; returns what was copied. */
export async function runSync(plan: SyncPlanInput, options: SyncOptions): Promise<SyncResult> {
  const started = performance.now();
  const progress = (event: SyncProgressEvent): void => options.onProgress?.(event);
  const { database, maintenanceUrl } = parseTargetUrl(plan.target.url);
  const runId = randomBytes(4).toString('hex');
  const names = targetNames(database, runId);
  const cpus = os.availableParallelism();
  const keepTemplate = options.keepTemplate ?? true;

  const source = await connect(plan.source.url, {
    what: 'source database',
    applicationName: 'understudy sync',
  });
  let maintenance: Client | undefined;
  let locked = false;
  try {
    maintenance = await connect(maintenanceUrl, {
      what: 'target server',
      applicationName: 'understudy sync',
    });
    const sourceDb = await databaseIdentity(source);
    if ((await targetIdentity(maintenance, database)) === sourceDb.identity) {
      throw new UnderstudyError(
        'E_INPUT',
        `the target database ${database} is the same database as the source`,
        {
          hint: 'point data.to at the staging database, never at production',
        },
      );
    }
    // A run killed a moment ago holds the lock until its server notices the dropped connection.
    for (
      let waited = 0;
      !(locked = await tryLockTarget(maintenance, database)) && waited < 5000;
      waited += 250
    )
      await new Promise((resolve) => setTimeout(resolve, 250));
    if (!locked) {
      throw new UnderstudyError('E_OPERATION', `another sync into ${database} is running`, {
        hint: 'wait for it to finish, then run again',
      });
    }
    await dropLeftovers(maintenance, database);

    progress({ type: 'phase', phase: 'snapshot' });
    const snapshot = await exportSnapshot(source);
    const model = await readSchemaModel(source, {
      transaction: 'caller',
      definitions: true,
      ...(plan.schemas === undefined ? {} : { schemas: plan.schemas }),
    });
    const { sizes, rows: estimates, blockSize } = await tableSizes(source, model);
    const loads = planLoads(
      model,
      plan.tables ?? [],
      sizes,
      blockSize,
      options.chunkBytes ?? 64 << 20,
    );
    const estimatedRows = (table: string): number => {
      const load = loads.find((l) => `${l.table.schema}.${l.table.name}` === table);
      return load?.rows === 'none' ? 0 : (estimates.get(table) ?? 0);
    };
    const sequences = await sequenceStates(source, model);
    const pre = preDataDdl(model);
    const post = postDataDdl(model);
    const warnings = [...pre.warnings, ...post.warnings];
    const largeObjects = await largeObjectCount(source);
    if (largeObjects > 0) warnings.push(`${largeObjects} large objects were not copied`);

    await createFreshDatabase(maintenance, names, runId, sourceDb.encoding);
    const freshUrl = withDatabase(plan.target.url, names.fresh);
    let masking: MaskRunner | null = null;
    try {
      const loader = await connect(freshUrl, {
        what: 'target database',
        applicationName: 'understudy sync',
      });
      try {
        for (const sql of [...ddlSessionSettings, ...targetSessionSettings])
          await loader.query(sql);
        progress({ type: 'phase', phase: 'pre-data' });
        await runStatements(loader, pre.statements, 'create the schema');

        progress({
          type: 'phase',
          phase: 'load',
          estimatedRows: loads.reduce(
            (sum, l) => sum + estimatedRows(`${l.table.schema}.${l.table.name}`),
            0,
          ),
        });
        const workerData = {
          maskerModule: options.maskerModule,
          key: new Uint8Array(options.key),
          dir: options.dir,
        };
        const threads = Math.min(options.maskThreads ?? cpus, 8);
        if (loads.some((l) => l.jobs.some((j) => j.masked.length > 0)))
          masking =
            threads > 0 ? threadMaskRunner(workerData, threads) : inlineMaskRunner(workerData);
        const tables = await runLoads({
          loads,
          sourceUrl: plan.source.url,
          targetUrl: freshUrl,
          snapshot,
          parallel: options.parallel ?? cpus,
          masking,
          onTable: (table, rows, bytes, done) =>
            progress({
              type: 'table',
              table,
              rows,
              bytes,
              done,
              estimatedRows: estimatedRows(table),
            }),
        });

        progress({ type: 'phase', phase: 'post-data' });
        await runStatements(loader, post.statements, 'create keys, indexes, views and triggers');
        progress({ type: 'phase', phase: 'sequences' });
        await setSequences(loader, sequences);
        progress({ type: 'phase', phase: 'analyze' });
        await loader.query('ANALYZE');
        await loader.end();
        await source.query('COMMIT');

        const sum = (pick: (t: (typeof tables)[number]) => number): number =>
          tables.reduce((n, t) => n + pick(t), 0);
        const result = (swapped: boolean): SyncResult => ({
          runId,
          swapped,
          snapshot,
          database,
          template: swapped && keepTemplate ? names.template : null,
          tables,
          totals: {
            rowsRead: sum((t) => t.rowsRead),
            rowsWritten: sum((t) => t.rowsWritten),
            bytes: sum((t) => t.bytes),
            seconds: Math.round(performance.now() - started) / 1000,
          },
          warnings,
        });
        if (options.beforeSwap !== undefined) {
          // Proven before it replaces anything: a copy that leaks is never swapped in.
          progress({ type: 'phase', phase: 'verify' });
          if (!(await options.beforeSwap(freshUrl, tables))) {
            await dropDatabase(maintenance, names.fresh);
            return result(false);
          }
        }
        if (keepTemplate) {
          progress({ type: 'phase', phase: 'template' });
          await createTemplate(maintenance, names, runId);
        }
        progress({ type: 'phase', phase: 'swap' });
        await swapIn(maintenance, names, runId, {
          keepTemplate,
          ...(options.beforeSwapCommit === undefined
            ? {}
            : { beforeCommit: options.beforeSwapCommit }),
        });
        progress({ type: 'phase', phase: 'done' });
        return result(true);
      } finally {
        await loader.end().catch(() => undefined);
      }
    } catch (error) {
      // The target was not touched: only this run's own databases are dropped.
      await dropDatabase(maintenance, names.fresh).catch(() => undefined);
      await dropDatabase(maintenance, names.template).catch(() => undefined);
      if (error instanceof UnderstudyError) throw error;
      throw new UnderstudyError(
        'E_OPERATION',
        `the sync into ${database} failed: ${messageOf(error)}`,
        {
          hint: 'the target database was left as it was',
          cause: error,
        },
      );
    } finally {
      await masking?.close();
    }
  } finally {
    if (locked && maintenance !== undefined)
      await unlockTarget(maintenance, database).catch(() => undefined);
    await maintenance?.end().catch(() => undefined);
    await source.end().catch(() => undefined);
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function runStatements(
  client: Client,
  statements: readonly string[],
  what: string,
): Promise<void> {
  for (const sql of statements) {
    try {
      await client.query(sql);
    } catch (error) {
      throw new UnderstudyError(
        'E_OPERATION',
        `could not ${what} on the target: ${messageOf(error)}`,
        {
          hint: `while running: ${sql.split('\n')[0]?.slice(0, 200) ?? ''}`,
          cause: error,
        },
      );
    }
  }
}
