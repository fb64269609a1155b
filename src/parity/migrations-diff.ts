/**
 * Migrations in schema parity, the pure part: which migrations one environment has applied and
 * the other has not, and which schema differences those pending migrations account for.
 *
 * Pending migrations are differences at `schema:migrations.<tool>.<id>` (kind relative to `env`,
 * like every difference; severity notice: the schema differences they cause carry the weight).
 * When one tool keeps tables in several schemas, `<tool>` is `tool(schema.table)`. A history
 * table only one environment has gives no per-migration differences: the schema diff reports the
 * table itself. Alembic and golang-migrate keep only their head, so for them the heads are
 * compared, not histories.
 *
 * The explanation heuristic (`explainWithMigrations`): a pending migration explains a schema
 * difference when its name, description or script mentions, as whole words, the object the
 * difference is about — the table (view, type, sequence, function, extension, schema) — and,
 * when the difference is about a column, enum label or type attribute, that too. Words are split
 * at non-letters, camelCase and letter/digit boundaries and compared case-insensitively; a name of
 * several words (`order_lines`) must appear as those words in a row. So
 * `20240101120000_add_total_to_orders` and `AddTotalToOrders1704110400000` explain
 * `schema:public.orders.columns.total` but not `schema:public.customers.columns.total`.
 * Constraints, indexes and triggers need only their table (an index's table is read from its
 * definition). Limits: tools that store no names (Rails, goose, Alembic, golang-migrate) explain
 * nothing; plurals and abbreviations do not match (`add_total_to_order` does not name `orders`);
 * Django's `app_model` tables are rarely named in migration names; the direction of the change is
 * not checked (a migration that adds a column explains it being missing as well as extra).
 */
import type { Difference, JsonValue } from './drift.js';
import { compareDifferences, driftPath } from './drift.js';
import type { MigrationHistory, MigrationTool } from './migrations-read.js';

/** A migration applied in one environment and not the other. */
export interface PendingMigration {
  readonly tool: MigrationTool;
  readonly id: string;
  /** Name, description or script; '' when the tool stores none. */
  readonly text: string;
  /** The environment that has applied it, and the one that lacks it. */
  readonly appliedIn: string;
  readonly lackingIn: string;
}

/** One environment's migration histories, with its name for notes. */
export interface EnvironmentMigrations {
  readonly name: string;
  readonly histories: readonly MigrationHistory[];
}

/** What `diffMigrations` found. */
export interface MigrationsDiff {
  /** Migration ids (or heads) compared, on either side. */
  readonly compared: number;
  readonly differences: Difference[];
  readonly pending: PendingMigration[];
  /** Per history table: tool, table and how many migrations each side has applied (null: no table). */
  readonly facts: JsonValue[];
}

/** `MigrationsDiff` while it is built. */
type Builder = { -readonly [K in keyof MigrationsDiff]: MigrationsDiff[K] };

const historyKey = (h: MigrationHistory): string => `${h.tool}:${h.table.schema}.${h.table.name}`;

/** Compares two environments' migration histories, tool by tool. */
export function diffMigrations(
  env: EnvironmentMigrations,
  against: EnvironmentMigrations,
): MigrationsDiff {
  const out: Builder = { compared: 0, differences: [], pending: [], facts: [] };
  const envByKey = new Map(env.histories.map((h) => [historyKey(h), h] as const));
  const againstByKey = new Map(against.histories.map((h) => [historyKey(h), h] as const));
  const keys = [...new Set([...againstByKey.keys(), ...envByKey.keys()])].sort();
  const tables = new Map<MigrationTool, number>();
  for (const key of keys) {
    const tool = (envByKey.get(key) ?? againstByKey.get(key))?.tool;
    if (tool !== undefined) tables.set(tool, (tables.get(tool) ?? 0) + 1);
  }
  for (const key of keys) {
    const e = envByKey.get(key);
    const a = againstByKey.get(key);
    const sample = (e ?? a) as MigrationHistory;
    const label =
      (tables.get(sample.tool) ?? 0) > 1
        ? `${sample.tool}(${sample.table.schema}.${sample.table.name})`
        : sample.tool;
    out.facts.push(factOf(sample, e, a));
    if (e === undefined || a === undefined) continue;
    if (e.unreadable !== undefined || a.unreadable !== undefined) continue;
    compareHistories(
      out,
      label,
      { name: env.name, history: e },
      { name: against.name, history: a },
    );
  }
  out.differences.sort(compareDifferences);
  return out;
}

function factOf(
  sample: MigrationHistory,
  e: MigrationHistory | undefined,
  a: MigrationHistory | undefined,
): JsonValue {
  const unreadable = [e?.unreadable, a?.unreadable].filter((u) => u !== undefined);
  return {
    tool: sample.tool,
    table: `${sample.table.schema}.${sample.table.name}`,
    env: e === undefined ? null : e.applied.length,
    against: a === undefined ? null : a.applied.length,
    ...(sample.headOnly ? { headOnly: true } : {}),
    ...(unreadable.length > 0 ? { unreadable: unreadable.join('; ') } : {}),
  };
}

interface Side {
  readonly name: string;
  readonly history: MigrationHistory;
}

function compareHistories(out: Builder, label: string, env: Side, against: Side): void {
  const envIds = new Map(env.history.applied.map((m) => [m.id, m] as const));
  const againstIds = new Map(against.history.applied.map((m) => [m.id, m] as const));
  const heads = (side: Side): string =>
    side.history.applied.map((m) => m.id).join(', ') || 'no revision';
  const note = (appliedIn: string, lackingIn: string): string =>
    env.history.headOnly
      ? `${env.history.tool} keeps only its current version: ${env.name} is at ${heads(env)}, ${against.name} at ${heads(against)}`
      : `applied in ${appliedIn}, not in ${lackingIn}`;
  const valueOf = (text: string, id: string): string =>
    text !== '' && text !== id ? text : 'applied';

  for (const m of againstIds.values()) {
    out.compared += 1;
    const mine = envIds.get(m.id);
    if (mine !== undefined) {
      if (env.history.dirty !== against.history.dirty) {
        const state = (side: Side): string => (side.history.dirty ? 'dirty' : 'applied');
        out.differences.push({
          probe: 'schema',
          path: driftPath('schema', 'migrations', label, m.id),
          kind: 'changed',
          severity: 'notice',
          envValue: state(env),
          againstValue: state(against),
          note: 'a dirty version failed part-way and needs fixing by hand',
        });
      }
      continue;
    }
    out.differences.push({
      probe: 'schema',
      path: driftPath('schema', 'migrations', label, m.id),
      kind: 'missing',
      severity: 'notice',
      againstValue: valueOf(m.text, m.id),
      note: note(against.name, env.name),
    });
    out.pending.push({
      ...pendingOf(env.history, m),
      appliedIn: against.name,
      lackingIn: env.name,
    });
  }
  for (const m of envIds.values()) {
    if (againstIds.has(m.id)) continue;
    out.compared += 1;
    out.differences.push({
      probe: 'schema',
      path: driftPath('schema', 'migrations', label, m.id),
      kind: 'extra',
      severity: 'notice',
      envValue: valueOf(m.text, m.id),
      note: note(env.name, against.name),
    });
    out.pending.push({
      ...pendingOf(env.history, m),
      appliedIn: env.name,
      lackingIn: against.name,
    });
  }
}

function pendingOf(
  history: MigrationHistory,
  m: { readonly id: string; readonly text: string },
): Pick<PendingMigration, 'tool' | 'id' | 'text'> {
  return { tool: history.tool, id: m.id, text: m.text };
}

/** Splits a name or text into lower-case words: at non-letters, camelCase and digits. */
export function words(text: string): string[] {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** Whether `needle`'s words appear in `haystack` as consecutive words. */
function mentions(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

const childGroups = new Set(['columns', 'attributes', 'labels']);

/** The names a migration must mention to explain a difference; undefined for none. */
function namesOf(d: Difference): string[] | undefined {
  if (d.probe !== 'schema' || !d.path.startsWith('schema:')) return undefined;
  const parts = d.path.slice('schema:'.length).split('.');
  const [first, second, group, child] = parts;
  if (first === undefined || second === undefined || first === 'migrations') return undefined;
  if (first === 'extensions' || first === 'schemas') return [second];
  const definition = [d.envValue, d.againstValue].find(
    (v): v is string => typeof v === 'string' && /^CREATE (UNIQUE )?INDEX /.test(v),
  );
  // An index is at `<schema>.<index>`: its table is in its definition.
  const indexTable = definition
    ?.match(/ ON (?:ONLY )?(\S+) USING /)?.[1]
    ?.split('.')
    .pop();
  const object = indexTable ?? second.replace(/\(.*$/, '');
  return group !== undefined && childGroups.has(group) && child !== undefined
    ? [object, child]
    : [object];
}

/**
 * Marks the schema differences that a pending migration accounts for with `explainedBy`; the
 * heuristic and its limits are in the file's header. Returns new differences, in the same order.
 */
export function explainWithMigrations(
  differences: readonly Difference[],
  pending: readonly PendingMigration[],
): Difference[] {
  const candidates = pending.filter((p) => p.text !== '').map((p) => ({ p, words: words(p.text) }));
  if (candidates.length === 0) return [...differences];
  return differences.map((d) => {
    if (d.explainedBy !== undefined) return d;
    const names = namesOf(d)?.map((n) => words(n.replaceAll('"', '')));
    if (names === undefined) return d;
    const matches = candidates.filter((c) => names.every((n) => mentions(c.words, n)));
    const first = matches[0];
    if (first === undefined) return d;
    const more = matches.length > 1 ? ` (and ${matches.length - 1} more)` : '';
    return {
      ...d,
      explainedBy: `${first.p.tool} migration ${first.p.id}, applied in ${first.p.appliedIn} but not in ${first.p.lackingIn}${more}`,
    };
  });
}
