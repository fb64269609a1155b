import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeployLog,
  runDeployCommand,
  runDeployWebhook,
  verifyHttp,
  verifyPrometheus,
} from './deploy-action.js';

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

describe('deploying through a webhook', () => {
  async function deployService(behaviour: 'ok' | 'fails' | 'silent' | 'stuck') {
    const deployments = new Map<string, number>();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST') {
        if (behaviour === 'silent') return; // accepts the connection, never answers
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => {
          const { deployment } = JSON.parse(text) as { deployment: number };
          deployments.set(String(deployment), Date.now());
          res.writeHead(202).end();
        });
        return;
      }
      const started = deployments.get(url.searchParams.get('deployment') ?? '');
      const done = started !== undefined && Date.now() - started > 1200 && behaviour !== 'stuck';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          !done
            ? { status: 'running' }
            : behaviour === 'fails'
              ? { status: 'failed', reason: 'image not found' }
              : { status: 'succeeded' },
        ),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, server };
  }

  const call = (base: string, timeoutMs: number, log: string[] = []) =>
    runDeployWebhook({
      url: `${base}/deploy`,
      statusUrl: `${base}/status`,
      payload: { version: 'v2', env: 'staging', deployment: 7 },
      deployment: 7,
      timeoutMs,
      onOutput: (text) => log.push(text.trim()),
    });

  it('posts the deployment and polls its status until it succeeds or fails', async () => {
    const ok = await deployService('ok');
    const log: string[] = [];
    expect(await call(ok.base, 10_000, log)).toEqual({ ok: true });
    expect(log).toEqual([
      `webhook: ${ok.base}/deploy accepted the deploy (202)`,
      'webhook: status running',
      'webhook: status succeeded',
    ]);
    const fails = await deployService('fails');
    expect(await call(fails.base, 10_000)).toEqual({
      ok: false,
      reason: 'the deploy webhook reported a failure: image not found',
    });
    for (const s of [ok.server, fails.server]) s.close();
  });

  it('fails a webhook that never answers, and a deploy that never finishes, at the timeout', async () => {
    const silent = await deployService('silent');
    expect(await call(silent.base, 1000)).toEqual({
      ok: false,
      reason: 'the deploy webhook did not answer: timed out',
    });
    const stuck = await deployService('stuck');
    expect(await call(stuck.base, 2000)).toEqual({
      ok: false,
      reason: 'the deploy webhook did not finish within 2 s (last status: running)',
    });
    for (const s of [silent.server, stuck.server]) {
      s.closeAllConnections();
      s.close();
    }
  });
});

describe('verification by a Prometheus threshold', () => {
  it('passes at or below the threshold, and fails above it or without one number', async () => {
    const answers: Record<string, unknown> = {
      ok: {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.002'] }] },
      },
      high: { status: 'success', data: { resultType: 'scalar', result: [1, '0.07'] } },
      none: { status: 'success', data: { resultType: 'vector', result: [] } },
      bad: { status: 'error', error: 'parse error at char 4' },
    };
    const server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answers[query]));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await verifyPrometheus({ url, query: 'ok', max: 0.01 })).toEqual({
        ok: true,
        value: 0.002,
      });
      expect(await verifyPrometheus({ url, query: 'high', max: 0.01 })).toEqual({
        ok: false,
        value: 0.07,
        reason: 'verification failed: high is 0.07, above 0.01',
      });
      expect(await verifyPrometheus({ url, query: 'none', max: 1 })).toMatchObject({
        ok: false,
        reason: 'the Prometheus query gave 0 samples, not one: none',
      });
      expect(await verifyPrometheus({ url, query: 'bad', max: 1 })).toMatchObject({
        ok: false,
        reason: 'Prometheus refused the query: parse error at char 4',
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect((await verifyPrometheus({ url, query: 'ok', max: 1 })).ok).toBe(false);
  });
});
