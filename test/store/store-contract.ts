/**
 * The behaviour every state-store adapter must show, as one suite each adapter's test file runs:
 * migrations, transactions, value types, reports, refusing a newer schema, and (for stores that
 * several processes share) opening and appending to the audit log concurrently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, listAudit, verifyAudit } from '../../src/audit/audit-log.js';
import { isUnderstudyError } from '../../src/shared/errors.js';
import { migrate, migrations, schemaVersion } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/open-store.js';
import type { SqlExecutor, StoreDriver } from '../../src/store/store-port.js';

export interface StoreContractOptions {
  /** Opens the store at the same location as `store` again, as a restart or another process would. */
  reopen(store: Store): Promise<Store>;
  /** Opens only the driver at the same location, without migrating, to look at what is there. */
  reopenDriver(store: Store): Promise<StoreDriver>;
  /** Opens `count` stores on one new, empty location at the same moment (separate pools); shared stores only. */
  readonly openConcurrently?: (count: number) => Promise<readonly Store[]>;
}

async function count(db: SqlExecutor, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

/** The names of the tables in the store and the recorded migrations: what "nothing changed" compares. */
async function snapshot(db: SqlExecutor): Promise<unknown> {
  const tables = await db.query<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1',
  );
  const applied = await db.query(
    'SELECT version, name, applied_at FROM understudy_migrations ORDER BY version',
  );
  return { tables: tables.rows, applied: applied.rows };
}

async function closeAll(stores: readonly Store[]): Promise<void> {
  await Promise.all(stores.map((s) => s.close()));
}

/** Registers the store contract for one adapter; `makeStore` opens a store at a new, empty location. */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  options: StoreContractOptions,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('applies every migration on open, and none again on reopen', async () => {
      const first = await makeStore();
      expect(first.schemaVersion).toBe(schemaVersion);
      const before = await snapshot(first.driver);
      expect(before).toMatchObject({
        applied: migrations.map((m) => ({ version: m.version, name: m.name })),
      });
      await first.close();
      const again = await options.reopen(first);
      try {
        expect(await snapshot(again.driver)).toEqual(before);
        expect(await migrate(again.driver)).toEqual({ version: schemaVersion, applied: [] });
      } finally {
        await again.close();
      }
    });

    it('commits a transaction and rolls back everything when it throws', async () => {
      const reports = await count(store.driver, 'reports');
      await store.driver.transaction(async (tx) => {
        await tx.query(
          "INSERT INTO reports (kind, subject, status, body) VALUES ('t', 'a', 'ok', '{}')",
        );
        await tx.query(
          "INSERT INTO reports (kind, subject, status, body) VALUES ('t', 'b', 'ok', '{}')",
        );
      });
      expect(await count(store.driver, 'reports')).toBe(reports + 2);

      const failure = new Error('boom');
      let leaked: SqlExecutor | undefined;
      const outcome = store.driver.transaction(async (tx) => {
        leaked = tx;
        await tx.query(
          "INSERT INTO reports (kind, subject, status, body) VALUES ('t', 'c', 'ok', '{}')",
        );
        throw failure;
      });
      await expect(outcome).rejects.toBe(failure);
      expect(await count(store.driver, 'reports')).toBe(reports + 2);
      await expect(leaked?.query('SELECT 1')).rejects.toThrow(/ended/);
    });

    it('returns values the same way: int8 as text, timestamptz as Date, jsonb parsed, the last of several statements', async () => {
      const { rows } = await store.driver.query<Record<string, unknown>>(
        "SELECT 9007199254740993::int8 AS big, 7::int4 AS small, '2024-05-06T07:08:09.123Z'::timestamptz AS at, $1::jsonb AS doc, true AS yes",
        [JSON.stringify({ b: [1, 'x'], a: null })],
      );
      expect(rows[0]).toEqual({
        big: '9007199254740993',
        small: 7,
        at: new Date('2024-05-06T07:08:09.123Z'),
        doc: { a: null, b: [1, 'x'] },
        yes: true,
      });
      const last = await store.driver.query<{ n: number }>('SELECT 1 AS n; SELECT 2 AS n');
      expect(last).toEqual({ rows: [{ n: 2 }], rowCount: 1 });
      const update = await store.driver.query(
        "UPDATE reports SET status = status WHERE kind = 't'",
      );
      expect(update.rowCount).toBe(2);
    });

    it('saves reports and reads back the latest and the list, newest first', async () => {
      const saved = await store.reports.save({
        kind: 'parity',
        subject: 'staging',
        status: 'drift',
        body: { drifts: [{ key: 'x' }] },
      });
      expect(saved).toMatchObject({
        kind: 'parity',
        subject: 'staging',
        status: 'drift',
        body: { drifts: [{ key: 'x' }] },
      });
      expect(saved.id).toBeGreaterThan(0);
      expect(saved.createdAt).toBeInstanceOf(Date);
      const newer = await store.reports.save({
        kind: 'parity',
        subject: 'staging',
        status: 'clean',
        body: { drifts: [] },
      });
      await store.reports.save({ kind: 'parity', subject: 'qa', status: 'clean', body: {} });
      await store.reports.save({
        kind: 'replay',
        subject: 'staging',
        status: 'regressions',
        body: [1, 2],
      });

      expect(await store.reports.latest('parity', 'staging')).toEqual(newer);
      expect((await store.reports.latest('parity'))?.subject).toBe('qa');
      expect(await store.reports.latest('parity', 'nowhere')).toBeUndefined();
      expect(await store.reports.latest('never')).toBeUndefined();
      expect((await store.reports.latest('parity', 'staging', 'drift'))?.id).toBe(saved.id);
      expect((await store.reports.latest('parity', undefined, 'clean'))?.subject).toBe('qa');
      const parity = await store.reports.list({ kind: 'parity' });
      expect(parity.map((r) => r.status)).toEqual(['clean', 'clean', 'drift']);
      expect((await store.reports.list({ limit: 2 })).map((r) => r.kind)).toEqual([
        'replay',
        'parity',
      ]);
      await expect(store.reports.list({ limit: 0 })).rejects.toSatisfy((e) =>
        isUnderstudyError(e, 'E_INPUT'),
      );
    });

    it('keeps the audit chain whole when one store appends concurrently', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          appendAudit(store, {
            actor: 'ci',
            action: 'test.append',
            subject: `s${i}`,
            details: { i },
          }),
        ),
      );
      expect(await verifyAudit(store)).toEqual({ ok: true, count: 20 });
    });

    it('keeps nothing of a migration that fails, and says which one', async () => {
      const before = await snapshot(store.driver);
      const broken = {
        version: 1000,
        name: 'broken',
        sql: 'CREATE TABLE half_done (x int); SELECT no_such_function()',
      };
      const error = await migrate(store.driver, [...migrations, broken]).catch((e: unknown) => e);
      expect(isUnderstudyError(error, 'E_STORE')).toBe(true);
      expect((error as Error).message).toMatch(
        /^migration 1000 \(broken\) failed on the store at .*no_such_function/,
      );
      expect(await snapshot(store.driver)).toEqual(before);
    });

    it('refuses a store created by a newer Understudy and changes nothing', async () => {
      const newer = await makeStore();
      await newer.driver.query(
        "INSERT INTO understudy_migrations (version, name, applied_at) VALUES (9999, 'from-the-future', now())",
      );
      const before = await snapshot(newer.driver);
      const refused = await migrate(newer.driver).catch((e: unknown) => e);
      expect(isUnderstudyError(refused, 'E_STORE')).toBe(true);
      expect(await snapshot(newer.driver)).toEqual(before);
      await newer.close();

      const reopened = await options.reopen(newer).catch((e: unknown) => e);
      expect(isUnderstudyError(reopened, 'E_STORE')).toBe(true);
      const error = reopened as Error & { hint?: string };
      expect(error.message).toMatch(
        /was created by a newer Understudy \(schema version 9999; this one knows up to \d+\)/,
      );
      expect(error.hint).toBe('upgrade Understudy');

      // A refused open lets go of the store: it can be opened (here, repaired) right away.
      const driver = await options.reopenDriver(newer);
      try {
        expect(await snapshot(driver)).toEqual(before);
        await driver.query('DELETE FROM understudy_migrations WHERE version = 9999');
      } finally {
        await driver.close();
      }
      const repaired = await options.reopen(newer);
      await repaired.close();
    });

    const { openConcurrently } = options;
    if (openConcurrently !== undefined) {
      it('lets several processes open one fresh store at the same moment; each migration runs once', async () => {
        const stores = await openConcurrently(6);
        try {
          expect(stores.every((s) => s.schemaVersion === schemaVersion)).toBe(true);
          const first = stores[0] as Store;
          expect(await count(first.driver, 'understudy_migrations')).toBe(migrations.length);
          expect(await count(first.driver, 'audit_head')).toBe(1);
        } finally {
          await closeAll(stores);
        }
      });

      it('keeps one unbroken audit chain when several processes append at the same moment', async () => {
        const stores = await openConcurrently(4);
        try {
          await Promise.all(
            stores.flatMap((s, p) =>
              Array.from({ length: 25 }, (_, i) =>
                appendAudit(s, {
                  actor: `process-${p}`,
                  action: 'test.append',
                  subject: `item-${i}`,
                }),
              ),
            ),
          );
          const first = stores[0] as Store;
          expect(await verifyAudit(first, { pageSize: 7 })).toEqual({ ok: true, count: 100 });
          const entries = await listAudit(first, { limit: 1000 });
          expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
          expect(new Set(entries.map((e) => e.actor)).size).toBe(4);
        } finally {
          await closeAll(stores);
        }
      });
    }
  });
}
