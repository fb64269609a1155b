import { describe, expect, it } from 'vitest';
import type { Column, Constraint, SchemaModel, Table } from '../postgres/schema-model.js';
import { buildForeignKeyGraph, components, loadOrder } from './subset-graph.js';
import { planSubset } from './subset-plan.js';
import type { RowSelection } from './sync-plan-types.js';

/** A NOT NULL integer column; a name ending in `?` makes it nullable. */
const column = (name: string): Column =>
  ({
    name: name.replace(/\?$/, ''),
    type: 'integer',
    notNull: !name.endsWith('?'),
    default: null,
    identity: null,
    generated: null,
  }) as Column;
const pk = (cols: string[]): Constraint =>
  ({ name: 'pk', kind: 'primary key', columns: cols }) as unknown as Constraint;
const fk = (name: string, col: string, parent: string): Constraint =>
  ({
    name,
    kind: 'foreign key',
    columns: [col],
    references: { table: { schema: 'app', name: parent }, columns: ['id'] },
  }) as unknown as Constraint;
const table = (name: string, cols: string[], constraints: Constraint[]): Table =>
  ({
    schema: 'app',
    name,
    kind: 'table',
    partitionOf: null,
    columns: cols.map(column),
    constraints,
  }) as unknown as Table;
const model = (tables: Table[]): SchemaModel => ({ tables }) as unknown as SchemaModel;

// users ← orders ← lines → products; teams ↔ users (cycle); tags unrelated; audit without a key.
const shop = model([
  table('users', ['id', 'team_id'], [pk(['id']), fk('users_team', 'team_id', 'teams')]),
  table('teams', ['id', 'lead_id'], [pk(['id']), fk('teams_lead', 'lead_id', 'users')]),
  table('orders', ['id', 'user_id'], [pk(['id']), fk('orders_user', 'user_id', 'users')]),
  table(
    'lines',
    ['id', 'order_id', 'product_id'],
    [
      pk(['id']),
      fk('lines_order', 'order_id', 'orders'),
      fk('lines_product', 'product_id', 'products'),
    ],
  ),
  table('products', ['id'], [pk(['id'])]),
  table('tags', ['id'], [pk(['id'])]),
  table('audit', ['user_id'], [fk('audit_user', 'user_id', 'users')]),
]);

describe('planSubset (pure)', () => {
  it('keeps unrelated tables whole and filters the rest by the kept-rows CTE', () => {
    const plan = planSubset(shop, { root: 'app.users', percent: 10 });
    expect(plan.filters.get('app.products')).toBe('true');
    expect(plan.filters.get('app.tags')).toBe('true');
    expect(plan.filters.get('app.orders')).toContain('WITH RECURSIVE');
    expect(plan.filters.get('app.users')).toContain(
      '(pg_catalog.hashtextextended(pg_catalog.jsonb_build_array("id")::text, 0) & 2147483647) % 10000 < 1000',
    );
    expect(plan.filters.get('app.audit')).toContain(
      '("user_id") IN (SELECT "id" FROM ONLY "app"."users"',
    );
    expect(plan.notes.join('\n')).toMatch(/whole.*app\.products/);
  });

  it('is the same plan every time', () => {
    const a = planSubset(shop, { root: ['app.users'], where: 'id < 5' });
    const b = planSubset(shop, { root: ['app.users'], where: 'id < 5' });
    expect([...a.filters]).toEqual([...b.filters]);
  });

  it('without downwards, children of the root keep nothing they are not referenced for', () => {
    const plan = planSubset(shop, { root: 'app.users', percent: 10, downwards: false });
    expect(plan.filters.get('app.audit')).toBe('false');
    expect(plan.filters.get('app.orders')).not.toContain('d.tbl = \'app.users\' AND p."id"');
  });

  it('refuses bad rules', () => {
    expect(() => planSubset(shop, { root: 'app.audit', percent: 5 })).toThrow(/no primary key/);
    expect(() => planSubset(shop, { root: 'app.nope', percent: 5 })).toThrow(/not a table/);
    expect(() => planSubset(shop, { root: 'app.users' })).toThrow(/percent or where/);
    expect(() => planSubset(shop, { root: 'app.users', percent: 0 })).toThrow(/above 0/);
  });

  it('orders parents first and names the cycle', () => {
    const { order, cyclic } = loadOrder(buildForeignKeyGraph(shop));
    expect(order.indexOf('app.products')).toBeLessThan(order.indexOf('app.lines'));
    expect(cyclic).toEqual(['app.audit', 'app.lines', 'app.orders', 'app.teams', 'app.users']);
  });
});

const rules = (entries: Record<string, RowSelection>): Map<string, RowSelection> =>
  new Map(Object.entries(entries));

// demo ← link → people ← orders ← lines; people.referrer → people; notes (keyless) → orders.
const crm = model([
  table('demo', ['id'], [pk(['id'])]),
  table('people', ['id', 'referrer?'], [pk(['id']), fk('people_referrer', 'referrer', 'people')]),
  table(
    'link',
    ['person', 'demo'],
    [
      pk(['person', 'demo']),
      fk('link_person', 'person', 'people'),
      fk('link_demo', 'demo', 'demo'),
    ],
  ),
  table(
    'profiles',
    ['id', 'person', 'demo?'],
    [pk(['id']), fk('profiles_person', 'person', 'people'), fk('profiles_demo', 'demo', 'demo')],
  ),
  table('orders', ['id', 'person'], [pk(['id']), fk('orders_person', 'person', 'people')]),
  table('lines', ['id', 'order_id'], [pk(['id']), fk('lines_order', 'order_id', 'orders')]),
  table('notes', ['order_id?'], [fk('notes_order', 'order_id', 'orders')]),
  table('regions', ['id'], [pk(['id'])]),
]);

describe('planSubset with rows rules (pure)', () => {
  it('without rules or subset copies everything and says nothing', () => {
    const plan = planSubset(crm, undefined);
    expect([...plan.filters.values()].every((f) => f === 'true')).toBe(true);
    expect([...plan.rows.values()].every((r) => r === 'all')).toBe(true);
    expect(plan.notes).toEqual([]);
  });

  it('a parent with rows: none empties children with a NOT NULL key, keeps NULL references', () => {
    const plan = planSubset(crm, undefined, rules({ 'app.demo': 'none' }));
    expect(plan.rows.get('app.demo')).toBe('none');
    expect(plan.rows.get('app.link')).toBe('none');
    expect(plan.rows.get('app.profiles')).toEqual({ where: '"demo" IS NULL' });
    expect(plan.rows.get('app.people')).toBe('all');
    expect(plan.notes).toEqual([
      'cut app.link to no rows: it references app.demo (rows: none)',
      'cut app.profiles to rows whose references are copied: app.demo (rows: none)',
    ]);
  });

  it('a where rule cuts every table below it, through the self-reference too', () => {
    const plan = planSubset(crm, undefined, rules({ 'app.people': { where: "region = 'eu'" } }));
    const people = plan.filters.get('app.people')!;
    // The self-reference is walked from the rows the rule rejects, one join per step.
    expect(people).toMatch(/^pg_catalog.jsonb_build_array\("id"\) IN \(WITH RECURSIVE us_walk_/);
    expect(people).toContain(`FROM ONLY "app"."people" WHERE (region = 'eu') IS NOT TRUE UNION`);
    expect(people).toContain(
      `JOIN ONLY "app"."people" c ON d.tbl = 'app.people' AND c."referrer" = (d.k ->> 0)::integer`,
    );
    // Lower tables join to the rejected rows of their parents, set by set.
    const lines = plan.filters.get('app.lines')!;
    expect(lines).toContain('FROM ONLY "app"."orders" t JOIN us_cut_');
    expect(lines).toMatch(
      / WHERE NOT EXISTS \(SELECT 1 FROM us_cut_\d+ r WHERE r.k = pg_catalog.jsonb_build_array\(x."id"\)\)\)$/,
    );
    expect(plan.rows.get('app.regions')).toBe('all');
    expect(plan.rows.get('app.demo')).toBe('all');
    expect(plan.notes).toEqual([
      'cut app.lines to rows whose references are copied: app.orders (cut in turn)',
      'cut app.link to rows whose references are copied: app.people (rows: where)',
      'cut app.notes to rows whose references are copied: app.orders (cut in turn)',
      'cut app.orders to rows whose references are copied: app.people (rows: where)',
      'cut app.people to rows whose references are copied: app.people (rows: where)',
      'cut app.profiles to rows whose references are copied: app.people (rows: where)',
    ]);
  });

  it('writes a table cut through many paths once per statement, not once per path', () => {
    // Every table references tenants, and each the one before it: 2^n paths to tenants.
    const tables = [table('tenants', ['id'], [pk(['id'])])];
    for (let i = 1; i <= 12; i++)
      tables.push(
        table(
          `t${i}`,
          ['id', 'tenant', 'up'],
          [
            pk(['id']),
            fk(`t${i}_tenant`, 'tenant', 'tenants'),
            fk(`t${i}_up`, 'up', i === 1 ? 'tenants' : `t${i - 1}`),
          ],
        ),
      );
    const plan = planSubset(
      model(tables),
      undefined,
      rules({ 'app.tenants': { where: 'id = 1' } }),
    );
    const last = plan.filters.get('app.t12')!;
    expect(last.split('FROM ONLY "app"."tenants"').length - 1).toBe(1);
    expect(last.length).toBeLessThan(20_000);
  });

  it('empties a cycle whose NOT NULL keys lead to an empty table, and stops', () => {
    const cycle = model([
      table('a', ['id', 'b_id'], [pk(['id']), fk('a_b', 'b_id', 'b')]),
      table('b', ['id', 'a_id'], [pk(['id']), fk('b_a', 'a_id', 'a')]),
      table('c', ['id', 'a_id?'], [pk(['id']), fk('c_a', 'a_id', 'a')]),
    ]);
    const plan = planSubset(cycle, undefined, rules({ 'app.a': 'none' }));
    expect(plan.rows.get('app.b')).toBe('none');
    expect(plan.rows.get('app.c')).toEqual({ where: '"a_id" IS NULL' });
    expect(plan.notes).toContain('cut app.b to no rows: it references app.a (rows: none)');
  });

  it('with a subset, seeds and rows reached downwards must be allowed by the rules', () => {
    const plan = planSubset(
      crm,
      { root: 'app.people', where: 'id < 10' },
      rules({ 'app.people': { where: "region = 'eu'" }, 'app.demo': 'none' }),
    );
    const people = plan.filters.get('app.people')!;
    // Seeds and rows reached downwards are checked against the rejected rows, defined once.
    expect(people.match(/us_walk_\d+\(tbl, k\) AS/g)).toHaveLength(1);
    expect(people).toContain(
      `FROM ONLY "app"."people" WHERE (id < 10)) s WHERE NOT EXISTS (SELECT 1 FROM us_rejected r WHERE r.tbl = s.tbl AND r.k = s.k)`,
    );
    expect(people).toContain(
      'AS n(tbl, k) WHERE NOT EXISTS (SELECT 1 FROM us_rejected r WHERE r.tbl = n.tbl AND r.k = n.k)',
    );
    expect(plan.filters.get('app.link')).toBe('false');
    expect(plan.rows.get('app.link')).toBe('none');
    expect(people).toContain(
      `SELECT pg_catalog.jsonb_build_array("id") FROM ONLY "app"."profiles" WHERE "demo" IS NOT NULL UNION`,
    );
    expect(plan.filters.get('app.regions')).toBe('true');
    expect(plan.notes).toContain('copied whole (not related to the subset roots): app.regions');
    expect(plan.notes).toContain(
      'not subsetted (not related to the subset roots), cut by rows rules only: app.demo',
    );
  });

  it('a root with rows: none keeps nothing, and its related tables nothing either', () => {
    const plan = planSubset(
      crm,
      { root: 'app.people', percent: 50 },
      rules({ 'app.people': 'none' }),
    );
    for (const table of ['app.people', 'app.orders', 'app.lines', 'app.link', 'app.profiles'])
      expect(plan.rows.get(table), table).toBe('none');
    expect(plan.rows.get('app.demo')).toBe('all');
  });

  it("gives a partition its root's predicate, with columns left unqualified", () => {
    const partitioned = model([
      table('people', ['id'], [pk(['id'])]),
      {
        ...table('events', ['id', 'person'], [pk(['id']), fk('events_person', 'person', 'people')]),
        kind: 'partitioned table',
      },
      {
        ...table('events_2024', ['id', 'person'], []),
        kind: 'table',
        partitionOf: { parent: { schema: 'app', name: 'events' }, bound: 'DEFAULT' },
      },
    ]);
    const plan = planSubset(partitioned, undefined, rules({ 'app.people': { where: 'id > 5' } }));
    expect(plan.rows.has('app.events')).toBe(false);
    expect(plan.rows.get('app.people')).toEqual({ where: 'id > 5' });
    expect(plan.rows.get('app.events_2024')).toEqual({
      where:
        'pg_catalog.jsonb_build_array("id") IN (WITH us_cut_0(k, c1) AS (SELECT pg_catalog.jsonb_build_array("id"), "id" FROM ONLY "app"."people" WHERE (id > 5) IS NOT TRUE), us_cut_1(k) AS (SELECT pg_catalog.jsonb_build_array(t."id") FROM "app"."events" t JOIN us_cut_0 r ON r.c1 = t."person") SELECT pg_catalog.jsonb_build_array(x."id") FROM "app"."events" x WHERE NOT EXISTS (SELECT 1 FROM us_cut_1 r WHERE r.k = pg_catalog.jsonb_build_array(x."id")))',
    });
  });

  it('finds the cycles of a graph, parents first', () => {
    expect(components(buildForeignKeyGraph(shop))).toEqual([
      ['app.teams', 'app.users'],
      ['app.audit'],
      ['app.orders'],
      ['app.products'],
      ['app.lines'],
      ['app.tags'],
    ]);
  });
});
