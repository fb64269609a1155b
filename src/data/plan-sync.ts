/**
 * Planning a masked copy: the config's table rules checked against the source's schema model,
 * each masked column checked for fit, and every column the scan flags as personal data required
 * to have a masker or a `keep` with a reason. Pure: the plan is data, printed by `--dry-run` and
 * executed by the sync engine; problems stop the run before anything is written.
 */
import type { Config } from '../config/config-schema.js';
import type { SchemaModel, Table } from '../postgres/schema-model.js';
import type { Problem } from '../shared/errors.js';
import { columnInfo } from './column-info.js';
import type { ColumnInfo, MaskerSpec } from './data-types.js';

type DataConfig = NonNullable<Config['data']>;
type ColumnRule = DataConfig['tables'][string]['columns'][string];

/** A personal-data finding of `data scan` (the subset the planner needs). */
export interface Finding {
  /** `schema.table`. */
  readonly table: string;
  readonly column: string;
  readonly kind: string;
  readonly confidence: number;
  readonly suggested: string;
}

export interface PlannedMask {
  readonly column: string;
  readonly spec: MaskerSpec;
  readonly info: ColumnInfo;
}

export interface PlannedTable {
  readonly schema: string;
  readonly name: string;
  readonly rows: 'all' | 'none' | { readonly where: string };
  readonly masks: readonly PlannedMask[];
  /** Columns kept unmasked on purpose, with the reason given. */
  readonly kept: readonly { readonly column: string; readonly reason: string }[];
}

export interface SyncPlan {
  readonly tables: readonly PlannedTable[];
  /** Blocking: unknown tables or columns, maskers that do not fit, unclassified personal data. */
  readonly problems: readonly Problem[];
  /** Personal-data findings without a rule: the "fail closed" list, also inside `problems`. */
  readonly unprotected: readonly Finding[];
}

/** `email` → `{ masker: 'email' }`; `{ keep }` → undefined (not masked). */
export function normalizeRule(rule: ColumnRule): MaskerSpec | { readonly keep: string } {
  if (typeof rule === 'string') return { masker: rule } as MaskerSpec;
  const object = rule as Record<string, unknown>;
  if (typeof object.keep === 'string') return { keep: object.keep };
  return object as unknown as MaskerSpec;
}

/** Plans the copy of every table of `model` under the `data` config. */
export function planSync(input: {
  readonly model: SchemaModel;
  readonly data: DataConfig;
  readonly findings: readonly Finding[];
  /** The masker registry's fit check: a reason when a masker cannot mask that column. */
  readonly fitProblem: (spec: MaskerSpec, column: ColumnInfo) => string | undefined;
}): SyncPlan {
  const { model, data } = input;
  const problems: Problem[] = [];
  const byName = new Map<string, Table>(model.tables.map((t) => [`${t.schema}.${t.name}`, t]));

  for (const [name, rule] of Object.entries(data.tables)) {
    const table = byName.get(name);
    if (table === undefined) {
      problems.push({ path: `data.tables["${name}"]`, message: `the source has no table ${name}` });
      continue;
    }
    for (const column of Object.keys(rule.columns)) {
      if (!table.columns.some((c) => c.name === column)) {
        problems.push({
          path: `data.tables["${name}"].columns.${column}`,
          message: `${name} has no column "${column}"`,
        });
      }
    }
  }

  const tables = model.tables
    .filter((t) => t.kind === 'table')
    .map((table) => planTable(table, model, data, input.fitProblem, problems));

  const covered = new Set(
    tables.flatMap((t) => [
      ...t.masks.map((m) => `${t.schema}.${t.name}.${m.column}`),
      ...t.kept.map((k) => `${t.schema}.${t.name}.${k.column}`),
    ]),
  );
  const skipped = new Set(
    tables.filter((t) => t.rows === 'none').map((t) => `${t.schema}.${t.name}`),
  );
  const unprotected = input.findings.filter(
    (f) => !covered.has(`${f.table}.${f.column}`) && !skipped.has(rootTable(model, f.table)),
  );
  for (const f of unprotected) {
    problems.push({
      path: `data.tables["${f.table}"].columns.${f.column}`,
      message: `looks like ${f.kind} (${Math.round(f.confidence * 100)} %) but has no masker: add "${f.column}: ${f.suggested}", or "{ keep: <reason> }"`,
    });
  }
  return { tables, problems, unprotected };
}

/** A partition's rules are its root table's: people configure the table they query. */
function rootTable(model: SchemaModel, name: string): string {
  let current = model.tables.find((t) => `${t.schema}.${t.name}` === name);
  for (let depth = 0; depth < 16 && current?.partitionOf != null; depth++) {
    const parent: { schema: string; name: string } = current.partitionOf.parent;
    current = model.tables.find((t) => t.schema === parent.schema && t.name === parent.name);
  }
  return current === undefined ? name : `${current.schema}.${current.name}`;
}

function planTable(
  table: Table,
  model: SchemaModel,
  data: DataConfig,
  fitProblem: (spec: MaskerSpec, column: ColumnInfo) => string | undefined,
  problems: Problem[],
): PlannedTable {
  const name = rootTable(model, `${table.schema}.${table.name}`);
  const rule = data.tables[name];
  const masks: PlannedMask[] = [];
  const kept: { column: string; reason: string }[] = [];
  for (const [column, raw] of Object.entries(rule?.columns ?? {})) {
    const info = columnInfo(model, table, column);
    if (info === undefined) continue;
    const normalized = normalizeRule(raw);
    if ('keep' in normalized) {
      kept.push({ column, reason: normalized.keep });
      continue;
    }
    const misfit = fitProblem(normalized, info);
    if (misfit !== undefined) {
      problems.push({
        path: `data.tables["${name}"].columns.${column}`,
        message: `${normalized.masker} cannot mask ${name}.${column} (${info.type}): ${misfit}`,
      });
      continue;
    }
    masks.push({ column, spec: normalized, info });
  }
  const rows = rule?.rows ?? 'all';
  return {
    schema: table.schema,
    name: table.name,
    rows: typeof rows === 'string' ? rows : { where: rows.where },
    masks,
    kept,
  };
}
