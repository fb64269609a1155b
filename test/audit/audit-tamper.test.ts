/**
 * The audit log against real databases, embedded and PostgreSQL: an intact log verifies, and
 * each way of tampering with the rows by SQL, behind Understudy's back, is caught and named.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  genesisHash,
  sealEntry,
  verifyChain,
  type AuditEntry,
} from '../../src/audit/audit-chain.js';
import {
  appendAudit,
  exportAudit,
  listAudit,
  readAuditHead,
  verifyAudit,
} from '../../src/audit/audit-log.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { usePostgres } from '../harness/postgres.js';
import { freshStoreDir } from '../store/store-fixtures.js';

interface Subject {
  readonly store: Store;
  /** Runs SQL in the store's database as an intruder with direct access would. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
}

// The intruder switches the append-only triggers off first: they stop accidents, not an owner of the database.
const unguard =
  'ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER';
const reguard =
  'ALTER TABLE audit_log ENABLE TRIGGER USER; ALTER TABLE audit_head ENABLE TRIGGER USER';

function describeTampering(name: string, open: () => Promise<Subject>): void {
  describe(`audit log tampering: ${name}`, () => {
    let subject: Subject;
    let appended: AuditEntry[];
    beforeAll(async () => {
      subject = await open();
    });
    afterAll(async () => {
      await subject?.store.close();
    });
    beforeEach(async () => {
      // Each case starts from a fresh log of six entries, with the guard back on.
      await subject.tamper(
        `${unguard}; TRUNCATE audit_log; UPDATE audit_head SET seq = 0, hash = '${genesisHash}'; ${reguard}`,
      );
      appended = [];
      for (let i = 1; i <= 6; i++) {
        appended.push(
          await appendAudit(subject.store, {
            actor: i % 2 === 0 ? 'bob' : 'ada',
            action: i < 4 ? 'release.create' : 'release.approve',
            subject: `r${i}`,
            details: { step: i, note: { z: 'last', a: 'first' } },
          }),
        );
      }
    });

    const expectBroken = async (seq: number, reason: string) => {
      const verdict = await verifyAudit(subject.store, { pageSize: 4 });
      expect(verdict).toMatchObject({ ok: false, firstBad: { seq, reason } });
    };

    it('verifies an intact log, lists and exports it exactly as appended', async () => {
      expect(await verifyAudit(subject.store, { pageSize: 4 })).toEqual({ ok: true, count: 6 });
      expect(await listAudit(subject.store)).toEqual(appended);
      expect((await listAudit(subject.store, { after: 2, limit: 2 })).map((e) => e.seq)).toEqual([
        3, 4,
      ]);
      const newest = await listAudit(subject.store, { newest: true, limit: 2, actor: 'ada' });
      expect(newest.map((e) => e.seq)).toEqual([3, 5]);
      expect(
        (await listAudit(subject.store, { action: 'release.approve', actor: 'bob' })).map(
          (e) => e.seq,
        ),
      ).toEqual([4, 6]);
      expect(await readAuditHead(subject.store)).toEqual({ seq: 6, hash: appended[5]?.hash });

      const lines: string[] = [];
      const exported = await exportAudit(subject.store, (line) => void lines.push(line));
      expect(exported).toEqual({ count: 6, head: { seq: 6, hash: appended[5]?.hash } });
      expect(Object.keys(JSON.parse(lines[0] ?? '{}') as object)).toEqual([
        'seq',
        'at',
        'actor',
        'action',
        'subject',
        'details',
        'prevHash',
        'hash',
      ]);
      expect(
        verifyChain(
          lines.map((l) => JSON.parse(l) as AuditEntry),
          exported.head,
        ),
      ).toEqual({ ok: true, count: 6 });
    });

    it('refuses plain edits: the log is append-only', async () => {
      await expect(
        subject.tamper("UPDATE audit_log SET actor = 'eve' WHERE seq = 2"),
      ).rejects.toThrow(/append-only/);
      await expect(subject.tamper('DELETE FROM audit_log WHERE seq = 6')).rejects.toThrow(
        /append-only/,
      );
      await expect(subject.tamper('DELETE FROM audit_head')).rejects.toThrow(/append-only/);
    });

    it('catches an altered entry', async () => {
      await subject.tamper(
        `${unguard}; UPDATE audit_log SET details = '{"step": 3, "approved": true}' WHERE seq = 3`,
      );
      await expectBroken(3, 'altered');
    });

    it('catches a timestamp moved by less than a millisecond', async () => {
      await subject.tamper(
        `${unguard}; UPDATE audit_log SET at = at + interval '1 microsecond' WHERE seq = 2`,
      );
      await expectBroken(2, 'altered');
    });

    it('catches a deleted entry', async () => {
      await subject.tamper(`${unguard}; DELETE FROM audit_log WHERE seq = 3`);
      await expectBroken(3, 'deleted');
    });

    it('catches a forged entry inserted between others, even with a correct hash', async () => {
      // Make room at seq 3, then insert an entry chained correctly onto entry 2.
      await subject.tamper(
        `${unguard}; UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3; UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000`,
      );
      const forged = sealEntry(
        {
          seq: 3,
          at: '2024-01-01T00:00:00.000Z',
          actor: 'eve',
          action: 'release.approve',
          subject: 'r3',
          details: {},
        },
        appended[1]?.hash ?? '',
      );
      await subject.tamper(
        'INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)',
        [
          forged.seq,
          forged.at,
          forged.actor,
          forged.action,
          forged.subject,
          '{}',
          forged.prevHash,
          forged.hash,
        ],
      );
      await expectBroken(3, 'inserted');
    });

    it('catches two entries reordered by swapping their seqs', async () => {
      await subject.tamper(
        `${unguard}; UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -2`,
      );
      await expectBroken(2, 'out-of-order');
    });

    it('catches the newest entries deleted, through the head', async () => {
      await subject.tamper(`${unguard}; DELETE FROM audit_log WHERE seq >= 5`);
      await expectBroken(5, 'truncated');
    });

    it('catches the head record deleted', async () => {
      await subject.tamper(`${unguard}; DELETE FROM audit_head`);
      await expectBroken(6, 'head-missing');
      await expect(
        appendAudit(subject.store, { actor: 'ada', action: 'x', subject: 'y' }),
      ).rejects.toThrow(/head record .* is missing/);
    });
  });
}

describeTampering('embedded (PGlite)', async () => {
  const store = await openStore({ dir: await freshStoreDir() });
  return { store, tamper: async (sql, params) => void (await store.driver.query(sql, params)) };
});

const pg = usePostgres();
describeTampering('PostgreSQL', async () => {
  const url = await pg().createDatabase();
  const store = await openStore({ url, dir: 'unused' });
  // Through a connection of its own, not the store's pool.
  return {
    store,
    tamper: async (sql, params) => {
      if (params === undefined) await pg().exec(url, sql);
      else await pg().query(url, sql, params);
    },
  };
});
