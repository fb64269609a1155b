import { describe, expect, it } from 'vitest';
import { runSync } from '../../src/data/sync-run.js';
import type { SyncProgressEvent } from '../../src/data/sync-plan-types.js';
import { usePostgres } from '../harness/postgres.js';
import {
  createSource,
  modelText,
  syncDatabases,
  tableText,
  tables,
  testOptions,
} from './sync-helpers.js';

const pg = usePostgres();

describe('runSync', () => {
  it('copies every table, type and object so the target equals the source', async () => {
    const source = await createSource(pg());
    const target = pg().urlFor('copy_plain');
    const events: SyncProgressEvent[] = [];
    const result = await runSync(
      { source: { url: source }, target: { url: target } },
      testOptions({ onProgress: (e) => events.push(e) }),
    );
    for (const table of tables) {
      expect(await tableText(pg(), target, table), table).toBe(
        await tableText(pg(), source, table),
      );
    }
    expect(await modelText(target)).toBe(await modelText(source));
    expect(result.tables.find((t) => t.table === 'app.orders')).toMatchObject({
      rowsRead: 3000,
      rowsWritten: 3000,
    });
    expect(result.tables.find((t) => t.table === 'app.notes')?.chunks).toBeGreaterThan(1);
    expect(result.totals.rowsWritten).toBe(300 + 3000 + 2000 + 400);
    expect(result.template).toBe(`copy_plain__us_template_${result.runId}`);
    expect(await syncDatabases(pg(), 'copy_plain')).toEqual([result.template]);
    expect(events.filter((e) => e.type === 'phase').map((e) => e.phase)).toEqual([
      'snapshot',
      'pre-data',
      'load',
      'post-data',
      'sequences',
      'analyze',
      'template',
      'swap',
      'done',
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'table', table: 'app.orders', done: true }),
    );

    // Sequences and identities continue after the data; the trigger works on the copy.
    const [next] = await pg().query<{ c: string; o: number; n: number; e: string; num: number }>(
      target,
      `WITH c AS (INSERT INTO app.customers (email) VALUES ('new@example.org') RETURNING id),
            o AS (INSERT INTO app.orders (customer_id) VALUES (100) RETURNING id, number),
            n AS (INSERT INTO app.notes (body) VALUES ('x') RETURNING id),
            e AS (INSERT INTO app.events (happened_at, kind) VALUES (now(), 'k') RETURNING id)
       SELECT (SELECT id FROM c) AS c, (SELECT id FROM o) AS o, (SELECT number FROM o) AS num,
              (SELECT id FROM n) AS n, (SELECT id FROM e) AS e`,
    );
    expect(next).toEqual({
      c: String(100 + 5 * 300),
      o: 3001,
      num: 1000 + 10 * 3000,
      n: 2501,
      e: '401',
    });
    await pg().exec(target, 'UPDATE app.orders SET ratio = 0 WHERE id = 1');
    const [touched] = await pg().query<{ u: Date }>(
      target,
      'SELECT updated_at AS u FROM app.orders WHERE id = 1',
    );
    expect(touched?.u.toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });

  it('masks the chosen columns and leaves every other byte alone', async () => {
    const source = await createSource(pg());
    const target = pg().urlFor('copy_masked');
    const result = await runSync(
      {
        source: { url: source },
        target: { url: target },
        tables: [
          {
            schema: 'app',
            name: 'customers',
            rows: 'all',
            masks: [
              { column: 'email', spec: { masker: 'email' } },
              { column: 'notes', spec: { masker: 'full_name' } },
              { column: 'tags', spec: { masker: 'full_name' } },
            ],
          },
          {
            schema: 'app',
            name: 'notes',
            rows: 'all',
            masks: [{ column: 'body', spec: { masker: 'full_name' } }],
          },
          { schema: 'app', name: 'events_default', rows: 'none', masks: [] },
          { schema: 'app', name: 'orders', rows: { where: 'id <= 1000' }, masks: [] },
        ],
      },
      testOptions({ keepTemplate: false }),
    );
    expect(result.template).toBeNull();
    const unmasked =
      'id, first_name, last_name, full_name, mood, home, scores, profile, raw, avatar, uid, created_at';
    const text = async (url: string, columns: string): Promise<string[]> =>
      (
        await pg().query<{ t: string }>(
          url,
          `SELECT (${columns})::text AS t FROM app.customers ORDER BY id`,
        )
      ).map((r) => r.t);
    expect(await text(target, `ROW(${unmasked})`)).toEqual(await text(source, `ROW(${unmasked})`));
    const masked = await pg().query<{ email: string; notes: string | null; tags: string[] }>(
      target,
      'SELECT email::text, notes, tags FROM app.customers ORDER BY id',
    );
    const original = await pg().query<{ email: string; notes: string | null; tags: string[] }>(
      source,
      'SELECT email::text, notes, tags FROM app.customers ORDER BY id',
    );
    expect(masked).toHaveLength(300);
    masked.forEach((row, i) => {
      const before = original[i];
      expect(row.email).toMatch(/^[0-9a-f]{16}@example\.com$/);
      expect(row.notes).toBe(before?.notes == null ? null : before.notes.toUpperCase());
      expect(row.tags).toEqual(before?.tags.map((t) => (t === null ? null : t.toUpperCase())));
    });
    expect(new Set(masked.map((r) => r.email)).size).toBe(300);
    const [notes] = await pg().query<{ n: string; upper: boolean }>(
      target,
      'SELECT count(*) AS n, bool_and(body = upper(body)) AS upper FROM app.notes',
    );
    expect(notes).toEqual({ n: '2000', upper: true });
    const [counts] = await pg().query<{ o: string; e: string }>(
      target,
      'SELECT (SELECT count(*) FROM app.orders) AS o, (SELECT count(*) FROM app.events_default) AS e',
    );
    expect(counts).toEqual({ o: '1000', e: '0' });
    expect(result.tables.find((t) => t.table === 'app.customers')?.maskedColumns).toEqual([
      'email',
      'notes',
      'tags',
    ]);
  });

  it('masks on the main thread too, with the same result', async () => {
    const source = await createSource(pg());
    const plan = (target: string) => ({
      source: { url: source },
      target: { url: pg().urlFor(target) },
      tables: [
        {
          schema: 'app',
          name: 'customers',
          rows: 'all' as const,
          masks: [{ column: 'email', spec: { masker: 'email' as const } }],
        },
      ],
    });
    await runSync(plan('mask_inline'), testOptions({ maskThreads: 0, keepTemplate: false }));
    await runSync(plan('mask_threads'), testOptions({ maskThreads: 2, keepTemplate: false }));
    expect(await tableText(pg(), pg().urlFor('mask_inline'), 'app.customers')).toBe(
      await tableText(pg(), pg().urlFor('mask_threads'), 'app.customers'),
    );
  });

  it('replaces the data atomically while readers keep reading', async () => {
    const source = await createSource(pg());
    const target = pg().urlFor('copy_atomic');
    await runSync({ source: { url: source }, target: { url: target } }, testOptions());
    await pg().exec(
      source,
      "DELETE FROM app.customers WHERE id > 600; INSERT INTO app.notes (body) VALUES ('new')",
    );
    const [expected] = await pg().query<{ pair: string }>(
      source,
      "SELECT (SELECT count(*) FROM app.customers) || '/' || (SELECT count(*) FROM app.orders) AS pair",
    );
    const seen = new Set<string>();
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          const [row] = await pg().query<{ pair: string }>(
            target,
            "SELECT (SELECT count(*) FROM app.customers) || '/' || (SELECT count(*) FROM app.orders) AS pair",
          );
          if (row !== undefined) seen.add(row.pair);
        } catch {
          // Sessions are ended at the swap; a reader reconnects.
        }
      }
    })();
    const second = await runSync(
      { source: { url: source }, target: { url: target } },
      testOptions(),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    reading = false;
    await reader;
    expect([...seen].sort()).toEqual(['300/3000', expected?.pair].sort());
    expect(await syncDatabases(pg(), 'copy_atomic')).toEqual([second.template]);
  });

  it('refuses a target that is the source, and names an unreachable target', async () => {
    const source = await createSource(pg());
    await expect(
      runSync({ source: { url: source }, target: { url: source } }, testOptions()),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
    });
    const closed = source.replace(/:\d+\//, ':1/');
    await expect(
      runSync({ source: { url: source }, target: { url: closed } }, testOptions()),
    ).rejects.toMatchObject({
      code: 'E_UNREACHABLE',
      message: expect.stringContaining('target server') as unknown,
    });
    await expect(
      runSync({ source: { url: closed }, target: { url: source } }, testOptions()),
    ).rejects.toMatchObject({
      code: 'E_UNREACHABLE',
      message: expect.stringContaining('source database') as unknown,
    });
  });

  it('drops its new database and leaves the target alone when the copy fails', async () => {
    const source = await createSource(pg());
    const target = pg().urlFor('copy_failing');
    await runSync(
      { source: { url: source }, target: { url: target } },
      testOptions({ keepTemplate: false }),
    );
    const before = await tableText(pg(), target, 'app.customers');
    const bad = testOptions({ maskerModule: '/nonexistent/masker.mjs' });
    await expect(
      runSync(
        {
          source: { url: source },
          target: { url: target },
          tables: [
            {
              schema: 'app',
              name: 'customers',
              rows: 'all',
              masks: [{ column: 'email', spec: { masker: 'email' } }],
            },
          ],
        },
        bad,
      ),
    ).rejects.toMatchObject({ code: 'E_OPERATION' });
    expect(await tableText(pg(), target, 'app.customers')).toBe(before);
    expect(await syncDatabases(pg(), 'copy_failing')).toEqual([]);
  });
});
