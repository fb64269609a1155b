import { describe, expect, it } from 'vitest';
import type { HeaderList } from './capture-format.js';
import { diffResponses, type DiffOptions, type ResponseSample } from './diff-responses.js';
import { NO_NOISE, noiseModel } from './noise-model.js';

const json = (
  value: unknown,
  headers: HeaderList = [['content-type', 'application/json']],
): ResponseSample => {
  const data = JSON.stringify(value);
  return {
    status: 200,
    headers,
    body: { encoding: 'utf8', data, size: data.length, truncated: false },
  };
};
const options: DiffOptions = {
  route: 'GET /orders/{id}',
  method: 'GET',
  headers: ['content-type'],
  recordedAt: Date.parse('2026-11-21T10:15:00Z'),
  replayedAt: Date.parse('2026-11-22T10:15:00Z'),
};
const brief = (a: ResponseSample, b: ResponseSample, noise = noiseModel([])): string[] =>
  diffResponses(a, b, noise, options).differences.map(
    (d) =>
      `${d.kind} ${d.path} ${d.general}${d.noise === undefined ? '' : ` noise:${d.noise.reason}`}`,
  );

describe('diffResponses', () => {
  it('reports status, selected headers and JSON paths, and marks volatile values as noise', () => {
    const recorded = json({
      id: 7,
      at: '2026-11-21T10:15:00Z',
      request: '3f2b1c4e-9a0d-4e5f-8a7b-1c2d3e4f5a6b',
      items: [
        { sku: 'a', price: 10 },
        { sku: 'b', price: 20 },
      ],
    });
    const actual: ResponseSample = {
      ...json(
        {
          id: 7,
          at: '2026-11-22T10:15:00Z',
          request: 'a1b2c3d4-0000-4111-8222-333344445555',
          items: [
            { sku: 'b', price: 21 },
            { sku: 'a', price: 10 },
          ],
        },
        [['content-type', 'text/plain']],
      ),
      status: 201,
    };
    expect(brief(recorded, actual)).toEqual([
      'status status status',
      'header header:content-type header:content-type',
      'changed $.at $.at noise:timestamp',
      'changed $.request $.request noise:uuid',
      'changed $.items[1].price $.items[*].price',
    ]);
  });

  it('normalises header spelling and compares only the selected headers', () => {
    const a = json({}, [
      ['content-type', 'application/json; charset=UTF-8'],
      ['x-trace', '1'],
    ]);
    const b = json({}, [
      ['content-type', 'application/json;charset=utf-8'],
      ['x-trace', '2'],
    ]);
    expect(brief(a, b)).toEqual([]);
  });

  it('never compares a body cut at the capture cap', () => {
    const recorded = json({ big: 'x' });
    const cut: ResponseSample = {
      ...recorded,
      body: { ...recorded.body!, data: '{"big":', truncated: true, size: 9_000_000 },
    };
    const diff = diffResponses(cut, json({ big: 'y' }), noiseModel([]), options);
    expect(diff).toMatchObject({ differences: [], bodyCompared: false });
    expect(diff.note).toMatch(/cut at the capture cap \(9000000 bytes\)/);
  });

  it('compares text by lines (volatile-only changes are noise) and binary bodies by bytes', () => {
    const text = (data: string): ResponseSample => ({
      status: 200,
      headers: [['content-type', 'text/html']],
      body: { encoding: 'utf8', data, size: data.length, truncated: false },
    });
    expect(
      brief(text('<p>at 2026-11-21T10:15:00Z</p>'), text('<p>at 2026-11-22T11:00:00Z</p>')),
    ).toEqual(['text body body noise:volatile-text']);
    expect(brief(text('<p>10 items</p>'), text('<p>11 items</p>'))).toEqual(['text body body']);
    const bin = (bytes: number[]): ResponseSample => ({
      status: 200,
      headers: [],
      body: {
        encoding: 'base64',
        data: Buffer.from(bytes).toString('base64'),
        size: bytes.length,
        truncated: false,
      },
    });
    expect(brief(bin([1, 2]), bin([1, 2]))).toEqual([]);
    expect(brief(bin([1, 2]), bin([1, 3]))).toEqual(['binary body body']);
  });

  it('reports a JSON body that is no longer JSON once, at $', () => {
    const notJson: ResponseSample = {
      status: 200,
      headers: [['content-type', 'application/json']],
      body: { encoding: 'utf8', data: '<html>oops</html>', size: 17, truncated: false },
    };
    expect(brief(json({ a: 1 }), notJson)).toEqual(['type $ $']);
  });

  it('without a noise model, every difference is one', () => {
    expect(
      brief(json({ at: '2026-11-21T10:15:00Z' }), json({ at: '2026-11-22T10:15:00Z' }), NO_NOISE),
    ).toEqual(['changed $.at $.at']);
  });
});
