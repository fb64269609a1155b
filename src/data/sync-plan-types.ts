/**
 * The sync engine's input and output: what to copy (built from the config by the planner), how
 * to run, the progress it reports and the result it returns.
 */
import type { ColumnInfo, MaskerSpec } from './data-types.js';

/** Which rows of a table are copied. */
export type RowSelection = 'all' | 'none' | { readonly where: string };

/** One table's rule. A `PlannedTable` of `plan-sync.ts` fits. */
export interface TableSyncInput {
  readonly schema: string;
  readonly name: string;
  readonly rows: RowSelection;
  /** Masked columns; `info` is computed from the schema model when missing. */
  readonly masks: readonly {
    readonly column: string;
    readonly spec: MaskerSpec;
    readonly info?: ColumnInfo;
  }[];
}

/** What to copy where. Tables of the source not listed in `tables` are copied whole, unmasked. */
export interface SyncPlanInput {
  readonly source: { readonly url: string };
  /** The staging database; it is replaced atomically. */
  readonly target: { readonly url: string };
  /** Only these schemas (default: every user schema). */
  readonly schemas?: readonly string[];
  readonly tables?: readonly TableSyncInput[];
}

/** Progress of a run: phases in order, and per table as rows stream. */
export type SyncProgressEvent =
  | {
      readonly type: 'phase';
      readonly phase:
        | 'snapshot'
        | 'pre-data'
        | 'load'
        | 'post-data'
        | 'sequences'
        | 'analyze'
        | 'verify'
        | 'template'
        | 'swap'
        | 'done';
      /** With `load`: the rows all tables are expected to hold (see the table event's). */
      readonly estimatedRows?: number;
    }
  | {
      readonly type: 'table';
      /** `schema.name`. */
      readonly table: string;
      readonly rows: number;
      readonly bytes: number;
      readonly done: boolean;
      /**
       * Rows the table is expected to hold: the source's statistics (0 when never analysed),
       * none for `rows: none`; a subset or `where` copies fewer. For an ETA, not a promise.
       */
      readonly estimatedRows: number;
    };

export interface SyncOptions {
  /** The masking key, passed to every masker. */
  readonly key: Buffer;
  /** The directory relative paths in masker options resolve against (the config's). */
  readonly dir: string;
  /** Module path or URL exporting `createValueMasker(spec, column, { key, dir })`. */
  readonly maskerModule: string;
  /** Source/target connection pairs copying at once; default the CPU count. */
  readonly parallel?: number;
  /** Masking threads; default the CPU count; 0 masks on the main thread. */
  readonly maskThreads?: number;
  /** Tables larger than this many bytes are copied in chunks of about this size; default 64 MiB. */
  readonly chunkBytes?: number;
  /** Keep a template copy `<target>__us_template_<run>` for fast clones; default true. */
  readonly keepTemplate?: boolean;
  readonly onProgress?: (event: SyncProgressEvent) => void;
  /**
   * Checks the finished copy (at `url`, not yet swapped in) before anything of the target
   * changes; false keeps the target as it was: the copy is dropped, nothing is swapped in.
   */
  readonly beforeSwap?: (url: string, tables: readonly TableSyncResult[]) => Promise<boolean>;
  /**
   * Runs inside the swap's transaction, after the renames and before the commit: the one moment
   * the old data is renamed away but the new not yet committed. For tests that kill a run there.
   */
  readonly beforeSwapCommit?: () => Promise<void>;
}

export interface TableSyncResult {
  /** `schema.name`. */
  readonly table: string;
  readonly rows: RowSelection;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly bytes: number;
  readonly maskedColumns: readonly string[];
  readonly chunks: number;
  readonly seconds: number;
}

export interface SyncResult {
  readonly runId: string;
  /** The copy replaced the target; false when `beforeSwap` refused it (the target is as it was). */
  readonly swapped: boolean;
  /** The exported snapshot every worker read in. */
  readonly snapshot: string;
  /** The target database, now holding the copy. */
  readonly database: string;
  /** The template kept for clones, or null. */
  readonly template: string | null;
  readonly tables: readonly TableSyncResult[];
  readonly totals: {
    readonly rowsRead: number;
    readonly rowsWritten: number;
    readonly bytes: number;
    readonly seconds: number;
  };
  /** Things not copied (large objects, aggregates), one line each. */
  readonly warnings: readonly string[];
}
