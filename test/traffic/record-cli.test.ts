/** `understudy record` refuses bad input with exit 2 and one clear line, before serving anything. */
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { startRecorder } from './record-process.js';

const key = { UNDERSTUDY_REDACT_KEY: 'cli test key, long enough' };
let dir: string;
let busy: http.Server;
let busyPort: number;

beforeAll(async () => {
  dir = await tempProject('understudy-record-cli-');
  busy = http.createServer((_req, res) => res.end('busy'));
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('understudy record, bad input', () => {
  it('names the port when it is in use (exit 2)', async () => {
    const run = await runUnderstudy(
      [
        'record',
        '--upstream',
        'http://127.0.0.1:9',
        '--listen',
        `127.0.0.1:${busyPort}`,
        '--out',
        'c',
      ],
      { cwd: dir, env: key },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`port ${busyPort} is already in use`);
  });

  it('needs a redaction key, an upstream, and a listen address it understands (exit 2)', async () => {
    const noKey = await runUnderstudy(['record', '--upstream', 'http://127.0.0.1:9'], {
      cwd: dir,
      env: { UNDERSTUDY_REDACT_KEY: undefined },
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no redaction key');
    expect(noKey.stderr).toContain('UNDERSTUDY_REDACT_KEY');

    const noUpstream = await runUnderstudy(['record', '--json'], { cwd: dir, env: key });
    expect(noUpstream.code).toBe(2);
    expect(noUpstream.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'E_USAGE',
      message: 'no upstream to record: pass --upstream URL',
    });

    const badListen = await runUnderstudy(
      ['record', '--upstream', 'http://127.0.0.1:9', '--listen', 'nowhere'],
      { cwd: dir, env: key },
    );
    expect(badListen.code).toBe(2);
    expect(badListen.stderr).toContain('--listen must be PORT or HOST:PORT');
  });

  it('takes its settings from understudy.yaml, and prints the counters when stopped', async () => {
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      [
        'project: cli',
        'environments: { production: { url: "http://127.0.0.1:1" } }',
        'traffic:',
        '  key: ${UNDERSTUDY_REDACT_KEY}',
        '  record:',
        `    upstream: http://127.0.0.1:${busyPort}`,
        '    listen: 127.0.0.1:0',
        '    out: from-config',
        '',
      ].join('\n'),
    );
    const recorder = await startRecorder([], { cwd: dir, env: key });
    expect(await (await fetch(`${recorder.url}/x`)).text()).toBe('busy');
    const { code, stdout } = await recorder.stop();
    expect(code).toBe(0);
    expect(stdout).toContain('captures in from-config, redacted');
    expect(stdout).toMatch(
      /stopped: 1 requests, 1 recorded, 0 dropped, 0 skipped, 0 upstream errors/,
    );
  });
});
