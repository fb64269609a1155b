import { describe, expect, it } from 'vitest';
import type { Difference } from './drift.js';
import {
  type PendingMigration,
  diffMigrations,
  explainWithMigrations,
  words,
} from './migrations-diff.js';
import type { MigrationHistory, MigrationTool } from './migrations-read.js';

function history(
  tool: MigrationTool,
  ids: string[],
  extra: Partial<MigrationHistory> = {},
): MigrationHistory {
  return {
    tool,
    table: { schema: 'public', name: `${tool}_table` },
    headOnly: false,
    dirty: false,
    applied: ids.map((id) => ({ id, text: id })),
    ...extra,
  };
}

const staging = (...histories: MigrationHistory[]) => ({ name: 'staging', histories });
const production = (...histories: MigrationHistory[]) => ({ name: 'production', histories });

function difference(path: string, extra: Partial<Difference> = {}): Difference {
  return { probe: 'schema', path, kind: 'extra', severity: 'notice', ...extra };
}

function pending(text: string, extra: Partial<PendingMigration> = {}): PendingMigration {
  return {
    tool: 'prisma',
    id: text,
    text,
    appliedIn: 'staging',
    lackingIn: 'production',
    ...extra,
  };
}

describe('diffMigrations', () => {
  it('reports migrations each side lacks, as notices with a note naming the environments', () => {
    const result = diffMigrations(
      staging(history('prisma', ['001_init', '003_add_total_to_orders'])),
      production(history('prisma', ['001_init', '002_add_customers'])),
    );
    expect(result.differences).toEqual([
      {
        probe: 'schema',
        path: 'schema:migrations.prisma.002_add_customers',
        kind: 'missing',
        severity: 'notice',
        againstValue: 'applied',
        note: 'applied in production, not in staging',
      },
      {
        probe: 'schema',
        path: 'schema:migrations.prisma.003_add_total_to_orders',
        kind: 'extra',
        severity: 'notice',
        envValue: 'applied',
        note: 'applied in staging, not in production',
      },
    ]);
    expect(result.compared).toBe(3);
    expect(result.pending.map((p) => [p.id, p.appliedIn, p.lackingIn])).toEqual([
      ['002_add_customers', 'production', 'staging'],
      ['003_add_total_to_orders', 'staging', 'production'],
    ]);
    expect(result.facts).toEqual([
      { tool: 'prisma', table: 'public.prisma_table', env: 2, against: 2 },
    ]);
  });

  it('shows a description that says more than the id', () => {
    const flyway = (text: string): MigrationHistory => ({
      ...history('flyway', []),
      applied: [{ id: '2', text }],
    });
    const { differences } = diffMigrations(
      staging(flyway('add total V2__add_total.sql')),
      production(),
    );
    expect(differences).toEqual([]);
    const both = diffMigrations(
      staging(flyway('add total V2__add_total.sql')),
      production(history('flyway', [])),
    );
    expect(both.differences[0]?.envValue).toBe('add total V2__add_total.sql');
  });

  it('reports nothing per migration when only one side has the history table', () => {
    const result = diffMigrations(staging(history('knex', ['a', 'b'])), production());
    expect(result.differences).toEqual([]);
    expect(result.facts).toEqual([
      { tool: 'knex', table: 'public.knex_table', env: 2, against: null },
    ]);
  });

  it('compares heads for head-only tools and says so', () => {
    const alembic = (head: string): MigrationHistory =>
      history('alembic', [head], { headOnly: true });
    const { differences } = diffMigrations(
      staging(alembic('ae1027a6')),
      production(alembic('1975ea83')),
    );
    expect(differences.map((d) => [d.path, d.kind])).toEqual([
      ['schema:migrations.alembic.1975ea83', 'missing'],
      ['schema:migrations.alembic.ae1027a6', 'extra'],
    ]);
    expect(differences[0]?.note).toBe(
      'alembic keeps only its current version: staging is at ae1027a6, production at 1975ea83',
    );
  });

  it('reports a dirty golang-migrate version at the same head', () => {
    const migrate = (dirty: boolean): MigrationHistory =>
      history('golang-migrate', ['20240101'], { headOnly: true, dirty });
    const { differences } = diffMigrations(staging(migrate(true)), production(migrate(false)));
    expect(differences).toEqual([
      expect.objectContaining({
        path: 'schema:migrations.golang-migrate.20240101',
        kind: 'changed',
        envValue: 'dirty',
        againstValue: 'applied',
      }),
    ]);
  });

  it('names the table when one tool keeps histories in several schemas', () => {
    const inSchema = (schema: string, ids: string[]): MigrationHistory => ({
      ...history('knex', ids),
      table: { schema, name: 'knex_migrations' },
    });
    const { differences } = diffMigrations(
      staging(inSchema('a', ['1']), inSchema('b', [])),
      production(inSchema('a', []), inSchema('b', [])),
    );
    expect(differences.map((d) => d.path)).toEqual(['schema:migrations.knex(a.knex_migrations).1']);
  });
});

describe('words', () => {
  it('splits snake_case, kebab-case, camelCase and digits', () => {
    expect(words('20240101120000_add_total_to_orders')).toEqual([
      '20240101120000',
      'add',
      'total',
      'to',
      'orders',
    ]);
    expect(words('AddTotalToOrderLines1704110400000')).toEqual([
      'add',
      'total',
      'to',
      'order',
      'lines',
      '1704110400000',
    ]);
    expect(words('V2__add-HTMLBody.sql')).toEqual(['v', '2', 'add', 'html', 'body', 'sql']);
  });
});

describe('explainWithMigrations', () => {
  const total = difference('schema:public.orders.columns.total');

  it('explains a column difference when the migration names its table and column', () => {
    const [explained] = explainWithMigrations(
      [total],
      [pending('20240101120000_add_total_to_orders')],
    );
    expect(explained?.explainedBy).toBe(
      'prisma migration 20240101120000_add_total_to_orders, applied in staging but not in production',
    );
  });

  it('does not explain a column of another table, or a column it does not name', () => {
    const migration = pending('20240101120000_add_total_to_orders');
    const [customers, note] = explainWithMigrations(
      [
        difference('schema:public.customers.columns.total'),
        difference('schema:public.orders.columns.note'),
      ],
      [migration],
    );
    expect(customers?.explainedBy).toBeUndefined();
    expect(note?.explainedBy).toBeUndefined();
  });

  it('needs whole words in a row: no partial names', () => {
    const [a, b] = explainWithMigrations(
      [
        difference('schema:public.order_lines.columns.total'),
        difference('schema:public.orders.columns.total'),
      ],
      [pending('AddTotalToLinesOfOrder'), pending('add_totals_to_order')],
    );
    expect(a?.explainedBy).toBeUndefined();
    expect(b?.explainedBy).toBeUndefined();
  });

  it('explains tables, constraints, triggers and indexes by their table', () => {
    const [table, constraint, index, other] = explainWithMigrations(
      [
        difference('schema:public.order_lines', { kind: 'missing' }),
        difference('schema:public.order_lines.constraints.order_lines_pkey'),
        difference('schema:public.lines_sku_idx', {
          envValue: 'CREATE INDEX lines_sku_idx ON public.order_lines USING btree (sku)',
        }),
        difference('schema:public.orders'),
      ],
      [
        pending('CreateOrderLines', {
          tool: 'typeorm',
          appliedIn: 'production',
          lackingIn: 'staging',
        }),
      ],
    );
    expect(table?.explainedBy).toBe(
      'typeorm migration CreateOrderLines, applied in production but not in staging',
    );
    expect(constraint?.explainedBy).toBeDefined();
    expect(index?.explainedBy).toBeDefined();
    expect(other?.explainedBy).toBeUndefined();
  });

  it('never explains migration differences, and skips tools that store no names', () => {
    const result = explainWithMigrations(
      [difference('schema:migrations.prisma.add_total_to_orders'), total],
      [pending('', { tool: 'rails', id: '20240101' })],
    );
    expect(result.every((d) => d.explainedBy === undefined)).toBe(true);
    const named = explainWithMigrations(
      [difference('schema:migrations.prisma.add_total_to_orders')],
      [pending('add_total_to_orders')],
    );
    expect(named[0]?.explainedBy).toBeUndefined();
  });

  it('mentions further matches', () => {
    const [explained] = explainWithMigrations(
      [total],
      [pending('add_total_to_orders'), pending('fix_total_on_orders')],
    );
    expect(explained?.explainedBy).toMatch(/add_total_to_orders.*\(and 1 more\)$/);
  });
});
