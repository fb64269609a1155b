import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/traffic/capture-format.js';
import { readCapture } from '../../src/traffic/capture-read.js';
import type { Har } from '../../src/traffic/har-types.js';
import { binary, runUnderstudy, tempProject } from '../harness/cli.js';
import { repoRoot } from '../harness/postgres.js';

const fixture = path.join(repoRoot, 'test/fixtures/traffic/har/shop-browser.har');
const key = { UNDERSTUDY_REDACT_KEY: 'an end-to-end redaction key, long enough' };

/** Secrets the fixture sends in headers, cookies, bodies and a form: none may reach a capture. */
const secrets = [
  'correct horse battery staple',
  'ada.lovelace@example.org',
  '4111 1111 1111 1111',
  '3f9a1c2e7b5d4e6f8a0b',
  '9c8b7a6f5e4d3c2b1a00',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
];

async function captureText(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson.gz'));
  const texts = await Promise.all(
    files.map(async (f) =>
      gunzipSync(await readFile(path.join(dir, f)), {
        finishFlush: constants.Z_SYNC_FLUSH,
      }).toString(),
    ),
  );
  return texts.join('');
}

async function records(target: string): Promise<CaptureRecord[]> {
  const all: CaptureRecord[] = [];
  for await (const r of readCapture(target)) all.push(r);
  return all;
}

describe('understudy traffic', () => {
  it('imports a HAR, redacted, and shows what the capture holds', async () => {
    const dir = await tempProject();
    const imported = await runUnderstudy(
      ['traffic', 'import', fixture, '--out', 'caps', '--json'],
      {
        cwd: dir,
        env: key,
      },
    );
    expect(imported.code).toBe(0);
    expect(imported.json()).toMatchObject({
      command: 'traffic import',
      ok: true,
      out: 'caps',
      records: 9,
      sessions: 1,
      skipped: 0,
      redactionKey: 'env',
    });
    const text = await captureText(path.join(dir, 'caps'));
    for (const secret of secrets) expect(text).not.toContain(secret);

    const shown = await runUnderstudy(['traffic', 'show', 'caps'], { cwd: dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('capture caps: 1 file, 9 exchanges');
    expect(shown.stdout).toContain('2026-11-21T10:15:01.204Z → 2026-11-21T10:15:12.240Z');
    expect(shown.stdout).toContain('methods   GET 7 · POST 2');
    expect(shown.stdout).toContain('statuses  200 7 · 303 1 · none 1');
    expect(shown.stdout).toContain('✓ every line read');
    const json = await runUnderstudy(['traffic', 'show', 'caps', '--json'], { cwd: dir });
    expect(json.json()).toMatchObject({
      command: 'traffic show',
      records: 9,
      sessions: 1,
      methods: { GET: 7, POST: 2 },
      statuses: { '200': 7, '303': 1, none: 1 },
      truncatedBodies: 1,
      problems: [],
    });

    // The same key gives the same tokens: a second import correlates with the first.
    const again = await runUnderstudy(
      ['traffic', 'import', fixture, '--out', 'caps2', '--sessions', 'page'],
      { cwd: dir, env: key },
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /imported 9 exchanges .* into caps2 \(2 sessions, \d+ values redacted\)/,
    );
    const first = await records(path.join(dir, 'caps'));
    const second = await records(path.join(dir, 'caps2'));
    expect(second.map((r) => r.request.headers)).toEqual(first.map((r) => r.request.headers));
  });

  it('writes the default capture under traffic.record.out, with the configured redaction', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      [
        'project: shop',
        'environments:',
        '  staging: {}',
        'traffic:',
        '  key: a configured redaction key',
        '  record:',
        '    upstream: http://127.0.0.1:3000',
        '    out: recordings',
        '    redact: { headers: [x-request-id] }',
        '',
      ].join('\n'),
    );
    const run = await runUnderstudy(
      ['traffic', 'import', fixture, '--origin', 'https://shop.example.com', '--json'],
      { cwd: dir, env: key },
    );
    expect(run.code).toBe(0);
    const doc = run.json<{ out: string }>();
    expect(doc).toMatchObject({ records: 7, skipped: 2, redactionKey: 'config' });
    expect(doc.out).toMatch(/^recordings\/import-\d{8}T\d{6}Z$/);
    const text = await captureText(path.join(dir, doc.out));
    expect(text).not.toContain('5b0e7d1e-0c7a-4d0f-9a51-2f3c4b5a6d7e');
    expect(text).toContain('"upstream":"https://shop.example.com"');
  });

  it('exports HAR 1.2 to stdout or a file, and a re-import gives the same records', async () => {
    const dir = await tempProject();
    await runUnderstudy(['traffic', 'import', fixture, '--out', 'caps'], { cwd: dir, env: key });

    const out = await runUnderstudy(['traffic', 'export', 'caps', '--har', '--json'], { cwd: dir });
    expect(out.code).toBe(0);
    // The HAR is the JSON on stdout; --json adds nothing to it.
    const har = out.json<Har>();
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries).toHaveLength(9);
    expect(out.stderr).toContain('9 exchanges exported as HAR 1.2');

    const file = await runUnderstudy(
      ['traffic', 'export', 'caps', '--har', '--out', 'shop.har', '--json'],
      { cwd: dir },
    );
    expect(file.code).toBe(0);
    expect(file.json()).toMatchObject({ command: 'traffic export', file: 'shop.har', entries: 9 });
    expect(JSON.parse(await readFile(path.join(dir, 'shop.har'), 'utf8'))).toEqual(har);

    const back = await runUnderstudy(['traffic', 'import', 'shop.har', '--out', 'back'], {
      cwd: dir,
      env: key,
    });
    expect(back.code).toBe(0);
    expect(await records(path.join(dir, 'back'))).toEqual(await records(path.join(dir, 'caps')));
  });

  it('stops quietly, with the SIGPIPE exit code, when the reader closes stdout', async () => {
    const dir = await tempProject();
    await runUnderstudy(['traffic', 'import', fixture, '--out', 'caps'], { cwd: dir, env: key });
    // The reader has gone before the first write, as `| head -c0` would.
    const child = spawn(process.execPath, [binary, 'traffic', 'export', 'caps', '--har'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(141);
  });

  it('reads what it can of a truncated capture and reports the rest', async () => {
    const dir = await tempProject();
    await runUnderstudy(['traffic', 'import', fixture, '--out', 'caps'], { cwd: dir, env: key });
    const [name] = await readdir(path.join(dir, 'caps'));
    const whole = await readFile(path.join(dir, 'caps', name!));
    await writeFile(path.join(dir, 'caps', name!), whole.subarray(0, whole.length - 100));

    const shown = await runUnderstudy(['traffic', 'show', 'caps', '--json'], { cwd: dir });
    expect(shown.code).toBe(0);
    const summary = shown.json<{ records: number; problems: { kind: string }[] }>();
    expect(summary.records).toBeLessThan(9);
    expect(summary.problems.map((p) => p.kind)).toEqual(['truncated']);

    const exported = await runUnderstudy(['traffic', 'export', 'caps', '--har'], { cwd: dir });
    expect(exported.code).toBe(0);
    expect(exported.json<Har>().log.entries).toHaveLength(summary.records);
    expect(exported.stderr).toMatch(/truncated: the file ends mid-stream/);
  });

  it('refuses bad input with exit code 2 and says what is wrong', async () => {
    const dir = await tempProject();
    await writeFile(path.join(dir, 'page.html'), '<!doctype html><html></html>');
    const notHar = await runUnderstudy(['traffic', 'import', 'page.html'], { cwd: dir });
    expect(notHar.code).toBe(2);
    expect(notHar.stderr).toContain('page.html is not a HAR file: it is not JSON');

    await writeFile(
      path.join(dir, 'bad.har'),
      JSON.stringify({
        log: {
          entries: [
            { startedDateTime: 'now', request: { method: 'GET', url: '/a' }, response: {} },
          ],
        },
      }),
    );
    const bad = await runUnderstudy(['traffic', 'import', 'bad.har', '--json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({
      ok: false,
      error: {
        code: 'E_INPUT',
        problems: [
          { path: 'log.entries[0].startedDateTime' },
          { path: 'log.entries[0].request.url', message: 'is not an absolute URL' },
          { path: 'log.entries[0].response.status', message: 'is missing' },
        ],
      },
    });

    const missing = await runUnderstudy(['traffic', 'import', 'nope.har'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file: nope.har');
    const noCapture = await runUnderstudy(['traffic', 'show', 'nowhere'], { cwd: dir });
    expect(noCapture.code).toBe(2);
    expect(noCapture.stderr).toMatch(/no capture at .*nowhere/);
    const noFormat = await runUnderstudy(['traffic', 'export', 'nowhere'], { cwd: dir });
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain("required option '--har' not specified");

    await runUnderstudy(['traffic', 'import', fixture, '--out', 'caps'], { cwd: dir, env: key });
    const twice = await runUnderstudy(['traffic', 'import', fixture, '--out', 'caps'], {
      cwd: dir,
    });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already holds a capture (1 file)');
  });
});
