/**
 * Copies the rows of one table (or one ctid range of it) from a source connection to a target
 * one: `COPY (SELECT …) TO STDOUT` piped into `COPY … FROM STDIN` with backpressure, so memory
 * stays flat whatever the table's size. Rows pass through as the source printed them; only masked
 * fields are rewritten, by the mask transform.
 *
 * Generated columns are left out (the target computes them). Identity columns, even GENERATED
 * ALWAYS ones, are copied as they are: COPY FROM always takes the values it is given.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Client } from '../postgres/connection.js';
import type { Table } from '../postgres/schema-model.js';
import { countRows } from './copy-text.js';
import { qualified, quoteIdent } from './ddl-names.js';
import { createMaskTransform, type MaskRunner } from './mask-worker-pool.js';
import type { MaskedField } from './mask-worker-types.js';

/** One unit of copy work: a whole table or a block range of it. */
export interface CopyJob {
  readonly table: Table;
  /** Columns copied, in order: every column except generated ones. */
  readonly columns: readonly string[];
  /** A row filter (SQL), or null for all rows. */
  readonly where: string | null;
  /** Heap block range `[from, to)`; `to` null means to the end. Null: the whole table. */
  readonly blocks: { readonly from: number; readonly to: number | null } | null;
  readonly masked: readonly MaskedField[];
}

export interface CopyProgress {
  readonly rows: number;
  readonly bytes: number;
}

/** The columns a copy carries: all but generated ones. */
export function copiedColumns(table: Table): string[] {
  return table.columns.filter((c) => c.generated === null).map((c) => c.name);
}

/** `COPY (SELECT … FROM ONLY t WHERE …) TO STDOUT` for a job. */
export function sourceCopySql(job: CopyJob): string {
  const conditions: string[] = [];
  if (job.where !== null) conditions.push(`(${job.where})`);
  if (job.blocks !== null) {
    conditions.push(`ctid >= '(${job.blocks.from},0)'::pg_catalog.tid`);
    if (job.blocks.to !== null) conditions.push(`ctid < '(${job.blocks.to},0)'::pg_catalog.tid`);
  }
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  // ONLY: rows of inheriting tables are copied with their own table, not twice.
  return `COPY (SELECT ${job.columns.map(quoteIdent).join(', ')} FROM ONLY ${qualified(job.table)}${where}) TO STDOUT`;
}

/** `COPY t (…) FROM STDIN` for a job. */
export function targetCopySql(job: CopyJob): string {
  return `COPY ${qualified(job.table)} (${job.columns.map(quoteIdent).join(', ')}) FROM STDIN`;
}

/** Counts rows and bytes read from the source, reporting every `everyBytes`. */
function meter(onProgress: (delta: CopyProgress) => void, everyBytes = 1 << 20): Transform {
  let rows = 0;
  let bytes = 0;
  const report = (): void => {
    if (rows === 0 && bytes === 0) return;
    onProgress({ rows, bytes });
    rows = 0;
    bytes = 0;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      rows += countRows(chunk);
      bytes += chunk.length;
      if (bytes >= everyBytes) report();
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      report();
      callback();
    },
  });
}

/** Copies one job; resolves with the rows read from the source and written to the target. */
export async function copyJob(
  source: Client,
  target: Client,
  job: CopyJob,
  masking: MaskRunner | null,
  onProgress: (delta: CopyProgress) => void,
): Promise<{ readonly rowsRead: number; readonly rowsWritten: number; readonly bytes: number }> {
  let rowsRead = 0;
  let bytes = 0;
  const counted = (delta: CopyProgress): void => {
    rowsRead += delta.rows;
    bytes += delta.bytes;
    onProgress(delta);
  };
  const reader = source.query(copyTo(sourceCopySql(job)));
  const writer = target.query(copyFrom(targetCopySql(job)));
  const setId = `${job.table.schema}.${job.table.name}`;
  if (job.masked.length > 0 && masking !== null) {
    await pipeline(reader, meter(counted), createMaskTransform(masking, setId, job.masked), writer);
  } else if (job.masked.length > 0) {
    throw new Error(`${setId} has masked columns but no masker was given`);
  } else {
    await pipeline(reader, meter(counted), writer);
  }
  return { rowsRead, rowsWritten: writer.rowCount, bytes };
}
