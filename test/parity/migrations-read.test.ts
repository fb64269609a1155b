/** Recognising and reading every supported migration tool's history table in a real database. */
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/postgres/connection.js';
import {
  type MigrationHistory,
  readMigrationHistories,
  recognizeMigrationTable,
} from '../../src/parity/migrations-read.js';
import { readFixture, usePostgres } from '../harness/postgres.js';

const pg = usePostgres();

async function histories(sql: string): Promise<MigrationHistory[]> {
  const url = await pg().createDatabase();
  await pg().exec(url, sql);
  const client = await connect(url);
  try {
    return await readMigrationHistories(client);
  } finally {
    await client.end();
  }
}

describe('readMigrationHistories', () => {
  it('recognises every tool by table name and shape, and reads only applied migrations', async () => {
    const found = await histories(await readFixture('parity/migration-tables.sql'));
    const summary = found.map((h) => ({
      tool: h.tool,
      table: `${h.table.schema}.${h.table.name}`,
      ids: h.applied.map((m) => m.id),
      ...(h.headOnly ? { headOnly: true } : {}),
      ...(h.dirty ? { dirty: true } : {}),
    }));
    expect(summary).toEqual([
      {
        tool: 'knex',
        table: 'knex.knex_migrations',
        ids: ['20240101_create_orders.js', '20240102_add_total.js'],
      },
      {
        tool: 'golang-migrate',
        table: 'migrate.schema_migrations',
        ids: ['3'],
        headOnly: true,
        dirty: true,
      },
      { tool: 'sequelize', table: 'public.SequelizeMeta', ids: ['20240101-create-orders.js'] },
      {
        tool: 'prisma',
        table: 'public._prisma_migrations',
        ids: ['20240101000000_init', '20240104000000_retried'],
      },
      { tool: 'alembic', table: 'public.alembic_version', ids: ['ae1027a6acf'], headOnly: true },
      {
        tool: 'liquibase',
        table: 'public.databasechangelog',
        ids: ['db/changelog.xml::add-total::bob', 'db/changelog.xml::create-orders::alice'],
      },
      {
        tool: 'django',
        table: 'public.django_migrations',
        ids: ['shop.0001_initial', 'shop.0002_order_total'],
      },
      { tool: 'flyway', table: 'public.flyway_schema_history', ids: ['1', 'R__views.sql'] },
      { tool: 'goose', table: 'public.goose_db_version', ids: ['1', '3'] },
      {
        tool: 'rails',
        table: 'rails.schema_migrations',
        ids: ['20240101000000', '20240102000000'],
      },
      { tool: 'typeorm', table: 'typeorm.migrations', ids: ['CreateOrders1704067200000'] },
    ]);
  });

  it('keeps the names and descriptions that explain schema differences', async () => {
    const found = await histories(await readFixture('parity/migration-tables.sql'));
    const texts = (tool: string): string[] =>
      found.find((h) => h.tool === tool)?.applied.map((m) => m.text) ?? [];
    expect(texts('flyway')).toEqual(['create orders V1__create_orders.sql', 'views R__views.sql']);
    expect(texts('liquibase')).toEqual([
      'add-total addColumn tableName=orders',
      'create-orders createTable tableName=orders',
    ]);
    expect(texts('django')).toEqual(['shop 0001_initial', 'shop 0002_order_total']);
    expect(texts('rails')).toEqual(['', '']);
  });

  it('finds nothing in a database without a migration tool', async () => {
    expect(
      await histories('CREATE TABLE migrations (id serial, migration text, batch int)'),
    ).toEqual([]);
  });
});

describe('recognizeMigrationTable', () => {
  it('tells Rails from golang-migrate by the shape of schema_migrations', () => {
    expect(recognizeMigrationTable('schema_migrations', { version: 'character varying' })).toBe(
      'rails',
    );
    expect(
      recognizeMigrationTable('schema_migrations', { version: 'bigint', dirty: 'boolean' }),
    ).toBe('golang-migrate');
    expect(recognizeMigrationTable('schema_migrations', { id: 'integer' })).toBeUndefined();
  });
});
