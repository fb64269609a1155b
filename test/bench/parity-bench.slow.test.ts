import { describe, expect, it } from 'vitest';
import { runParityBench } from '../../bench/parity-bench.js';

describe('bench:parity (CI-sized)', () => {
  it('finds exactly the planted drift in two 120-table databases, within the time target', async () => {
    const result = await runParityBench({ tables: 120 });
    expect(result.missed).toEqual([]);
    expect(result.unexpected).toEqual([]);
    expect(result.found).toBe(result.planted);
    expect(result.planted).toBe(7);
    expect(result.seconds).toBeLessThan(2);
  }, 120_000);
});
