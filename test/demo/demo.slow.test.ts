/**
 * `understudy demo --no-dashboard --json` end to end, as a newcomer runs it: the real binary
 * starts its PostgreSQL servers, services and proxy, tells the story, and leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../src/demo/demo-summary.js';
import { binary } from '../harness/cli.js';

interface DemoRun {
  readonly code: number | null;
  readonly pid: number;
  readonly ms: number;
  readonly stderr: string;
  readonly doc: { ok: boolean; summary: DemoSummary; configFile: string };
}

function runDemo(): Promise<DemoRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [binary, 'demo', '--no-dashboard', '--json'], {
    cwd: os.tmpdir(),
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGINT'), 150_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({
          code,
          pid: child.pid ?? 0,
          ms: performance.now() - started,
          stderr,
          doc: JSON.parse(stdout) as DemoRun['doc'],
        });
      } catch {
        reject(new Error(`demo exited with ${code}: ${stderr}\n${stdout}`));
      }
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Command lines of running processes that contain `text` (Linux; empty elsewhere). */
function processesMentioning(text: string): string[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(cmdline);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('understudy demo', () => {
  let run: DemoRun;
  let summary: DemoSummary;
  beforeAll(async () => {
    run = await runDemo();
    summary = run.doc.summary;
  }, 180_000);

  it('tells the whole story as planned and says so', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.doc.ok).toBe(true);
    expect(summary.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(run.stderr).toContain('promote v2 → production');
    // The story itself (the process also starts Node and exits): well under a minute.
    expect(summary.durationMs).toBeLessThan(60_000);
  });

  it('records the generated traffic without dropping any', () => {
    expect(summary.traffic.sent).toBeGreaterThan(100);
    expect(summary.traffic.recorded).toBe(summary.traffic.sent);
    expect(summary.traffic.dropped).toBe(0);
  });

  it('masks every personal column of the sync and proves nothing leaked', () => {
    expect(summary.scan.uncovered).toBe(0);
    expect(summary.sync.maskedColumns).toEqual(
      expect.arrayContaining(
        ['full_name', 'email', 'phone', 'street', 'city', 'postal_code', 'birth_date'].map(
          (c) => `public.customers.${c}`,
        ),
      ),
    );
    expect(summary.sync.rows).toBeGreaterThan(5_000);
    expect(summary.sync.verified).toBe(true);
  });

  it('parity passes with v1 in staging and reports v2’s dropped index as breaking drift', () => {
    expect(summary.parity.v1.status).toBe('pass');
    expect(summary.parity.v2.status).toBe('drift');
    const breaking = summary.parity.v2.differences.filter(
      (d) => d.verdict === 'drift' && d.severity === 'breaking',
    );
    expect(breaking.map((d) => d.path)).toEqual([
      expect.stringContaining('orders_customer_id_idx'),
    ]);
  });

  it('the replay finds exactly the planted regression: v2’s order totals', () => {
    expect(summary.replay.v1.status).toBe('pass');
    expect(summary.replay.v1.counts.regression).toBe(0);
    const { v2 } = summary.replay;
    expect(v2.status).toBe('fail');
    expect(v2.regressions.map((r) => [r.route, r.path])).toEqual([['GET /orders/{id}', '$.total']]);
    expect(v2.regressions[0]?.requests).toBe(v2.counts.regression);
    expect(v2.counts.regression).toBeGreaterThan(10);
    // Every request ends in one bucket.
    const c = v2.counts;
    expect(
      (c.match ?? 0) + (c.noise ?? 0) + (c.regression ?? 0) + (c.skipped ?? 0) + (c.error ?? 0),
    ).toBe(c.total);
  });

  it('v1 reached production through the gates; v2 is refused with reasons', () => {
    expect(summary.promotions.map((p) => [p.version, p.env, p.outcome])).toEqual([
      ['v1', 'staging', 'deployed'],
      ['v1', 'production', 'deployed'],
      ['v2', 'staging', 'deployed'],
      ['v2', 'production', 'denied'],
    ]);
    const gate = (name: string) => summary.blocked.gates.find((g) => g.gate === name);
    expect(gate('parity')).toMatchObject({ status: 'fail' });
    expect(gate('replay')).toMatchObject({ status: 'fail' });
    expect(gate('approvals')?.status).not.toBe('pass');
    expect(gate('approvals')?.reason).toMatch(/0 of 2/);
    for (const g of summary.blocked.gates) expect(g.reason).not.toBe('');
  });

  it('stops everything it started', async () => {
    expect(existsSync(summary.dir)).toBe(false);
    const ports = [
      summary.urls.production,
      summary.urls.staging,
      summary.urls.proxy,
      summary.urls.productionDatabase,
      summary.urls.stagingDatabase,
    ].map((url) => Number(new URL(url).port));
    for (const port of ports) expect(await listening(port)).toBe(false);
    expect(processesMentioning(`--owner-pid ${run.pid}`)).toEqual([]);
    expect(processesMentioning(summary.dir)).toEqual([]);
  });
});

describe('understudy demo with its dashboard', () => {
  it('prints the dashboard address and a sign-in within a minute, serves it, and Ctrl-C ends it all', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const started = performance.now();
    const child = spawn(process.execPath, [binary, 'demo', '--port', String(port)], {
      cwd: os.tmpdir(),
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect
        .poll(() => stdout, { timeout: 60_000, interval: 200 })
        .toContain(`dashboard at http://127.0.0.1:${port}`);
      expect(performance.now() - started).toBeLessThan(60_000);
      const password = /sign in as admin \(admin\), password (\S+)/.exec(stdout)?.[1];
      expect(password).toBeDefined();
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const signIn = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin', password }),
      });
      expect(signIn.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(await listening(port)).toBe(false);
    const dir = /cd (\S+) &&/.exec(stdout)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  }, 120_000);
});
