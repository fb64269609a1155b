/**
 * The load phase: tables (large ones split into ctid chunks) copied largest first by a pool of
 * source/target connection pairs, each source connection reading in the shared snapshot.
 */
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { connect, type Client } from '../postgres/connection.js';
import type { SchemaModel, Table } from '../postgres/schema-model.js';
import { columnInfo } from './column-info.js';
import { copiedColumns, copyJob, type CopyJob } from './copy-table.js';
import type { MaskRunner } from './mask-worker-pool.js';
import type { MaskedField } from './mask-worker-types.js';
import { connectInSnapshot } from './sync-source.js';
import type { RowSelection, TableSyncInput, TableSyncResult } from './sync-plan-types.js';

/** A table to copy, its jobs, and how its rows are chosen. */
export interface TableLoad {
  readonly table: Table;
  readonly rows: RowSelection;
  readonly jobs: readonly CopyJob[];
  readonly size: number;
}

/** Session settings of target connections, matching how the source prints rows. */
export const targetSessionSettings = [
  "SET client_encoding = 'UTF8'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  "SET TimeZone = 'UTC'",
  'SET synchronous_commit = off',
] as const;

/** The copy work for every table of the model, from the plan's rules; checks masked columns exist. */
export function planLoads(
  model: SchemaModel,
  rules: readonly TableSyncInput[],
  sizes: ReadonlyMap<string, number>,
  blockSize: number,
  chunkBytes: number,
): TableLoad[] {
  const ruleOf = new Map(rules.map((r) => [`${r.schema}.${r.name}`, r]));
  for (const key of ruleOf.keys()) {
    if (!model.tables.some((t) => `${t.schema}.${t.name}` === key))
      throw new UnderstudyError(
        'E_INPUT',
        `the sync plan names table ${key}, which the source does not have`,
      );
  }
  const loads: TableLoad[] = [];
  for (const table of model.tables) {
    if (table.kind !== 'table') continue; // a partitioned table's rows live in its partitions
    const key = `${table.schema}.${table.name}`;
    const rule = ruleOf.get(key);
    const rows: RowSelection = rule?.rows ?? 'all';
    const columns = copiedColumns(table);
    const masked: MaskedField[] = (rule?.masks ?? []).map((m) => {
      const index = columns.indexOf(m.column);
      const info = m.info ?? columnInfo(model, table, m.column);
      if (index < 0 || info === undefined)
        throw new UnderstudyError(
          'E_INPUT',
          `cannot mask ${key}.${m.column}: no such copied column`,
          {
            hint: 'generated columns are recomputed, not copied: mask the columns they are computed from',
          },
        );
      return { index, spec: m.spec, column: info };
    });
    const size = sizes.get(key) ?? 0;
    const where = typeof rows === 'object' ? rows.where : null;
    const base = { table, columns, where, masked };
    const jobs: CopyJob[] = [];
    if (rows !== 'none') {
      const blocks = Math.ceil(size / blockSize);
      const perChunk = Math.max(1, Math.floor(chunkBytes / blockSize));
      if (size > chunkBytes * 1.5) {
        for (let from = 0; from < blocks; from += perChunk) {
          // The last chunk is open-ended: rows in blocks added since the size was read are not in the snapshot anyway.
          const to = from + perChunk >= blocks ? null : from + perChunk;
          jobs.push({ ...base, blocks: { from, to } });
        }
      } else jobs.push({ ...base, blocks: null });
    }
    loads.push({ table, rows, jobs, size });
  }
  return loads.sort((a, b) => b.size - a.size);
}

/** Copies every job with `parallel` connection pairs; returns per-table results in plan order. */
export async function runLoads(input: {
  readonly loads: readonly TableLoad[];
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly snapshot: string;
  readonly parallel: number;
  readonly masking: MaskRunner | null;
  readonly onTable: (table: string, rows: number, bytes: number, done: boolean) => void;
}): Promise<TableSyncResult[]> {
  const totals = new Map<
    Table,
    {
      rowsRead: number;
      rowsWritten: number;
      bytes: number;
      left: number;
      started: number;
      seconds: number;
    }
  >();
  for (const load of input.loads)
    totals.set(load.table, {
      rowsRead: 0,
      rowsWritten: 0,
      bytes: 0,
      left: load.jobs.length,
      started: 0,
      seconds: 0,
    });
  const queue = input.loads.flatMap((l) => l.jobs);
  const pairs = Math.max(1, Math.min(input.parallel, queue.length));
  let failed: unknown;
  const worker = async (): Promise<void> => {
    let source: Client | undefined;
    let target: Client | undefined;
    try {
      source = await connectInSnapshot(input.sourceUrl, input.snapshot);
      target = await connect(input.targetUrl, {
        what: 'target database',
        applicationName: 'understudy sync',
      });
      for (const sql of targetSessionSettings) await target.query(sql);
      for (
        let job = queue.shift();
        job !== undefined && failed === undefined;
        job = queue.shift()
      ) {
        const total = totals.get(job.table);
        if (total === undefined) continue;
        const name = `${job.table.schema}.${job.table.name}`;
        if (total.started === 0) total.started = performance.now();
        const result = await copyJob(source, target, job, input.masking, (delta) => {
          total.bytes += delta.bytes;
          total.rowsRead += delta.rows;
          input.onTable(name, total.rowsRead, total.bytes, false);
        });
        total.rowsWritten += result.rowsWritten;
        total.left -= 1;
        if (total.left === 0) {
          total.seconds = (performance.now() - total.started) / 1000;
          input.onTable(name, total.rowsRead, total.bytes, true);
        }
      }
    } catch (error) {
      failed ??= error;
    } finally {
      await source?.end().catch(() => undefined);
      await target?.end().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: pairs }, worker));
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(messageOf(failed));
  return input.loads.map((load) => {
    const total = totals.get(load.table);
    const name = `${load.table.schema}.${load.table.name}`;
    if (load.jobs.length === 0) input.onTable(name, 0, 0, true);
    return {
      table: name,
      rows: load.rows,
      rowsRead: total?.rowsRead ?? 0,
      rowsWritten: total?.rowsWritten ?? 0,
      bytes: total?.bytes ?? 0,
      maskedColumns: (load.jobs[0]?.masked ?? []).map((f) => f.column.name),
      chunks: load.jobs.length,
      seconds: Math.round((total?.seconds ?? 0) * 1000) / 1000,
    };
  });
}
