import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfigText } from '../../src/config/config-validate.js';
import { planSync, type Finding } from '../../src/data/plan-sync.js';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import { connect } from '../../src/postgres/connection.js';
import type { SchemaModel } from '../../src/postgres/schema-model.js';
import { createNorthwind, usePostgres } from '../harness/postgres.js';

function dataConfig(tables: string) {
  const text = `project: shop
environments:
  production: { database: postgres://p/db, protected: true }
  staging: { database: postgres://s/db }
data:
  key: 0123456789abcdef0123
  tables:
${tables}`;
  const result = validateConfigText(text, { file: 'understudy.yaml', env: {} });
  if (result.config?.data === undefined) throw new Error(JSON.stringify(result.errors));
  return result.config.data;
}

const noMisfits = () => undefined;

describe('planSync on Northwind', () => {
  const pg = usePostgres();
  let model: SchemaModel;
  beforeAll(async () => {
    const client = await connect(await createNorthwind(pg()));
    try {
      model = await readSchemaModel(client);
    } finally {
      await client.end();
    }
  });

  it('plans every table with its maskers, kept columns and row rules', () => {
    const plan = planSync({
      model,
      data: dataConfig(`    public.customers:
      columns: { contact_name: full_name, phone: phone, fax: { keep: "fax numbers are the company switchboard" } }
    public.customer_demographics: { rows: none }
    public.orders: { rows: { where: "order_date >= '1998-01-01'" } }
`),
      findings: [],
      fitProblem: noMisfits,
    });
    expect(plan.problems).toEqual([]);
    expect(plan.tables).toHaveLength(14);
    const customers = plan.tables.find((t) => t.name === 'customers');
    expect(
      customers?.masks.map((m) => [m.column, m.spec.masker, m.info.type, m.info.unique]),
    ).toEqual([
      ['contact_name', 'full_name', 'character varying(30)', false],
      ['phone', 'phone', 'character varying(24)', false],
    ]);
    expect(customers?.masks[1]?.info.maxLength).toBe(24);
    expect(customers?.kept).toEqual([
      { column: 'fax', reason: 'fax numbers are the company switchboard' },
    ]);
    expect(plan.tables.find((t) => t.name === 'customer_demographics')?.rows).toBe('none');
    expect(plan.tables.find((t) => t.name === 'orders')?.rows).toEqual({
      where: "order_date >= '1998-01-01'",
    });
  });

  it('fails closed: personal data the scan found without a rule is a problem naming the column', () => {
    const findings: Finding[] = [
      {
        table: 'public.customers',
        column: 'contact_name',
        kind: 'person name',
        confidence: 0.9,
        suggested: 'full_name',
      },
      {
        table: 'public.employees',
        column: 'home_phone',
        kind: 'phone',
        confidence: 0.95,
        suggested: 'phone',
      },
      {
        table: 'public.customer_demographics',
        column: 'customer_desc',
        kind: 'free text',
        confidence: 0.6,
        suggested: 'redact_text',
      },
    ];
    const plan = planSync({
      model,
      data: dataConfig(
        `    public.customers: { columns: { contact_name: full_name } }\n    public.customer_demographics: { rows: none }\n`,
      ),
      findings,
      fitProblem: noMisfits,
    });
    expect(plan.unprotected.map((f) => `${f.table}.${f.column}`)).toEqual([
      'public.employees.home_phone',
    ]);
    expect(plan.problems).toEqual([
      {
        path: 'data.tables["public.employees"].columns.home_phone',
        message:
          'looks like phone (95 %) but has no masker: add "home_phone: phone", or "{ keep: <reason> }"',
      },
    ]);
  });

  it('names unknown tables and columns, and maskers that do not fit', () => {
    const plan = planSync({
      model,
      data: dataConfig(`    public.custmers: { columns: { email: email } }
    public.customers: { columns: { emial: email, postal_code: date_shift } }
`),
      findings: [],
      fitProblem: (spec, column) =>
        spec.masker === 'date_shift' && column.baseType !== 'date'
          ? 'date_shift needs a date or timestamp column'
          : undefined,
    });
    expect(plan.problems.map((p) => p.message)).toEqual([
      'the source has no table public.custmers',
      'public.customers has no column "emial"',
      'date_shift cannot mask public.customers.postal_code (character varying(10)): date_shift needs a date or timestamp column',
    ]);
  });
});
