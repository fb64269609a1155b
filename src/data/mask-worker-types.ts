/** The messages between the sync engine and its masking threads, and the masker module's shape. */
import type { ColumnInfo, MaskerSpec, ValueMasker } from './data-types.js';

/** One masked field of a table's COPY rows: its position, masker and column. */
export interface MaskedField {
  readonly index: number;
  readonly spec: MaskerSpec;
  readonly column: ColumnInfo;
}

/** What a masker module (`maskerModule`) exports. */
export interface MaskerModule {
  createValueMasker(
    spec: MaskerSpec,
    column: ColumnInfo,
    options: { readonly key: Buffer; readonly dir: string },
  ): ValueMasker | Promise<ValueMasker>;
}

export interface MaskWorkerData {
  readonly maskerModule: string;
  readonly key: Uint8Array;
  readonly dir: string;
}

export interface MaskRequest {
  readonly id: number;
  /** Identifies the field set; its maskers are made once per worker. */
  readonly setId: string;
  readonly fields: readonly MaskedField[];
  readonly data: Uint8Array;
}

export type MaskReply =
  | { readonly id: number; readonly data: Uint8Array; readonly rows: number }
  | { readonly id: number; readonly error: string };
