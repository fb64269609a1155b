import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from './format-preserving.js';
import { masker } from './test-fixtures/masker-test-helpers.js';

const COUNT = 1_000_000;

/** Masks COUNT distinct inputs and counts distinct outputs. */
function distinctOutputs(
  mask: (text: string) => string | null,
  input: (i: number) => string,
): number {
  const seen = new Set<string>();
  for (let i = 0; i < COUNT; i++) seen.add(mask(input(i))!);
  return seen.size;
}

describe('unique columns stay unique over a million distinct values', () => {
  it('email', async () => {
    const mask = await masker('email', 'character varying(120)', { unique: true });
    expect(distinctOutputs(mask, (i) => `customer${i}@shop.test`)).toBe(COUNT);
  }, 60_000);

  it('phone (a bijection on the subscriber digits)', async () => {
    const mask = await masker('phone', 'text', { unique: true });
    // i·7 mod 10^7 visits distinct 7-digit numbers, spread over the whole range.
    const input = (i: number): string => `+49 30 ${String((i * 7) % 10_000_000).padStart(7, '0')}`;
    expect(distinctOutputs(mask, input)).toBe(COUNT);
  }, 60_000);

  it('payment_card (a bijection on the account digits)', async () => {
    const mask = await masker('payment_card', 'text', { unique: true });
    const input = (i: number): string => {
      const payload = `4${String(i * 13).padStart(14, '0')}`;
      return payload + String(luhnCheckDigit(payload));
    };
    expect(distinctOutputs(mask, input)).toBe(COUNT);
  }, 60_000);
});
