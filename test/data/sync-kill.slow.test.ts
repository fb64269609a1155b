// A sync killed with SIGKILL at any point leaves the previous staging data complete and usable,
// and the next run cleans up what the killed one left and succeeds.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from '../../src/data/sync-run.js';
import { cleanupLeftovers } from '../../src/data/sync-target.js';
import { repoRoot, usePostgres } from '../harness/postgres.js';
import { createSource, syncDatabases, tableText, tables, testOptions } from './sync-helpers.js';

const pg = usePostgres();
const child = path.join(repoRoot, 'test', 'fixtures', 'data', 'sync-child.ts');

/** Starts a sync in a child process and kills it with SIGKILL once `when` says so. */
function killedSync(
  plan: object,
  when: { readonly pauseAt: string } | { readonly afterMs: number },
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    // node itself, not the tsx wrapper: SIGKILL must hit the process that runs the sync.
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      env: {
        ...process.env,
        SYNC_PLAN: JSON.stringify(plan),
        PAUSE_AT: 'pauseAt' in when ? when.pauseAt : '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        events.push(line);
        const event = JSON.parse(line) as {
          type: string;
          phase?: string;
          rows?: number;
          done?: boolean;
        };
        const here =
          event.type === 'phase'
            ? event.phase
            : event.type === 'table' && !event.done
              ? 'rows'
              : '';
        if ('pauseAt' in when && here === when.pauseAt) proc.kill('SIGKILL');
      }
    });
    if ('afterMs' in when) setTimeout(() => proc.kill('SIGKILL'), when.afterMs);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(events);
      else reject(new Error(`the sync child exited with ${code}: ${err}`));
    });
  });
}

/** Waits until the killed child's sessions have ended on the server. */
async function sessionsGone(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const rows = await pg().query(
      pg().url,
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'understudy sync'",
    );
    if (rows.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a sync killed with SIGKILL', () => {
  it('always leaves the previous data intact, and the next run cleans up and succeeds', async () => {
    const source = await createSource(pg());
    const target = pg().urlFor('killed');
    const plan = {
      source: { url: source },
      target: { url: target },
      tables: [
        {
          schema: 'app',
          name: 'notes',
          rows: 'all',
          masks: [{ column: 'body', spec: { masker: 'full_name' } }],
        },
      ],
    };
    await runSync(plan as Parameters<typeof runSync>[0], testOptions());
    const before = await Promise.all(tables.map((t) => tableText(pg(), target, t)));
    // Changed after the first copy: a completed later run must show it, a killed one must not.
    await pg().exec(source, "UPDATE app.customers SET first_name = 'Changed' WHERE id = 100");

    const points = [
      // Timed kills first: where they land depends on the machine's load. The run after each
      // kill cleans up the one before, so the last, exact point decides what is left over.
      { afterMs: 900 },
      { afterMs: 1600 },
      { pauseAt: 'pre-data' },
      { pauseAt: 'rows' },
      { pauseAt: 'post-data' },
      { pauseAt: 'analyze' },
      { pauseAt: 'template' },
      { pauseAt: 'swap' },
      { pauseAt: 'renamed' },
    ];
    for (const point of points) {
      const events = await killedSync(plan, point);
      const completed = events.some((e) => e.includes('"result"'));
      await sessionsGone();
      const after = await Promise.all(tables.map((t) => tableText(pg(), target, t)));
      if (!completed) expect(after, JSON.stringify(point)).toEqual(before);
      else {
        // A timed kill that came too late: the run finished, and the data is the new copy.
        expect(after[0]).toContain('Changed');
        before.splice(0, before.length, ...after);
      }
    }
    const left = await syncDatabases(pg(), 'killed');
    expect(left.some((name) => name.includes('__us_new_'))).toBe(true);
    expect(await cleanupLeftovers(pg().url, 'killed')).not.toEqual([]);

    await pg().exec(source, "UPDATE app.customers SET first_name = 'Again' WHERE id = 100");
    await killedSync(plan, { pauseAt: 'post-data' });
    const result = await runSync(plan as Parameters<typeof runSync>[0], testOptions());
    expect(await tableText(pg(), target, 'app.customers')).toContain('Again');
    expect(await syncDatabases(pg(), 'killed')).toEqual([result.template]);
  }, 180_000);
});
