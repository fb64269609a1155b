import { describe, expect, it } from 'vitest';
import { applyAllowances, compileMatch, normalizeMatch } from './allowances.js';
import type { Difference } from './drift.js';

const diff = (path: string, severity: Difference['severity'] = 'breaking'): Difference => ({
  probe: path.startsWith('config') ? 'config' : 'schema',
  path,
  kind: 'changed',
  severity,
  envValue: 'a',
  againstValue: 'b',
});

describe('compileMatch', () => {
  it('matches exact paths, globs within a segment, ** across segments, and descendants', () => {
    expect(compileMatch('config:LOG_LEVEL')('config:LOG_LEVEL')).toBe(true);
    expect(compileMatch('config:LOG_LEVEL')('config:LOG_LEVEL_2')).toBe(false);
    expect(compileMatch('schema:public.audit_*')('schema:public.audit_2024')).toBe(true);
    expect(compileMatch('schema:public.audit_*')('schema:public.audit_2024.columns.x.type')).toBe(
      true,
    );
    expect(
      compileMatch('schema:public.*.columns.updated_at.default')(
        'schema:public.orders.columns.updated_at.default',
      ),
    ).toBe(true);
    expect(compileMatch('schema:*.orders')('schema:public.orders')).toBe(true);
    expect(compileMatch('schema:public.order')('schema:public.orders')).toBe(false);
    expect(
      compileMatch('infrastructure:**.instance_type')(
        'infrastructure:module.app.aws_instance.web.instance_type',
      ),
    ).toBe(true);
  });

  it('accepts config.KEY as people write it', () => {
    expect(normalizeMatch('config.LOG_LEVEL')).toBe('config:LOG_LEVEL');
    expect(normalizeMatch('data-age.staging')).toBe('data-age:staging');
    expect(normalizeMatch('custom.thing')).toBe('custom.thing');
    expect(compileMatch('config.FEATURE_*')('config:FEATURE_X')).toBe(true);
  });
});

describe('applyAllowances', () => {
  const today = '2026-11-21';

  it('allows matched differences, leaves the rest as drift and reports stale allowances', () => {
    const result = applyAllowances(
      [diff('config:LOG_LEVEL'), diff('config:POOL')],
      [
        { match: 'config.LOG_LEVEL', reason: 'verbose logs', owner: 'ops' },
        { match: 'config:GONE', reason: 'was needed once' },
      ],
      today,
    );
    expect(result.differences.map((d) => [d.path, d.verdict])).toEqual([
      ['config:LOG_LEVEL', 'allowed'],
      ['config:POOL', 'drift'],
    ]);
    expect(result.differences[0]?.allowance?.reason).toBe('verbose logs');
    expect(result.allowances.map((a) => [a.match, a.state, a.matched])).toEqual([
      ['config.LOG_LEVEL', 'active', 1],
      ['config:GONE', 'stale', 0],
    ]);
  });

  it('stops hiding drift once an allowance has expired, and says so', () => {
    const allowance = { match: 'config:LOG_LEVEL', reason: 'verbose logs', expires: '2026-11-20' };
    const result = applyAllowances([diff('config:LOG_LEVEL')], [allowance], today);
    expect(result.differences[0]).toMatchObject({
      verdict: 'drift',
      allowanceExpired: true,
      allowance,
    });
    expect(result.allowances[0]?.state).toBe('expired');
    // On its last day it still holds.
    expect(
      applyAllowances([diff('config:LOG_LEVEL')], [{ ...allowance, expires: today }], today)
        .differences[0]?.verdict,
    ).toBe('allowed');
  });

  it('prefers an explanation (a pending migration) over an allowance', () => {
    const explained = {
      ...diff('schema:public.orders.columns.total'),
      explainedBy: 'prisma migration 2024_add_total_to_orders',
    };
    const result = applyAllowances([explained], [{ match: 'schema:**', reason: 'x' }], today);
    expect(result.differences[0]?.verdict).toBe('explained');
  });
});
