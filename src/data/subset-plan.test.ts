import { describe, expect, it } from 'vitest';
import type { Column, Constraint, SchemaModel, Table } from '../postgres/schema-model.js';
import { buildForeignKeyGraph, loadOrder } from './subset-graph.js';
import { planSubset } from './subset-plan.js';

const column = (name: string): Column =>
  ({
    name,
    type: 'integer',
    notNull: true,
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
    expect(plan.filters.get('app.audit')).toContain('EXISTS');
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
