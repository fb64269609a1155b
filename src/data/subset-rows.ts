/**
 * Rows rules closed downwards, pure: a table's `rows` rule (`none`, `{ where }`) decides which of
 * its rows exist in the copy, and a row that references a row not copied is not copied either —
 * left out, never rewritten (its reference is not set to NULL) — so the copy holds no orphaned
 * foreign key whatever the rules. A key with a NULL column references nothing (PostgreSQL's
 * MATCH SIMPLE), so such a row stays.
 *
 * The result is one predicate per table over the unaliased table with unqualified columns (so a
 * partition reads its root's predicate): `true`, `false`, the table's own `where`, or, for a table
 * a cut parent reaches, "its row key is not among the rejected rows'".
 *
 * - Rows left out ("rejected") are computed set by set, never row by row: each cut table's are a
 *   CTE — rows its rule does not keep, plus rows joined to a rejected row of a parent, plus rows
 *   referencing a parent that keeps nothing — and its children's CTEs join to it, so a table cut
 *   through many paths (every table referencing a cut `tenants`) is written and computed once per
 *   statement. Predicates test membership with `IN` and `NOT EXISTS` (semi- and anti-joins), which
 *   PostgreSQL runs as hash joins however large the tables.
 * - Tables in a foreign-key cycle or referencing themselves: the rows their rules or outside
 *   parents reject seed a recursive walk down the cycle's keys, and every row it reaches is
 *   rejected too; `UNION` ends the walk when nothing new is found. What remains is the largest set
 *   whose references are all kept. A self-reference joins each step's rows to their children
 *   (an index on the referencing column serves every step); several keys list their (parent,
 *   child) key pairs once and join each step to that list. A walk takes as many steps as the
 *   longest chain of rejected rows.
 */
import { compareText, type Column } from '../postgres/schema-model.js';
import {
  type ForeignKeyEdge,
  type ForeignKeyGraph,
  type GraphTable,
  components,
} from './subset-graph.js';
import {
  columnOf,
  fromTable,
  quoteIdent,
  quoteLiteral as literal,
  rowKey,
  rowKeyMatch,
} from './subset-sql.js';
import type { RowSelection } from './sync-plan-types.js';

/** What the rows rules let each table keep. */
export interface AdmittedRows {
  /** `schema.table` → predicate over that table (unaliased), for every table of the graph. */
  readonly predicates: ReadonlyMap<string, string>;
  /**
   * CTE definitions (`name AS (…)`, in order, to follow `WITH RECURSIVE`) ending in
   * `us_rejected(tbl, k)`: the row keys (`jsonb_build_array` of the identity) of `tables` that
   * the rules reject, for the subset's walk. Empty when none of `tables` is cut.
   */
  rejected(tables: Iterable<string>): string[];
  /** One line per table cut because a table it references is cut. */
  readonly notes: readonly string[];
}

interface Cte {
  readonly sql: string;
  readonly recursive: boolean;
  readonly uses: readonly string[];
}

/** `a AND b`, folding the constants `true` and `false`. */
export function allOf(parts: readonly string[]): string {
  if (parts.includes('false')) return 'false';
  const rest = parts.filter((p) => p !== 'true');
  if (rest.length === 0) return 'true';
  return rest.length === 1 ? rest[0]! : rest.map((p) => `(${p})`).join(' AND ');
}

/** A rule as a predicate; a line comment in a WHERE clause would swallow what follows it. */
function ruleSql(rule: RowSelection | undefined): string {
  if (rule === undefined || rule === 'all') return 'true';
  if (rule === 'none') return 'false';
  return rule.where.includes('--') ? `${rule.where}\n` : rule.where;
}

/** The columns that tell a table's rows apart: its identity, else every column. */
function identityOf(t: GraphTable): readonly Column[] {
  return t.identity ?? t.table.columns;
}

/** Plans which rows each table may keep under the rows rules (`schema.table` → rule). */
export function admitRows(
  graph: ForeignKeyGraph,
  rules: ReadonlyMap<string, RowSelection>,
): AdmittedRows {
  const predicates = new Map<string, string>();
  const ctes = new Map<string, Cte>();
  /** Table → the CTE of its rejected rows: `(k, c1, …)`, c1… the columns children reference. */
  const rejectedOf = new Map<string, string>();
  const cutBy = new Map<string, string[]>();
  const table = (name: string): GraphTable => graph.tables.get(name)!;
  const exposed = (name: string): string[] => [
    ...new Set(graph.edges.filter((e) => e.parent === name).flatMap((e) => e.parentColumns)),
  ];
  const key = (alias: string, t: string): string => rowKey(alias, identityOf(table(t)));
  /** `k, c1, …` of a rejected-rows CTE, selected from `alias`. */
  const selectRow = (alias: string, t: string): string =>
    [key(alias, t), ...exposed(t).map((c) => columnOf(alias, c))].join(', ');
  /**
   * When a key references its parent's identity: the child's columns in the identity's order,
   * with the identity's types, so the parent's row key is read off the child row.
   */
  const referencedKey = (e: ForeignKeyEdge): [string, string][] | undefined => {
    const identity = table(e.parent).identity;
    if (identity?.length !== e.parentColumns.length) return undefined;
    const columns = identity.map((c): [string, string] | undefined => {
      const i = e.parentColumns.indexOf(c.name);
      return i < 0 ? undefined : [e.columns[i]!, c.type];
    });
    return columns.every((c) => c !== undefined) ? columns : undefined;
  };
  /** Matches the parent row `p` to the walked row key `d.k`. */
  const parentMatch = (e: ForeignKeyEdge): string => {
    const identity = table(e.parent).identity;
    return identity === undefined
      ? `${key('p', e.parent)} = d.k`
      : rowKeyMatch('p', identity, 'd.k');
  };
  const notNull = (e: ForeignKeyEdge): boolean =>
    e.columns.every(
      (c) => table(e.child).table.columns.find((x) => x.name === c)?.notNull === true,
    );

  /** The definitions `names` need, in definition order. */
  const definitions = (names: Iterable<string>): [string, Cte][] => {
    const needed = new Set<string>();
    const add = (name: string): void => {
      if (needed.has(name)) return;
      needed.add(name);
      for (const used of ctes.get(name)!.uses) add(used);
    };
    for (const name of names) add(name);
    return [...ctes].filter(([name]) => needed.has(name));
  };

  /**
   * SELECTs (of `select(alias)`) of `t`'s rows its own rule or an outside parent rejects, and the
   * CTEs they use; `false` when the table keeps nothing.
   */
  const rejectedBranches = (
    t: string,
    edges: readonly ForeignKeyEdge[],
    select: (alias: string) => string = (alias) => selectRow(alias, t),
  ): { branches: string[]; uses: string[] } | false => {
    const own = ruleSql(rules.get(t));
    const from = fromTable(table(t).table);
    const branches: string[] = [];
    const uses: string[] = [];
    if (own === 'false') return false;
    if (own !== 'true')
      branches.push(`SELECT ${select('')} FROM ${from} WHERE (${own}) IS NOT TRUE`);
    for (const e of edges) {
      const parent = predicates.get(e.parent)!;
      if (parent === 'true') continue;
      if (parent === 'false') {
        if (notNull(e)) return false;
        const set = e.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ');
        branches.push(`SELECT ${select('')} FROM ${from} WHERE ${set}`);
        continue;
      }
      const cut = rejectedOf.get(e.parent)!;
      const columns = exposed(e.parent);
      const on = e.columns
        .map((c, i) => `r.c${columns.indexOf(e.parentColumns[i]!) + 1} = t.${quoteIdent(c)}`)
        .join(' AND ');
      branches.push(`SELECT ${select('t')} FROM ${from} t JOIN ${cut} r ON ${on}`);
      uses.push(cut);
    }
    return { branches, uses };
  };

  /** Records a cut table: its rejected rows' CTE and its predicate. */
  const reject = (t: string, name: string, body: string, uses: readonly string[]): void => {
    const columns = ['k', ...exposed(t).map((_, i) => `c${i + 1}`)].join(', ');
    ctes.set(name, { sql: `${name}(${columns}) AS (${body})`, recursive: false, uses });
    rejectedOf.set(t, name);
    const defined = definitions([name]);
    const recursive = defined.some(([, cte]) => cte.recursive) ? 'RECURSIVE ' : '';
    const within = `WITH ${recursive}${defined.map(([, cte]) => cte.sql).join(', ')}`;
    predicates.set(
      t,
      `${key('', t)} IN (${within} SELECT ${key('x', t)} FROM ${fromTable(table(t).table)} x WHERE NOT EXISTS (SELECT 1 FROM ${name} r WHERE r.k = ${key('x', t)}))`,
    );
  };

  components(graph).forEach((component, n) => {
    const members = new Set(component);
    const outside = (t: string): ForeignKeyEdge[] =>
      graph.edges.filter((e) => e.child === t && !members.has(e.parent));
    for (const t of component) {
      const cut = outside(t).filter((e) => predicates.get(e.parent) !== 'true');
      if (cut.length > 0) cutBy.set(t, [...new Set(cut.map((e) => e.parent))]);
    }
    const cycle = graph.edges.filter((e) => members.has(e.child) && members.has(e.parent));
    const local = new Map(component.map((t) => [t, rejectedBranches(t, outside(t))]));
    if (cycle.length === 0) {
      const t = component[0]!;
      const branches = local.get(t)!;
      if (branches === false) predicates.set(t, 'false');
      else if (branches.branches.length === 0) predicates.set(t, 'true');
      else {
        reject(t, `us_cut_${n}`, branches.branches.join(' UNION '), branches.uses);
        // Cut by its own rule and parents that keep nothing: a plain condition says it.
        if (branches.uses.length === 0)
          predicates.set(
            t,
            allOf([
              ruleSql(rules.get(t)),
              ...outside(t)
                .filter((e) => predicates.get(e.parent) === 'false')
                .map((e) => e.columns.map((c) => `${quoteIdent(c)} IS NULL`).join(' OR ')),
            ]),
          );
      }
      return;
    }
    const whole = (t: string): boolean => {
      const branches = local.get(t);
      return branches !== false && branches?.branches.length === 0;
    };
    if (component.every(whole)) {
      for (const t of component) predicates.set(t, 'true');
      return;
    }
    for (const t of component) {
      const within = cycle.filter((e) => e.child === t).map((e) => e.parent);
      cutBy.set(t, [...new Set([...(cutBy.get(t) ?? []), ...within])].sort(compareText));
    }
    // Tables left with no row: a NOT NULL key into one of them empties its child as well.
    const empty = new Set(component.filter((t) => local.get(t) === false));
    for (let grew = true; grew;) {
      grew = false;
      for (const e of cycle) {
        if (empty.has(e.child) || !empty.has(e.parent) || !notNull(e)) continue;
        empty.add(e.child);
        grew = true;
      }
    }
    for (const t of empty) predicates.set(t, 'false');
    if (empty.size === component.length) return;

    const walk = `us_walk_${n}`;
    const seeds = component.flatMap((t) => {
      const select = (alias: string): string => `${literal(t)}::text, ${key(alias, t)}`;
      const branches = rejectedBranches(t, outside(t), select);
      return empty.has(t) || branches === false
        ? [`SELECT ${select('')} FROM ${fromTable(table(t).table)}`]
        : branches.branches;
    });
    const uses = component.flatMap((t) => {
      const branches = local.get(t)!;
      return branches === false ? [] : branches.uses;
    });
    const edges = cycle.filter((e) => !empty.has(e.child));
    const on = (e: ForeignKeyEdge): string =>
      e.columns
        .map((c, i) => `c.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[i]!)}`)
        .join(' AND ');
    const from = (t: string, alias: string): string => `${fromTable(table(t).table)} ${alias}`;
    if (edges.length === 1) {
      // A self-reference: each step joins the rows found last to their children directly, so an
      // index on the referencing column (or one hash of the table) serves every step.
      const e = edges[0]!;
      const direct = referencedKey(e);
      const children =
        direct === undefined
          ? `JOIN ${from(e.parent, 'p')} ON d.tbl = ${literal(e.parent)} AND ${parentMatch(e)} JOIN ${from(e.child, 'c')} ON ${on(e)}`
          : `JOIN ${from(e.child, 'c')} ON d.tbl = ${literal(e.parent)} AND ${direct.map(([c, type], i) => `c.${quoteIdent(c)} = (d.k ->> ${i})::${type}`).join(' AND ')}`;
      ctes.set(walk, {
        sql: `${walk}(tbl, k) AS (${seeds.join(' UNION ')} UNION SELECT ${literal(e.child)}::text, ${key('c', e.child)} FROM ${walk} d ${children})`,
        recursive: true,
        uses,
      });
    } else {
      // Several keys: the (parent key, child key) pairs of them all are listed once, and each
      // step is one join of the rows found last to that list.
      const pairs = `us_pairs_${n}`;
      const steps = edges.map((e) => {
        const direct = referencedKey(e);
        const head = `SELECT ${literal(e.parent)}::text, `;
        const tail = `, ${literal(e.child)}::text, ${key('c', e.child)} FROM ${from(e.child, 'c')}`;
        return direct === undefined
          ? `${head}${key('p', e.parent)}${tail} JOIN ${from(e.parent, 'p')} ON ${on(e)}`
          : `${head}pg_catalog.jsonb_build_array(${direct.map(([c, type]) => `c.${quoteIdent(c)}::${type}`).join(', ')})${tail} WHERE ${direct.map(([c]) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ')}`;
      });
      ctes.set(pairs, {
        sql: `${pairs}(ptbl, pk, tbl, k) AS (${steps.join(' UNION ALL ')})`,
        recursive: false,
        uses: [],
      });
      ctes.set(walk, {
        sql: `${walk}(tbl, k) AS (${seeds.join(' UNION ')} UNION SELECT s.tbl, s.k FROM ${walk} d JOIN ${pairs} s ON s.ptbl = d.tbl AND s.pk = d.k)`,
        recursive: true,
        uses: [...uses, pairs],
      });
    }
    component.forEach((t, i) => {
      if (empty.has(t)) return;
      reject(
        t,
        `us_cut_${n}_${i}`,
        `SELECT ${selectRow('t', t)} FROM ${from(t, 't')} JOIN ${walk} w ON w.tbl = ${literal(t)} AND w.k = ${key('t', t)}`,
        [walk],
      );
    });
  });

  const why = (parent: string): string => {
    const rule = rules.get(parent);
    return rule === 'none'
      ? 'rows: none'
      : typeof rule === 'object'
        ? 'rows: where'
        : 'cut in turn';
  };
  const notes = [...cutBy]
    .filter(([t]) => rules.get(t) !== 'none')
    .sort(([a], [b]) => compareText(a, b))
    .map(([t, parents]) => {
      const list = parents.map((p) => `${p} (${why(p)})`).join(', ');
      return predicates.get(t) === 'false'
        ? `cut ${t} to no rows: it references ${list}`
        : `cut ${t} to rows whose references are copied: ${list}`;
    });

  const rejected = (tables: Iterable<string>): string[] => {
    const cut = [...new Set(tables)].flatMap((t) => {
      const name = rejectedOf.get(t);
      return name === undefined ? [] : [[t, name] as const];
    });
    if (cut.length === 0) return [];
    const union = cut.map(([t, name]) => `SELECT ${literal(t)}::text, k FROM ${name}`);
    return [
      ...definitions(cut.map(([, name]) => name)).map(([, cte]) => cte.sql),
      `us_rejected(tbl, k) AS (${union.join(' UNION ALL ')})`,
    ];
  };
  return { predicates, rejected, notes };
}
