import { describe, expect, it } from 'vitest';
import { buildParityReport, formatScore } from './parity-report.js';
import type { ProbeResult } from './drift.js';

const base = {
  env: 'staging',
  against: 'production',
  startedAt: '2026-11-21T10:00:00.000Z',
  finishedAt: '2026-11-21T10:00:02.000Z',
  today: '2026-11-21',
};
const schema: ProbeResult = {
  probe: 'schema',
  status: 'compared',
  compared: 98,
  differences: [
    {
      probe: 'schema',
      path: 'schema:public.orders.columns.total.type',
      kind: 'changed',
      severity: 'breaking',
      envValue: 'integer',
      againstValue: 'numeric(10,2)',
    },
  ],
};
const config: ProbeResult = {
  probe: 'config',
  status: 'compared',
  compared: 2,
  differences: [
    {
      probe: 'config',
      path: 'config:LOG_LEVEL',
      kind: 'changed',
      severity: 'breaking',
      envValue: 'debug',
      againstValue: 'info',
    },
  ],
};

describe('buildParityReport', () => {
  it('scores equal-or-explained over compared and fails on unexplained breaking drift', () => {
    const report = buildParityReport({
      ...base,
      failOn: 'breaking',
      results: [config, schema],
      allowances: [{ match: 'config.LOG_LEVEL', reason: 'verbose logs' }],
    });
    expect(report.status).toBe('drift');
    expect(report.counts).toEqual({
      compared: 100,
      drift: 1,
      blocking: 1,
      allowed: 1,
      explained: 0,
    });
    expect(report.score).toBeCloseTo(0.99);
    expect(report.probes.map((p) => p.probe)).toEqual(['schema', 'config']);
    expect(report.probes[1]).toMatchObject({ drift: 0, allowed: 1 });
  });

  it('passes when the remaining drift is below the threshold', () => {
    const notice: ProbeResult = {
      ...schema,
      differences: [{ ...schema.differences[0]!, severity: 'notice' }],
    };
    const report = buildParityReport({
      ...base,
      failOn: 'breaking',
      results: [notice],
      allowances: [],
    });
    expect(report.status).toBe('pass');
    expect(report.counts.blocking).toBe(0);
    expect(
      buildParityReport({ ...base, failOn: 'notice', results: [notice], allowances: [] }).status,
    ).toBe('drift');
  });

  it('is an error, whatever else it found, when a probe could not read its target', () => {
    const failed: ProbeResult = {
      probe: 'runtime',
      status: 'failed',
      unreachable: true,
      reason: 'cannot reach the production database',
      compared: 0,
      differences: [],
    };
    const report = buildParityReport({
      ...base,
      failOn: 'breaking',
      results: [failed],
      allowances: [],
    });
    expect(report.status).toBe('error');
    expect(report.score).toBeNull();
  });

  it('never shows a report with drift as 100 %', () => {
    expect(formatScore(0.9996)).toBe('99.9 %');
    expect(formatScore(1)).toBe('100 %');
    expect(formatScore(null)).toBe('n/a');
  });
});
