/**
 * The vocabulary of the data copy, shared by the planner, the maskers, the subsetter and the
 * sync engine. Values travel in PostgreSQL's COPY text representation, so a masker sees one
 * value of its column exactly as `COPY … TO STDOUT` prints it (unescaped), and untouched columns
 * pass through without being decoded at all.
 */
import type { maskerNames } from '../config/schema-sections.js';

export type MaskerName = (typeof maskerNames)[number];

/** A masker as configured for one column, the shorthand `email` normalised to `{ masker: 'email' }`. */
export interface MaskerSpec {
  readonly masker: MaskerName;
  /** date_shift: shift by up to this many days. */
  readonly days?: number;
  /** number_noise: ± this percent. */
  readonly percent?: number;
  /** constant: the value written, as text. */
  readonly value?: unknown;
  /** regex: a regular expression whose capture groups are kept, the rest masked. */
  readonly pattern?: string;
  /** json: maskers at JSON paths inside the document. */
  readonly paths?: Readonly<Record<string, MaskerSpec | MaskerName>>;
  /** custom: path of a JavaScript module (relative to understudy.yaml) exporting `mask`. */
  readonly module?: string;
  readonly locale?: string;
}

/**
 * A masker spec as written inside another (a json masker's paths): the shorthand `redact_text`
 * or the object form, always as the object form.
 */
export function innerSpec(raw: MaskerSpec | MaskerName): MaskerSpec {
  return typeof raw === 'string' ? { masker: raw } : raw;
}

/** What a masker needs to know about its column. */
export interface ColumnInfo {
  readonly table: string;
  readonly name: string;
  /** `format_type` text, e.g. `character varying(120)`, `text[]`, `date`, `jsonb`. */
  readonly type: string;
  /** The element type for arrays (`text` for `text[]`), else the type itself, without modifiers. */
  readonly baseType: string;
  readonly isArray: boolean;
  /** The column is (part of) a primary key or unique constraint: masked values must stay distinct. */
  readonly unique: boolean;
  /** Maximum length for character types (`varchar(40)` → 40). */
  readonly maxLength?: number;
}

/**
 * Masks one non-null value given as COPY text (already unescaped); returns the masked text, or
 * null for SQL NULL. Pure and deterministic: the same key, masker, options and input give the
 * same output in every table, column and run. Arrays are handled inside (element by element).
 */
export type ValueMasker = (text: string) => string | null;
