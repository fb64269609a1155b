/** A fixed parity report with one of everything, for reporter tests. */
import type { ProbeResult } from '../../parity/drift.js';
import { buildParityReport, type ParityReport } from '../../parity/parity-report.js';

/** A report with breaking and notice drift, a secret, allowed, explained, expired and stale entries. */
export function sampleParityReport(): ParityReport {
  const results: ProbeResult[] = [
    {
      probe: 'schema',
      status: 'compared',
      compared: 412,
      differences: [
        {
          probe: 'schema',
          path: 'schema:public.orders.columns.total.type',
          kind: 'changed',
          severity: 'breaking',
          envValue: 'integer',
          againstValue: 'numeric(10,2)',
        },
        {
          probe: 'schema',
          path: 'schema:public.orders_placed_idx',
          kind: 'missing',
          severity: 'breaking',
          againstValue: 'CREATE INDEX orders_placed_idx ON public.orders USING btree (placed_at)',
        },
        {
          probe: 'schema',
          path: 'schema:public.orders.columns.discount',
          kind: 'extra',
          severity: 'notice',
          envValue: 'numeric',
          explainedBy: 'pending prisma migration 20261120_add_discount_to_orders',
        },
      ],
    },
    {
      probe: 'config',
      status: 'compared',
      compared: 14,
      differences: [
        {
          probe: 'config',
          path: 'config:LOG_LEVEL',
          kind: 'changed',
          severity: 'breaking',
          envValue: 'debug',
          againstValue: 'info',
        },
        {
          probe: 'config',
          path: 'config:PAYMENT_API_KEY',
          kind: 'changed',
          severity: 'notice',
          secret: true,
          note: 'secret: values differ (compared by keyed hash)',
        },
        {
          probe: 'config',
          path: 'config:FEATURE_CHECKOUT_V2',
          kind: 'changed',
          severity: 'breaking',
          envValue: 'true',
          againstValue: 'false',
        },
        {
          probe: 'config',
          path: 'config:CACHE_TTL',
          kind: 'missing',
          severity: 'breaking',
          againstValue: '300',
        },
      ],
    },
    {
      probe: 'versions',
      status: 'compared',
      compared: 1,
      facts: { staging: '9f1c2ab', production: '41d07e3', commitsAhead: 3, commitsBehind: 0 },
      differences: [
        {
          probe: 'versions',
          path: 'versions:deployed',
          kind: 'changed',
          severity: 'notice',
          envValue: '9f1c2ab',
          againstValue: '41d07e3',
          note: 'staging is 3 commits ahead of production and 0 behind',
        },
      ],
    },
    { probe: 'runtime', status: 'compared', compared: 9, differences: [] },
    {
      probe: 'data-age',
      status: 'skipped',
      reason: 'no maximum data age is set (parity.maxDataAge)',
      compared: 0,
      differences: [],
    },
    {
      probe: 'infrastructure',
      status: 'skipped',
      reason: 'no environment declares infrastructure',
      compared: 0,
      differences: [],
    },
  ];
  return buildParityReport({
    env: 'staging',
    against: 'production',
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:00:01.250Z',
    failOn: 'breaking',
    today: '2026-11-21',
    results,
    allowances: [
      {
        match: 'config.LOG_LEVEL',
        reason: 'verbose logs in staging',
        owner: 'ops',
        expires: '2027-06-01',
      },
      {
        match: 'config:FEATURE_CHECKOUT_V2',
        reason: 'trying checkout v2 before launch',
        owner: 'payments',
        expires: '2026-11-01',
      },
      { match: 'config:OLD_QUEUE_URL', reason: 'queue being retired', owner: 'platform' },
    ],
  });
}
