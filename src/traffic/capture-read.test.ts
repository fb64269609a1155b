import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import type { CaptureHeader, CaptureProblem, CaptureRecord } from './capture-format.js';
import { readCapture } from './capture-read.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-read-'));
  dirs.push(dir);
  return dir;
}

const header = (version = 1): CaptureHeader => ({
  type: 'header',
  version,
  writer: 'understudy test',
  startedAt: '2026-11-21T10:15:00.000Z',
  maxBodyBytes: 1024,
});

function record(n: number, body = 'ok'): CaptureRecord {
  return {
    type: 'exchange',
    id: `r-${n}`,
    session: 's',
    startedAt: '2026-11-21T10:15:00.000Z',
    durationMs: 1,
    request: { method: 'GET', url: `/items/${n}`, httpVersion: '1.1', headers: [] },
    response: {
      status: 200,
      headers: [],
      body: { encoding: 'utf8', data: body, size: body.length, truncated: false },
    },
    redactions: [],
  };
}

const ndjson = (values: readonly unknown[]): string =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

async function read(
  target: string,
): Promise<{ ids: string[]; problems: Omit<CaptureProblem, 'message'>[]; messages: string[] }> {
  const ids: string[] = [];
  const problems: CaptureProblem[] = [];
  for await (const r of readCapture(target, (p) => problems.push(p))) ids.push(r.id);
  return {
    ids,
    problems: problems.map(({ file, line, kind }) => ({
      file: path.basename(file),
      kind,
      ...(line === undefined ? {} : { line }),
    })),
    messages: problems.map((p) => p.message),
  };
}

async function notFound(target: string): Promise<string> {
  try {
    await read(target);
  } catch (error) {
    if (isUnderstudyError(error, 'E_NOT_FOUND')) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('reading a capture', () => {
  it('reads every complete line of a file truncated anywhere, then reports the truncation', async () => {
    const dir = await tempDir();
    const records = Array.from({ length: 300 }, (_, i) => record(i, `body ${i} `.repeat(i % 20)));
    // Written as the writer does: a sync flush every 50 records, so a cut file reads up to one.
    const gzip = createGzip();
    const chunks: Buffer[] = [];
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.write(ndjson([header()]));
    for (let i = 0; i < records.length; i++) {
      gzip.write(ndjson([records[i]]));
      if (i % 50 === 49)
        await new Promise((r) => gzip.flush(constants.Z_SYNC_FLUSH, () => r(null)));
    }
    await new Promise((r) => gzip.end(r));
    const whole = Buffer.concat(chunks);
    let previous = -1;
    for (const cut of [
      0,
      5,
      30,
      Math.floor(whole.length / 3),
      Math.floor(whole.length / 2),
      whole.length - 9,
      whole.length - 1,
    ]) {
      const file = path.join(dir, `cut-${cut}.ndjson.gz`);
      await writeFile(file, whole.subarray(0, cut));
      const { ids, problems } = await read(file);
      const readable =
        cut < 10
          ? ''
          : gunzipSync(whole.subarray(0, cut), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
      const complete = Math.max(0, readable.split('\n').length - 2);
      expect(ids).toEqual(records.slice(0, complete).map((r) => r.id));
      expect(problems).toEqual([{ file: `cut-${cut}.ndjson.gz`, kind: 'truncated' }]);
      expect(complete).toBeGreaterThanOrEqual(previous);
      previous = complete;
    }
    expect(previous).toBeGreaterThan(250);
  });

  it('skips and reports bad lines, and keeps reading', async () => {
    const dir = await tempDir();
    const lines = [
      header(),
      record(1),
      'not json{',
      { type: 'other' },
      [1, 2],
      { ...record(2), id: 7 },
      '',
      record(3),
    ];
    await writeFile(
      path.join(dir, 'capture-20261121T101500Z-0001.ndjson.gz'),
      gzipSync(ndjson(lines)),
    );
    const { ids, problems, messages } = await read(dir);
    expect(ids).toEqual(['r-1', 'r-3']);
    const file = 'capture-20261121T101500Z-0001.ndjson.gz';
    expect(problems).toEqual([
      { file, line: 3, kind: 'corrupt' },
      { file, line: 4, kind: 'invalid' },
      { file, line: 5, kind: 'invalid' },
      { file, line: 6, kind: 'invalid' },
    ]);
    expect(messages[1]).toBe('not a capture record: type is "other"');
  });

  it('reads the files of a directory in order, skipping foreign, damaged and newer ones', async () => {
    const dir = await tempDir();
    const write = (name: string, data: Buffer | string) => writeFile(path.join(dir, name), data);
    const file = (ids: number[], version = 1) =>
      gzipSync(ndjson([header(version), ...ids.map((i) => record(i))]));
    await write('capture-20261121T101500Z-0002.ndjson.gz', file([3, 4]));
    await write('capture-20261121T101500Z-10000.ndjson.gz', file([5]));
    await write('capture-20261121T101500Z-0001.ndjson.gz', file([1, 2]));
    await write('capture-20261121T111500Z-0001.ndjson.gz', file([6]));
    await write('capture-20261121T101500Z-0003.ndjson.gz', 'plain text, not gzip');
    await write('capture-20261121T101500Z-0004.ndjson.gz', file([99], 2));
    // Damaged in the middle of the compressed data: what comes before the damage is read.
    const long = file(Array.from({ length: 2000 }, (_, i) => 1000 + i));
    long.fill(0, Math.floor(long.length / 2), Math.floor(long.length / 2) + 64);
    await write('capture-20261121T101500Z-0005.ndjson.gz', long);
    await write('README.txt', 'not a capture');
    await write('capture-old.ndjson.gz', file([42]));
    await mkdir(path.join(dir, 'import-20261121T101500Z'));

    const { ids, problems, messages } = await read(dir);
    // Up to the damage the records are exact; after it, deflate may decode plausible garbage
    // until the checksum at the end fails, so the file is reported as corrupt.
    const damaged = ids.filter((id) => Number(id.slice(2)) >= 1000).slice(0, 500);
    expect(damaged).toEqual(damaged.map((_, i) => `r-${1000 + i}`));
    expect(ids.filter((id) => Number(id.slice(2)) < 1000)).toEqual([
      'r-1',
      'r-2',
      'r-3',
      'r-4',
      'r-5',
      'r-6',
    ]);
    expect(ids.indexOf('r-5')).toBeGreaterThan(ids.indexOf('r-1000'));
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: 'capture-20261121T101500Z-0003.ndjson.gz', kind: 'corrupt' },
        { file: 'capture-20261121T101500Z-0004.ndjson.gz', line: 1, kind: 'version' },
        expect.objectContaining({
          file: 'capture-20261121T101500Z-0005.ndjson.gz',
          kind: 'corrupt',
        }),
      ]),
    );
    expect(messages).toContain('not a gzip file (0 lines)');
    expect(messages.join('\n')).toMatch(
      /format 2 by understudy test; this Understudy reads format 1/,
    );
  });

  it('refuses a missing path and a directory without capture files', async () => {
    const dir = await tempDir();
    expect(await notFound(path.join(dir, 'nothing-here'))).toMatch(/^no capture at /);
    expect(await notFound(dir)).toMatch(/^no capture files in /);
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    expect(await notFound(dir)).toMatch(/^no capture files in /);
  });

  it('reads 100,000 records in flat memory', async () => {
    const dir = await tempDir();
    const count = 100_000;
    const body = 'x'.repeat(2000);
    function* lines(): Generator<string> {
      yield ndjson([header()]);
      for (let i = 0; i < count; i += 1000) {
        yield ndjson(Array.from({ length: 1000 }, (_, j) => record(i + j, body)));
      }
    }
    const file = path.join(dir, 'capture-20261121T101500Z-0001.ndjson.gz');
    await pipeline(Readable.from(lines()), createGzip({ level: 1 }), createWriteStream(file));
    expect((await readFile(file)).length).toBeLessThan(10 * 1024 * 1024);

    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let seen = 0;
    for await (const r of readCapture(dir)) {
      if (r.id !== `r-${seen}`) throw new Error(`out of order at ${seen}`);
      seen++;
      if (seen % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(seen).toBe(count);
    // About 230 MB of JSON went through; what stays in memory is a few chunks and one line.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
