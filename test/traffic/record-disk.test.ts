/**
 * Done means: "With the capture directory made unwritable mid-run, every proxied request still
 * succeeds and the drops are counted." Tests run as root, for whom permissions do not stop a
 * write, so the directory is made unusable for anyone: removed and replaced by a plain file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecorder, until } from './record-process.js';

let upstream: http.Server;
let upstreamUrl: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'understudy-record-disk-'));
  upstream = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
  await rm(work, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

describe('understudy record when the disk fails', () => {
  it('serves every request while the capture directory is gone, and counts the drops', async () => {
    const out = path.join(work, 'captures');
    const recorder = await startRecorder(
      ['--json', '--upstream', upstreamUrl, '--listen', '127.0.0.1:0', '--out', out],
      { cwd: work, env: { UNDERSTUDY_REDACT_KEY: 'disk test key, long enough' } },
    );
    let sent = 0;
    const failures: string[] = [];
    const burst = async (n: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: n }, async () => {
          const i = sent++;
          const answer = await get(`${recorder.url}/item/${i}`).catch((e: unknown) => ({
            status: 0,
            body: String(e),
          }));
          if (answer.status !== 200 || answer.body !== JSON.stringify({ path: `/item/${i}` }))
            failures.push(`${i}: ${answer.status} ${answer.body}`);
        }),
      );
    };

    await burst(20);
    await until(async () => (await recorder.health()).recorded === 20);

    // The directory goes away and a file takes its name: nothing can be written there now.
    await rm(out, { recursive: true, force: true });
    await writeFile(out, 'not a directory');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      await burst(10);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until(async () => (await recorder.health()).queued === 0);
    const health = await recorder.health();
    expect(failures).toEqual([]);
    expect(health.requests).toBe(sent);
    expect(health.upstreamErrors).toBe(0);
    expect(health.dropped).toBeGreaterThan(0);
    expect(health.dropReasons['disk-error']).toBeGreaterThan(0);
    expect(health.recorded + health.dropped).toBe(sent);
    expect(health.lastError).toBeDefined();

    const { code, stdout } = await recorder.stop();
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { ok: boolean; requests: number; dropped: number };
    expect(summary).toMatchObject({ ok: true, command: 'record', requests: sent });
    expect(summary.dropped).toBeGreaterThan(0);
  });
});
