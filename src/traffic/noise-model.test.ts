import { describe, expect, it } from 'vitest';
import {
  classifyNoise,
  compileIgnoreRules,
  learnedCovers,
  noiseModel,
  type NoiseQuestion,
} from './noise-model.js';

const question = (
  segments: (string | number)[],
  general: string,
  recorded: unknown,
  actual: unknown,
): NoiseQuestion => ({
  route: 'GET /items',
  segments,
  general,
  recorded,
  actual,
  valueChanged: true,
  context: { key: segments[segments.length - 1], method: 'GET', recordedAt: 0, replayedAt: 0 },
});

describe('the noise model', () => {
  it('applies ignore rules by exact path with wildcards, naming the rule', () => {
    const model = noiseModel(['$.meta.generatedAt', '$.items[*].etag']);
    expect(
      classifyNoise(model, question(['meta', 'generatedAt'], '$.meta.generatedAt', 1, 2)),
    ).toEqual({
      reason: 'ignored',
      rule: '$.meta.generatedAt',
    });
    expect(
      classifyNoise(model, question(['items', 7, 'etag'], '$.items[*].etag', 'a', 'b')),
    ).toEqual({
      reason: 'ignored',
      rule: '$.items[*].etag',
    });
    // Never by substring: neither a longer key nor a neighbour is ignored.
    expect(
      classifyNoise(model, question(['meta', 'generatedAtUtc'], '$.meta.generatedAtUtc', 1, 2)),
    ).toBeUndefined();
    expect(
      classifyNoise(model, question(['items', 7, 'etags'], '$.items[*].etags', 'a', 'b')),
    ).toBeUndefined();
  });

  it('uses what the baseline taught for the route, then value shapes', () => {
    const learned = new Map([['GET /items', new Set(['$.lucky', '$.stats'])]]);
    const model = noiseModel([], learned);
    expect(classifyNoise(model, question(['lucky'], '$.lucky', 3, 9))).toEqual({
      reason: 'baseline',
    });
    expect(classifyNoise(model, question(['stats', 'hits'], '$.stats.hits', 3, 9))).toEqual({
      reason: 'baseline',
    });
    expect(classifyNoise(model, question(['luckyNumber'], '$.luckyNumber', 3, 9))).toBeUndefined();
    expect(
      classifyNoise(model, { ...question(['lucky'], '$.lucky', 3, 9), route: 'GET /other' }),
    ).toBeUndefined();
    expect(
      classifyNoise(
        model,
        question(['at'], '$.at', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
      ),
    ).toEqual({ reason: 'timestamp' });
    expect(learnedCovers(learned, 'GET /items', '$.stats[*]')).toBe(true);
  });

  it('refuses an ignore rule that is not a JSON path', () => {
    expect(() => compileIgnoreRules(['meta.generatedAt'])).toThrow(/not a JSON path/);
  });
});
