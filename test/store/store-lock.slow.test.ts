/**
 * The embedded store's lock across real processes (slow: each child starts Node, tsx and PGlite).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { lockFileName } from '../../src/store/store-lock.js';
import { repoRoot } from '../harness/postgres.js';
import { freshStoreDir } from './store-fixtures.js';

/** Runs a script in a separate Node process that opens the store in `dir`; resolves once it is open. */
function childHoldingStore(
  dir: string,
  then: 'wait' | 'exit',
): Promise<{ pid: number; kill(): void; exited: Promise<number | null> }> {
  const script = `
    import { openStore } from ${JSON.stringify(path.join(repoRoot, 'src/store/open-store.ts'))};
    await openStore({ dir: ${JSON.stringify(dir)} });
    process.stdout.write('open\\n');
    ${then === 'exit' ? 'process.exit(0);' : 'setInterval(() => undefined, 1000);'}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('open'))
        resolve({ pid: child.pid ?? -1, kill: () => child.kill('SIGKILL'), exited });
    });
    void exited.then((code) =>
      reject(new Error(`the child exited (${code}) before opening the store: ${errors}`)),
    );
  });
}

describe('embedded store lock across processes', () => {
  it('works across processes: a live holder keeps others out, a killed one leaves a lock that is taken over, an exiting one releases it', async () => {
    const dir = await freshStoreDir();
    const holder = await childHoldingStore(dir, 'wait');
    try {
      const error = await openStore({ dir, lockWaitMs: 300 }).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`is in use by process ${holder.pid};`);
    } finally {
      // SIGKILL runs no exit handler: the lock file stays behind, as after a crash.
      holder.kill();
      await holder.exited;
    }
    expect(existsSync(path.join(dir, lockFileName))).toBe(true);
    const store = await openStore({ dir, lockWaitMs: 300 });
    await store.close();

    const exiting = await childHoldingStore(dir, 'exit');
    expect(await exiting.exited).toBe(0);
    expect(existsSync(path.join(dir, lockFileName))).toBe(false);
  }, 60_000);
});
