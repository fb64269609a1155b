import { readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CAPTURE_FILE_PATTERN, type CaptureRecord } from './capture-format.js';
import { readAll, record, tempDir, until, writer } from './capture-writer.test-helper.js';

describe('capture writer', () => {
  it('writes gzip NDJSON files that start with a header and read back in order', async () => {
    const dir = await tempDir();
    const sink = await writer({
      dir,
      upstream: 'http://127.0.0.1:3000',
      writer: 'understudy 9.9.9',
    });
    for (let i = 0; i < 100; i++) expect(sink.offer(record(i))).toBe(true);
    await sink.close();
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(CAPTURE_FILE_PATTERN);
    const lines = gunzipSync(readFileSync(path.join(dir, files[0]!)))
      .toString()
      .split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'header',
      version: 1,
      writer: 'understudy 9.9.9',
      maxBodyBytes: 1024,
      upstream: 'http://127.0.0.1:3000',
    });
    const { records, problems } = await readAll(dir);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => `r-${i}`));
    expect(sink.stats()).toMatchObject({ recorded: 100, dropped: 0, queued: 0 });
    expect(sink.stats().bytes).toBe(readFileSync(path.join(dir, files[0]!)).length);
  });

  it('flushes while running, so an unfinished file already reads up to its last flush', async () => {
    const dir = await tempDir();
    const sink = await writer({ dir, flushMs: 50 });
    for (let i = 0; i < 20; i++) sink.offer(record(i));
    await until(() => sink.stats().recorded === 20);
    // The file is still open: no gzip trailer yet, yet every flushed record is readable.
    const [file] = await readdir(dir);
    const text = gunzipSync(readFileSync(path.join(dir, file!)), {
      finishFlush: constants.Z_SYNC_FLUSH,
    }).toString();
    expect(text.endsWith('\n')).toBe(true);
    const { records, problems } = await readAll(dir);
    expect(records).toHaveLength(20);
    expect(problems.map((p) => p.kind)).toEqual(['truncated']);
  });

  it('rotates files by compressed size and by age', async () => {
    const bySize = await tempDir();
    const big = await writer({ dir: bySize, maxFileBytes: 4096, flushMs: 10 });
    // Size is known once compressed output reaches the disk, so records arrive in waves.
    for (let wave = 0; wave < 6; wave++) {
      for (let i = 0; i < 10; i++) big.offer(record(wave * 10 + i, 1024));
      await until(() => big.stats().recorded === wave * 10 + 10);
    }
    await big.close();
    const files = await readdir(bySize);
    expect(files.length).toBeGreaterThan(3);
    expect(files.every((f) => CAPTURE_FILE_PATTERN.test(f))).toBe(true);
    const { records, problems } = await readAll(bySize);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(Array.from({ length: 60 }, (_, i) => `r-${i}`));

    const byAge = await tempDir();
    const old = await writer({ dir: byAge, maxFileAgeMs: 100, flushMs: 20 });
    old.offer(record(1));
    // Idle past the age: the file is finished (complete, with its trailer) without a new record.
    await until(() => old.stats().recorded === 1);
    await new Promise((r) => setTimeout(r, 250));
    expect((await readAll(byAge)).problems).toEqual([]);
    old.offer(record(2));
    await old.close();
    expect(await readdir(byAge)).toHaveLength(2);
    expect((await readAll(byAge)).records.map((r) => r.id)).toEqual(['r-1', 'r-2']);
  });

  it('drops and counts records beyond the queue bounds, by count and by bytes', async () => {
    const dir = await tempDir();
    const sink = await writer({ dir, queueLimit: 3 });
    const accepted = Array.from({ length: 10 }, (_, i) => sink.offer(record(i)));
    expect(accepted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(sink.stats()).toMatchObject({ queued: 3, dropped: 7, dropReasons: { 'queue-full': 7 } });
    await sink.close();
    expect(sink.stats()).toMatchObject({ recorded: 3, dropped: 7 });

    const small = await writer({ dir: await tempDir(), queueBytesLimit: 3000 });
    const results = Array.from({ length: 5 }, (_, i) => small.offer(record(i, 1000)));
    expect(results.filter(Boolean).length).toBeLessThan(5);
    expect(small.stats().dropReasons['queue-full']).toBe(results.filter((r) => !r).length);
  });

  it('offer is synchronous and cheap, and never throws', async () => {
    const sink = await writer({ dir: await tempDir(), queueLimit: 50_000 });
    const records = Array.from({ length: 20_000 }, (_, i) => record(i, 64));
    const results: unknown[] = [];
    // offer() is synchronous: every record is queued before any of it reaches the disk (the
    // speed is a benchmark's business, not a test's).
    for (const r of records) results.push(sink.offer(r));
    expect(results.every((r) => r === true)).toBe(true);
    expect(sink.stats().recorded).toBe(0);
    expect(sink.offer(null as unknown as CaptureRecord)).toBe(false);
    expect(sink.stats().dropReasons).toEqual({ invalid: 1 });
    await sink.close();
    expect(sink.stats().recorded).toBe(20_000);
    expect(sink.offer(record(1))).toBe(false);
    expect(sink.stats().dropReasons.closed).toBe(1);
  });
});
