/**
 * The foreign-key graph of a schema model, pure: which table references which, by which
 * columns, and each table's row identity (its primary key, else a unique key of NOT NULL
 * columns). The subset planner walks it; the copy orders tables by it.
 */
import {
  compareText,
  formatName,
  type Column,
  type SchemaModel,
  type Table,
} from '../postgres/schema-model.js';

/** One foreign key: `child(columns)` references `parent(parentColumns)`. */
export interface ForeignKeyEdge {
  readonly constraint: string;
  readonly child: string;
  readonly columns: readonly string[];
  readonly parent: string;
  readonly parentColumns: readonly string[];
}

/** A table of the graph with the columns that identify its rows, if any. */
export interface GraphTable {
  readonly name: string;
  readonly table: Table;
  /** Primary key columns, else the first unique key whose columns are all NOT NULL. */
  readonly identity: readonly Column[] | undefined;
  /** Whether `identity` is the primary key. */
  readonly hasPrimaryKey: boolean;
}

/** Tables by `schema.name` and every foreign key between them. */
export interface ForeignKeyGraph {
  readonly tables: ReadonlyMap<string, GraphTable>;
  readonly edges: readonly ForeignKeyEdge[];
}

function identityOf(table: Table): { columns: readonly Column[] | undefined; primary: boolean } {
  const column = (name: string): Column | undefined => table.columns.find((c) => c.name === name);
  const pick = (names: readonly string[]): Column[] | undefined => {
    const columns = names.map(column);
    return columns.every((c): c is Column => c !== undefined) && columns.length > 0
      ? columns
      : undefined;
  };
  const primary = table.constraints.find((c) => c.kind === 'primary key');
  if (primary !== undefined) return { columns: pick(primary.columns), primary: true };
  for (const unique of table.constraints.filter((c) => c.kind === 'unique')) {
    const columns = pick(unique.columns);
    if (columns?.every((c) => c.notNull) === true) return { columns, primary: false };
  }
  return { columns: undefined, primary: false };
}

/**
 * The graph of the model's tables (partitions are reached through their parent and left out) and
 * their foreign keys, in a stable order.
 */
export function buildForeignKeyGraph(model: SchemaModel): ForeignKeyGraph {
  const tables = new Map<string, GraphTable>();
  const edges: ForeignKeyEdge[] = [];
  for (const table of model.tables.filter((t) => t.partitionOf === null)) {
    const { columns, primary } = identityOf(table);
    tables.set(formatName(table), {
      name: formatName(table),
      table,
      identity: columns,
      hasPrimaryKey: primary,
    });
  }
  for (const t of tables.values()) {
    for (const c of t.table.constraints) {
      if (c.kind !== 'foreign key' || c.references === null) continue;
      const parent = formatName(c.references.table);
      if (!tables.has(parent)) continue;
      edges.push({
        constraint: c.name,
        child: t.name,
        columns: c.columns,
        parent,
        parentColumns: c.references.columns,
      });
    }
  }
  edges.sort((a, b) => compareText(a.child, b.child) || compareText(a.constraint, b.constraint));
  return { tables, edges };
}

/** Tables reachable from `start` (included) by following `next`. */
export function reachable(
  start: Iterable<string>,
  next: (table: string) => Iterable<string>,
): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...seen];
  for (let table = queue.shift(); table !== undefined; table = queue.shift()) {
    for (const t of next(table)) {
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return seen;
}

/**
 * Tables in load order: parents before children. Self-references do not count; tables in a
 * cycle come last, sorted, and are returned in `cyclic` so the loader can defer their keys.
 */
export function loadOrder(graph: ForeignKeyGraph): { order: string[]; cyclic: string[] } {
  const pending = new Map<string, Set<string>>();
  for (const name of graph.tables.keys()) pending.set(name, new Set());
  for (const e of graph.edges) if (e.child !== e.parent) pending.get(e.child)?.add(e.parent);
  const order: string[] = [];
  for (;;) {
    const ready = [...pending].filter(([, parents]) => parents.size === 0).map(([n]) => n);
    if (ready.length === 0) break;
    ready.sort(compareText);
    for (const name of ready) {
      order.push(name);
      pending.delete(name);
      for (const parents of pending.values()) parents.delete(name);
    }
  }
  const cyclic = [...pending.keys()].sort(compareText);
  return { order: [...order, ...cyclic], cyclic };
}

/**
 * The graph's strongly connected components (Tarjan, iterative), parents before children: a
 * table alone, or the tables of one foreign-key cycle together, each sorted.
 */
export function components(graph: ForeignKeyGraph): string[][] {
  const parents = new Map<string, string[]>();
  for (const name of graph.tables.keys()) parents.set(name, []);
  for (const e of graph.edges) parents.get(e.child)?.push(e.parent);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (table: string): void => {
    index.set(table, index.size);
    low.set(table, index.get(table)!);
    stack.push(table);
    onStack.add(table);
  };
  for (const start of [...graph.tables.keys()].sort(compareText)) {
    if (index.has(start)) continue;
    visit(start);
    const work = [{ table: start, next: 0 }];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const next = parents.get(top.table)![top.next++];
      if (next !== undefined) {
        if (!index.has(next)) {
          visit(next);
          work.push({ table: next, next: 0 });
        } else if (onStack.has(next))
          low.set(top.table, Math.min(low.get(top.table)!, index.get(next)!));
        continue;
      }
      work.pop();
      const caller = work[work.length - 1];
      if (caller !== undefined)
        low.set(caller.table, Math.min(low.get(caller.table)!, low.get(top.table)!));
      if (low.get(top.table) === index.get(top.table)) {
        const component: string[] = [];
        for (let t = stack.pop(); t !== undefined; t = t === top.table ? undefined : stack.pop()) {
          onStack.delete(t);
          component.push(t);
        }
        out.push(component.sort(compareText));
      }
    }
  }
  return out;
}
