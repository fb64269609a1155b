import { describe, expect, it } from 'vitest';
import type { MaskerSpec } from '../data-types.js';
import { masker } from './test-fixtures/masker-test-helpers.js';

const cases: readonly [MaskerSpec, string, string][] = [
  [{ masker: 'email' }, 'text', 'jane.doe@bigcorp.com'],
  [{ masker: 'first_name' }, 'text', 'Jane'],
  [{ masker: 'full_name' }, 'text', 'Jane Doe'],
  [{ masker: 'phone' }, 'text', '+49 30 1234567'],
  [{ masker: 'payment_card' }, 'text', '4111 1111 1111 1111'],
  [{ masker: 'iban' }, 'text', 'DE89370400440532013000'],
  [{ masker: 'national_id' }, 'text', '123-45-6789'],
  [{ masker: 'date_shift' }, 'timestamp with time zone', '2024-02-29 12:34:56+01'],
  [{ masker: 'birth_date' }, 'date', '1990-05-17'],
  [{ masker: 'number_noise' }, 'numeric', '1234.50'],
  [{ masker: 'uuid' }, 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  [{ masker: 'redact_text' }, 'text', 'Call me at noon, please.'],
  [{ masker: 'ip_address' }, 'inet', '192.168.1.20'],
  [{ masker: 'hash' }, 'text', 'jane.doe@bigcorp.com'],
];

/** The i-th distinct input like `sample`: its last digits changed, or a later day for dates. */
function variant(sample: string, i: number): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(sample)) {
    const day = new Date(Date.parse(sample.slice(0, 10)) + i * 86_400_000).toISOString();
    return day.slice(0, 10) + sample.slice(10);
  }
  return sample.slice(0, -3) + String(100 + i).slice(-3);
}

describe('masker speed', () => {
  it('prints ns per value for the common maskers', async () => {
    const rows: string[] = [];
    for (const [spec, type, sample] of cases) {
      const mask = await masker(spec, type);
      // Distinct inputs, so nothing is cached; the suffix keeps the value's shape.
      const inputs = Array.from({ length: 1000 }, (_, i) => variant(sample, i));
      for (const v of inputs) mask(v);
      const rounds = 50;
      const start = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) for (const v of inputs) mask(v);
      const ns = Number(process.hrtime.bigint() - start) / (rounds * inputs.length);
      rows.push(`${spec.masker.padEnd(14)} ${ns.toFixed(0).padStart(6)} ns/op`);
      expect(ns).toBeLessThan(100_000); // generous: only catches a pathological regression
    }
    console.log(rows.join('\n'));
  });
});
