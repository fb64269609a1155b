import { describe, expect, it } from 'vitest';
import {
  ChainVerifier,
  canonicalEntryText,
  genesisHash,
  hashEntry,
  sealEntry,
  verifyChain,
  type AuditEntry,
  type AuditFields,
} from './audit-chain.js';
import { canonicalJson, toJsonValue } from './canonical-json.js';

function fields(seq: number, details: AuditFields['details'] = { n: seq }): AuditFields {
  return {
    seq,
    at: `2024-03-0${1 + (seq % 9)}T10:00:00.${String(seq).padStart(3, '0')}Z`,
    actor: 'ada',
    action: 'release.approve',
    subject: `r${seq}`,
    details,
  };
}

/** An intact chain of `n` entries. */
function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let seq = 1; seq <= n; seq++)
    entries.push(sealEntry(fields(seq), entries[seq - 2]?.hash ?? genesisHash));
  return entries;
}

const at = (entries: readonly AuditEntry[], seq: number): AuditEntry =>
  entries.find((e) => e.seq === seq) as AuditEntry;
const head = (entries: readonly AuditEntry[]) => ({
  seq: entries.length,
  hash: entries[entries.length - 1]?.hash ?? genesisHash,
});

describe('canonicalJson', () => {
  it('gives one text whatever the key order, at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('refuses what JSON cannot hold, and toJsonValue turns values into what JSON stores', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson(new Date(0))).toThrow(/cannot be represented/);
    expect(() => canonicalJson(1n)).toThrow(/bigint/);
    expect(toJsonValue({ when: new Date(0), gone: undefined, list: [1] })).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      list: [1],
    });
  });
});

describe('hashEntry', () => {
  it('covers every field and the previous hash, and is stable across releases', () => {
    const base = fields(1);
    const hash = hashEntry(base, genesisHash);
    expect(canonicalEntryText(base)).toBe(
      '{"action":"release.approve","actor":"ada","at":"2024-03-02T10:00:00.001Z","details":{"n":1},"seq":1,"subject":"r1"}',
    );
    // Pinned: changing the serialisation would make every existing log fail to verify.
    expect(hash).toBe('47dd9e2a23f2ccc0d4107a251305d922cbadb2cfb551509518256d838777a002');
    for (const change of [
      { seq: 2 },
      { at: '2024-03-02T10:00:00.002Z' },
      { actor: 'bob' },
      { action: 'x' },
      { subject: 'r2' },
      { details: { n: 2 } },
    ]) {
      expect(hashEntry({ ...base, ...change }, genesisHash)).not.toBe(hash);
    }
    expect(hashEntry(base, 'f'.repeat(64))).not.toBe(hash);
    expect(hashEntry({ ...base, details: { b: 1, a: 2 } }, genesisHash)).toBe(
      hashEntry({ ...base, details: { a: 2, b: 1 } }, genesisHash),
    );
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain, an empty one, and a matching head', () => {
    const entries = chain(6);
    expect(verifyChain(entries)).toEqual({ ok: true, count: 6 });
    expect(verifyChain(entries, head(entries))).toEqual({ ok: true, count: 6 });
    expect(verifyChain([], { seq: 0, hash: genesisHash })).toEqual({ ok: true, count: 0 });
  });

  it('names an altered entry', () => {
    const entries = chain(6);
    entries[2] = { ...at(entries, 3), details: { n: 99 } };
    expect(verifyChain(entries)).toMatchObject({
      ok: false,
      count: 2,
      firstBad: { seq: 3, reason: 'altered' },
    });
    const relinked = chain(6);
    relinked[3] = { ...at(relinked, 4), prevHash: 'e'.repeat(64) };
    expect(verifyChain(relinked)).toMatchObject({ firstBad: { seq: 4, reason: 'altered' } });
  });

  it('names a deleted entry, first or in the middle, and one deleted with the rest renumbered', () => {
    const entries = chain(6);
    expect(verifyChain(entries.filter((e) => e.seq !== 3))).toMatchObject({
      count: 2,
      firstBad: { seq: 3, reason: 'deleted' },
    });
    expect(verifyChain(entries.slice(1))).toMatchObject({
      count: 0,
      firstBad: { seq: 1, reason: 'deleted' },
    });
    const renumbered = entries
      .filter((e) => e.seq !== 3)
      .map((e) => (e.seq > 3 ? { ...e, seq: e.seq - 1 } : e));
    expect(verifyChain(renumbered)).toMatchObject({ firstBad: { seq: 3, reason: 'deleted' } });
  });

  it('names an inserted entry, whether forged crudely or with a correct hash and the rest renumbered', () => {
    const entries = chain(5);
    const crude: AuditEntry = { ...fields(3), prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) };
    const shifted = entries.map((e) => (e.seq >= 3 ? { ...e, seq: e.seq + 1 } : e));
    expect(verifyChain([...shifted.slice(0, 2), crude, ...shifted.slice(2)])).toMatchObject({
      firstBad: { seq: 3, reason: 'inserted' },
    });
    const clever = sealEntry(fields(3, { forged: true }), at(entries, 2).hash);
    expect(verifyChain([...shifted.slice(0, 2), clever, ...shifted.slice(2)])).toMatchObject({
      count: 3,
      firstBad: { seq: 3, reason: 'inserted' },
    });
    expect(
      verifyChain([...entries.slice(0, 3), at(entries, 3), ...entries.slice(3)]),
    ).toMatchObject({ firstBad: { seq: 3, reason: 'inserted' } });
  });

  it('names reordered entries, whether their seqs were swapped or the lines themselves', () => {
    const entries = chain(6);
    const swapSeq = (a: number, b: number) =>
      entries.map((e) =>
        e.seq === a
          ? { ...at(entries, b), seq: a }
          : e.seq === b
            ? { ...at(entries, a), seq: b }
            : e,
      );
    expect(verifyChain(swapSeq(2, 4))).toMatchObject({
      count: 1,
      firstBad: { seq: 2, reason: 'out-of-order' },
    });
    expect(verifyChain(swapSeq(2, 3))).toMatchObject({
      count: 1,
      firstBad: { seq: 2, reason: 'out-of-order' },
    });
    const lines = [at(entries, 1), at(entries, 3), at(entries, 2), ...entries.slice(3)];
    expect(verifyChain(lines)).toMatchObject({
      count: 1,
      firstBad: { seq: 3, reason: 'out-of-order' },
    });
    const backwards = [...entries.slice(0, 4), at(entries, 2), ...entries.slice(4)];
    expect(verifyChain(backwards)).toMatchObject({
      count: 4,
      firstBad: { seq: 2, reason: 'out-of-order' },
    });
  });

  it('checks the tail against the recorded head', () => {
    const entries = chain(6);
    expect(verifyChain(entries.slice(0, 4), head(entries))).toMatchObject({
      count: 4,
      firstBad: { seq: 5, reason: 'truncated' },
    });
    expect(verifyChain(entries, head(entries.slice(0, 5)))).toMatchObject({
      firstBad: { seq: 6, reason: 'inserted' },
    });
    const replaced = [...entries.slice(0, 5), sealEntry(fields(6, { n: 0 }), at(entries, 5).hash)];
    expect(verifyChain(replaced, head(entries))).toMatchObject({
      firstBad: { seq: 6, reason: 'altered' },
    });
  });

  it('streams with a bounded window and stops at the first failure', () => {
    const entries = chain(50);
    const verifier = new ChainVerifier(3);
    expect(entries.every((e) => verifier.push(e))).toBe(true);
    expect(verifier.finish(head(entries))).toEqual({ ok: true, count: 50 });

    const broken = new ChainVerifier(3);
    const tampered = entries.map((e) => (e.seq === 10 ? { ...e, subject: 'edited' } : e));
    const fed = tampered.findIndex((e) => !broken.push(e));
    expect(fed).toBeGreaterThan(9);
    expect(fed).toBeLessThan(15);
    expect(broken.finish()).toMatchObject({ count: 9, firstBad: { seq: 10, reason: 'altered' } });
  });
});
