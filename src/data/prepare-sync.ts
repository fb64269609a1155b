/**
 * Everything a sync needs decided before anything is written: the two databases, the masking
 * key, the source's schema model, the scan's findings, the plan and the subset. Any problem stops
 * here: unprotected personal data is `E_BLOCKED` (exit 1), a wrong rule `E_CONFIG` (exit 2).
 */
import type { Config } from '../config/config-schema.js';
import { readSchemaModel } from '../postgres/catalog-read.js';
import { connect, describeUrl } from '../postgres/connection.js';
import type { SchemaModel } from '../postgres/schema-model.js';
import { UnderstudyError } from '../shared/errors.js';
import { maskerFitProblem } from './maskers/index.js';
import { planSync, type Finding, type SyncPlan } from './plan-sync.js';
import { scanDatabase, scanFindings } from './scan-run.js';
import { planSubset } from './subset-plan.js';
import type { SyncPlanInput, TableSyncInput } from './sync-plan-types.js';

export interface PreparedSync {
  readonly from: { readonly name: string; readonly url: string };
  readonly to: { readonly name: string; readonly url: string };
  readonly key: Buffer;
  readonly model: SchemaModel;
  readonly findings: readonly Finding[];
  readonly plan: SyncPlan;
  /** Notes of the subset planner (tables cut by rows rules, copied whole, cycles), one line each. */
  readonly subsetNotes: readonly string[];
  /** What the engine runs. */
  readonly input: SyncPlanInput;
}

/** The `data` section, or a clear error when there is none. */
export function dataSection(config: Readonly<Config>): NonNullable<Config['data']> {
  if (config.data === undefined) {
    throw new UnderstudyError('E_CONFIG', 'understudy.yaml has no data section', {
      hint: 'add data: { from: production, to: staging, key: ${UNDERSTUDY_MASK_KEY}, tables: … }',
    });
  }
  return config.data;
}

/** The database URL of an environment, or a clear error naming it. */
export function databaseOf(config: Readonly<Config>, name: string): string {
  const url = config.environments[name]?.database;
  if (url === undefined) {
    throw new UnderstudyError('E_CONFIG', `environment "${name}" has no database`, {
      hint: `set environments.${name}.database`,
    });
  }
  return url;
}

/**
 * Whether two URLs name the same database by host, port and name (the engine checks the
 * server's identity too, which also catches two names for one server).
 */
function sameDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    const where = (u: URL): string =>
      `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1))}`;
    return where(x) === where(y);
  } catch {
    return false;
  }
}

/** Reads a database's schema model. */
export async function readModel(url: string, what: string): Promise<SchemaModel> {
  const client = await connect(url, { what });
  try {
    return await readSchemaModel(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Decides the whole sync; `scan: false` skips the personal-data scan (for `data verify`). */
export async function prepareSync(
  config: Readonly<Config>,
  options: { scan: boolean },
): Promise<PreparedSync> {
  const data = dataSection(config);
  const from = { name: data.from, url: databaseOf(config, data.from) };
  const to = { name: data.to, url: databaseOf(config, data.to) };
  if (data.key === undefined) {
    throw new UnderstudyError('E_CONFIG', 'no masking key: data.key is not set', {
      hint: 'set data.key: ${UNDERSTUDY_MASK_KEY} and export a key of at least 16 characters',
    });
  }
  if (sameDatabase(from.url, to.url)) {
    throw new UnderstudyError(
      'E_INPUT',
      `${to.name} and ${from.name} are the same database (${describeUrl(to.url)})`,
      {
        hint: `point environments.${to.name}.database at the staging database, never at production`,
      },
    );
  }
  const model = await readModel(from.url, `${from.name} database`);
  const findings: Finding[] = options.scan
    ? scanFindings(await scanDatabase(from.url)).map((f) => ({
        table: f.table,
        column: f.column,
        kind: f.kind,
        confidence: f.confidence,
        suggested: f.suggested,
      }))
    : [];
  const plan = planSync({ model, data, findings, fitProblem: maskerFitProblem });
  const blocking = plan.problems.filter(
    (p) =>
      !plan.unprotected.some((u) => p.path === `data.tables["${u.table}"].columns.${u.column}`),
  );
  if (blocking.length > 0) {
    throw new UnderstudyError(
      'E_CONFIG',
      `the data rules have ${blocking.length} ${blocking.length === 1 ? 'problem' : 'problems'}; nothing was copied`,
      { problems: blocking },
    );
  }
  if (plan.unprotected.length > 0) {
    throw new UnderstudyError(
      'E_BLOCKED',
      `${plan.unprotected.length} personal-data ${plan.unprotected.length === 1 ? 'column has' : 'columns have'} no masker; nothing was copied`,
      {
        problems: plan.problems,
        hint: 'add a masker or { keep: <reason> } for each (`understudy data scan --write` adds suggestions)',
      },
    );
  }
  // Rows rules and the subset are planned together: a row referencing a row not copied is not
  // copied either, so the foreign keys added after the load hold.
  const rows = planSubset(
    model,
    data.subset,
    new Map(Object.entries(data.tables).map(([name, rule]) => [name, rule.rows])),
  );
  const tables = plan.tables.map((t): TableSyncInput => ({
    ...t,
    rows: rows.rows.get(`${t.schema}.${t.name}`) ?? t.rows,
  }));
  return {
    from,
    to,
    key: Buffer.from(data.key, 'utf8'),
    model,
    findings,
    plan,
    subsetNotes: rows.notes,
    input: { source: { url: from.url }, target: { url: to.url }, tables },
  };
}
