import { describe, expect, it } from 'vitest';
import type { ResponseDiff, ResponseDifference } from './diff-responses.js';
import { ReplayAccount, showValue, type ReplayOutcome } from './replay-account.js';
import { replayVerdict } from './replay-report.js';

const thresholds = { slowerBy: 25, minMs: 5 };
let n = 0;
const outcome = (route: string, extra: Partial<ReplayOutcome> = {}): ReplayOutcome => ({
  id: String((n += 1)),
  method: 'GET',
  url: route.split(' ')[1] ?? '/',
  route,
  recordedMs: 10,
  targetMs: 11,
  ...extra,
});
const diff = (differences: ResponseDifference[], bodyCompared = true): ResponseDiff => ({
  differences,
  bodyCompared,
  ...(bodyCompared ? {} : { note: 'recorded body cut at the capture cap (9 bytes): not compared' }),
});
const price: ResponseDifference = {
  kind: 'changed',
  path: '$.items[1].price',
  general: '$.items[*].price',
  recorded: 20,
  actual: 21,
};
const stamp: ResponseDifference = {
  kind: 'changed',
  path: '$.at',
  general: '$.at',
  recorded: 'a',
  actual: 'b',
  noise: { reason: 'timestamp' },
};
const lucky: ResponseDifference = {
  kind: 'changed',
  path: '$.lucky',
  general: '$.lucky',
  recorded: 3,
  actual: 8,
};

describe('the replay account', () => {
  it('puts every request in exactly one bucket, and the buckets sum to the total', () => {
    const account = new ReplayAccount();
    account.add(outcome('GET /a', { diff: diff([]) }));
    account.add(outcome('GET /a', { diff: diff([stamp]) }));
    account.add(outcome('GET /a', { diff: diff([stamp, price]) }));
    account.add(outcome('POST /a', { skipped: 'unsafe method POST (policy: skip)' }));
    account.add(outcome('GET /b', { error: 'connection refused' }));
    account.add(outcome('GET /b', { diff: diff([], false) }));
    account.add(
      outcome('GET /b', {
        diff: diff([{ ...price, kind: 'status', path: 'status', general: 'status' }], false),
      }),
    );
    const tally = account.finish(new Map(), thresholds);
    expect(tally.counts).toEqual({
      total: 7,
      match: 1,
      regression: 2,
      noise: 1,
      skipped: 2,
      error: 1,
    });
    const { total, ...buckets } = tally.counts;
    expect(Object.values(buckets).reduce((a, b) => a + b, 0)).toBe(total);
    expect(tally.skipped).toEqual([
      { reason: 'recorded body cut at the capture cap (9 bytes): not compared', count: 1 },
      { reason: 'unsafe method POST (policy: skip)', count: 1 },
    ]);
    expect(tally.errors).toEqual([{ reason: 'connection refused', count: 1 }]);
    // Noise is counted even inside a request that is a regression for another reason.
    expect(tally.noise).toEqual([
      { route: 'GET /a', path: '$.at', reason: 'timestamp', count: 2, requests: 2 },
    ]);
    expect(tally.regressions.map((g) => `${g.route} ${g.path} ${g.kind} ${g.count}`)).toEqual([
      'GET /a $.items[*].price changed 1',
      'GET /b status status 1',
    ]);
    expect(tally.routes.map((r) => `${r.route} ${r.counts.total}`)).toEqual([
      'GET /a 3',
      'GET /b 3',
      'POST /a 1',
    ]);
  });

  it('lets noise learned later in the run explain a regression found earlier', () => {
    const account = new ReplayAccount();
    account.add(outcome('GET /lucky', { diff: diff([lucky]) }));
    account.add(outcome('GET /lucky', { diff: diff([lucky]) }));
    const tally = account.finish(new Map([['GET /lucky', new Set(['$.lucky'])]]), thresholds);
    expect(tally.counts).toMatchObject({ noise: 2, regression: 0 });
    expect(tally.noise).toEqual([
      { route: 'GET /lucky', path: '$.lucky', reason: 'baseline', count: 2, requests: 2 },
    ]);
  });

  it('keeps a few examples per regression group, with body excerpts for the first', () => {
    const account = new ReplayAccount({ maxExamples: 2 });
    for (let i = 0; i < 5; i += 1)
      account.add(
        outcome('GET /a', {
          diff: diff([price]),
          bodies: { recorded: '{"a":1}', actual: '{"a":2}' },
        }),
      );
    const [group] = account.finish(new Map(), thresholds).regressions;
    expect(group).toMatchObject({ count: 5, requests: 5 });
    expect(group?.examples).toHaveLength(2);
    expect(group?.examples[0]).toMatchObject({
      path: '$.items[1].price',
      recorded: '20',
      actual: '21',
      bodies: { recorded: '{"a":1}' },
    });
    expect(group?.examples[1]?.bodies).toBeUndefined();
  });

  it('flags slower routes and decides the status', () => {
    const account = new ReplayAccount();
    for (let i = 0; i < 3; i += 1)
      account.add(outcome('GET /slow', { recordedMs: 10, targetMs: 40, diff: diff([]) }));
    const tally = account.finish(new Map(), thresholds);
    expect(tally.slowRoutes).toEqual(['GET /slow']);
    expect(replayVerdict(tally, 0, false).status).toBe('pass');
    expect(replayVerdict(tally, 0, true)).toEqual({
      status: 'fail',
      summary: '1 route slower than allowed',
    });
  });

  it('is an error when the target answered nothing that was sent, a failure beyond maxRegressions', () => {
    const down = new ReplayAccount();
    down.add(outcome('GET /a', { error: 'connection refused' }));
    down.add(outcome('POST /a', { skipped: 'unsafe' }));
    expect(replayVerdict(down.finish(new Map(), thresholds), 0, false).status).toBe('error');
    const one = new ReplayAccount();
    one.add(outcome('GET /a', { diff: diff([price]) }));
    const tally = one.finish(new Map(), thresholds);
    expect(replayVerdict(tally, 0, false)).toEqual({
      status: 'fail',
      summary: '1 regression (at most 0 tolerated)',
    });
    expect(replayVerdict(tally, 1, false).status).toBe('pass');
  });

  it('shows values short', () => {
    expect(showValue(undefined)).toBe('(absent)');
    expect(showValue('x')).toBe('"x"');
    expect(showValue({ a: 'x'.repeat(200) }, 20)).toHaveLength(20);
  });
});
