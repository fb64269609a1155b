import { describe, expect, it } from 'vitest';
import type { ResponseSample } from './diff-responses.js';
import { NoiseLearner } from './noise-baseline.js';

const answer = (value: unknown): ResponseSample => {
  const data = JSON.stringify(value);
  return {
    status: 200,
    headers: [['content-type', 'application/json']],
    body: { encoding: 'utf8', data, size: data.length, truncated: false },
  };
};

describe('noise learned from the baseline', () => {
  it('keeps every path two baseline answers disagree on, per route, generalised', () => {
    const learner = new NoiseLearner();
    const learn = (route: string, a: unknown, b: unknown): readonly string[] =>
      learner.learn(route, 'GET', ['content-type'], answer(a), answer(b), 0);
    expect(learn('GET /lucky', { lucky: 4, name: 'x' }, { lucky: 17, name: 'x' })).toEqual([
      '$.lucky',
    ]);
    expect(learn('GET /lucky', { lucky: 4, name: 'x' }, { lucky: 4, name: 'x' })).toEqual([]);
    expect(
      learn(
        'GET /list',
        { rows: [{ n: 1, at: '2026-01-01T00:00:00Z' }] },
        { rows: [{ n: 2, at: '2026-01-01T00:00:01Z' }] },
      ),
    ).toEqual(['$.rows[*].n', '$.rows[*].at']);
    expect(learner.pairs).toBe(3);
    expect(learner.summary()).toEqual([
      { route: 'GET /list', paths: ['$.rows[*].at', '$.rows[*].n'] },
      { route: 'GET /lucky', paths: ['$.lucky'] },
    ]);
    expect(learner.learned.get('GET /lucky')?.has('$.lucky')).toBe(true);
  });
});
