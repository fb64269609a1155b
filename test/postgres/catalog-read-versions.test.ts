import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import { connect } from '../../src/postgres/connection.js';
import { binariesAvailable } from '../../src/postgres/local-server.js';
import {
  type SchemaModel,
  type View,
  serializeSchemaModel,
} from '../../src/postgres/schema-model.js';
import { type TestServer, readFixture, startPostgres } from '../harness/postgres.js';

async function readFixtureModel(
  server: TestServer,
): Promise<{ model: SchemaModel; version: number }> {
  const url = await server.createDatabase();
  await server.exec(url, await readFixture('every-kind.sql'));
  const client = await connect(url);
  try {
    const { rows } = await client.query<{ v: string }>(
      "SELECT current_setting('server_version_num') AS v",
    );
    return {
      model: await readSchemaModel(client),
      version: Math.floor(Number(rows[0]?.v) / 10_000),
    };
  } finally {
    await client.end();
  }
}

/**
 * View definitions are PostgreSQL's own deparse, and it changed in 16: a column of a query over
 * one relation is no longer qualified (`placed_on`, not `o.placed_on`). Nothing in the catalog
 * gives the older text back, so across major versions they are compared without qualifiers.
 */
function withUnqualifiedViews(model: SchemaModel): SchemaModel {
  const unqualify = (view: View): View => ({
    ...view,
    definition: view.definition.replace(/\b[a-z_][a-z0-9_]*\./g, ''),
  });
  return {
    ...model,
    views: model.views.map(unqualify),
    materializedViews: model.materializedViews.map(unqualify),
  };
}

describe.skipIf(!binariesAvailable('system'))('the schema model on the system PostgreSQL', () => {
  let embedded: TestServer | undefined;
  let system: TestServer | undefined;
  beforeAll(async () => {
    [embedded, system] = await Promise.all([
      startPostgres({ binaries: 'embedded' }),
      startPostgres({ binaries: 'system' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([embedded?.stop(), system?.stop()]);
  });

  it('is the same as on the embedded PostgreSQL for every-kind.sql', async () => {
    const [a, b] = await Promise.all([readFixtureModel(embedded!), readFixtureModel(system!)]);
    const sameMajor = a.version === b.version;
    const normalise = sameMajor ? (m: SchemaModel) => m : withUnqualifiedViews;
    expect(
      serializeSchemaModel(normalise(b.model)),
      `PostgreSQL ${b.version} against ${a.version}`,
    ).toBe(serializeSchemaModel(normalise(a.model)));
    // Everything but view text matches exactly, hashes of function and trigger definitions included.
    expect(serializeSchemaModel({ ...b.model, views: [], materializedViews: [] })).toBe(
      serializeSchemaModel({ ...a.model, views: [], materializedViews: [] }),
    );
  });
});
