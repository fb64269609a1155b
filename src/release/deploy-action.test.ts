import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeployLog, runDeployCommand, verifyHttp } from './deploy-action.js';

describe('the deploy command', () => {
  it('gets VERSION and ENV, and its output as it comes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-deploy-'));
    let output = '';
    const outcome = await runDeployCommand({
      command: 'echo "deploying $VERSION to $ENV"; echo oops >&2',
      cwd: dir,
      env: { VERSION: 'v1.4.2', ENV: 'staging' },
      timeoutMs: 10_000,
      onOutput: (text) => (output += text),
    });
    expect(outcome).toEqual({ ok: true });
    expect(output).toContain('deploying v1.4.2 to staging');
    expect(output).toContain('oops');
  });

  it('fails with the exit code, and stops a hanging command with everything it started', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-deploy-'));
    const failing = await runDeployCommand({
      command: 'exit 3',
      cwd: dir,
      env: {},
      timeoutMs: 10_000,
      onOutput: () => undefined,
    });
    expect(failing).toEqual({ ok: false, reason: 'the deploy command exited with 3' });

    const hanging = await runDeployCommand({
      // A child of the shell that would write a file if it outlived the timeout.
      command: '(sleep 2; echo survived > survivor) & sleep 30',
      cwd: dir,
      env: {},
      timeoutMs: 500,
      onOutput: () => undefined,
    });
    expect(hanging).toEqual({
      ok: false,
      reason: 'the deploy command did not finish within 0.5 s',
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await expect(readFile(path.join(dir, 'survivor'))).rejects.toThrow(/ENOENT/);
  });

  it('keeps the newest output when there is too much', () => {
    const log = new DeployLog();
    for (let i = 0; i < 40_000; i++) log.add(`line ${i}\n`);
    const text = log.toString();
    expect(text.startsWith('… (earlier output cut)\n')).toBe(true);
    expect(text.endsWith('line 39999\n')).toBe(true);
    expect(text.length).toBeLessThan(300_000);
  });
});

describe('verification over HTTP', () => {
  it('passes when every check in the window is 2xx, and names the first that is not', async () => {
    let status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status);
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    try {
      expect(await verifyHttp({ url, forMs: 1500 })).toEqual({ ok: true });
      setTimeout(() => (status = 503), 700);
      expect(await verifyHttp({ url, forMs: 3000 })).toEqual({
        ok: false,
        reason: `verification failed: ${url} answered 503`,
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const gone = await verifyHttp({ url, forMs: 1000 });
    expect(gone.ok).toBe(false);
    expect(!gone.ok && gone.reason).toMatch(/did not answer/);
  });
});
