import { describe, expect, it } from 'vitest';
import { compareLatency, percentiles } from './replay-latency.js';

describe('latency per route', () => {
  it('computes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7 });
    expect(percentiles([])).toBeUndefined();
  });

  it('flags a route only beyond both the percentage and the minimum milliseconds', () => {
    const thresholds = { slowerBy: 25, minMs: 5 };
    expect(compareLatency([10, 10, 10], [20, 20, 20], thresholds)).toMatchObject({
      slower: true,
      p95ChangePercent: 100,
    });
    expect(compareLatency([10, 10], [12, 12], thresholds).slower).toBe(false);
    expect(compareLatency([0.2, 0.2], [0.6, 0.6], thresholds).slower).toBe(false);
    expect(compareLatency([10], [], thresholds)).toEqual({
      recorded: { count: 1, p50: 10, p95: 10, p99: 10 },
      slower: false,
    });
  });
});
