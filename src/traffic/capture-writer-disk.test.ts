/**
 * The capture writer when the disk fails. Tests run as root, where chmod 000 stops nothing, so
 * failures are made in ways that stop root too: the directory deleted and a plain file put in its
 * place, and — where this process may mount (root with CAP_SYS_ADMIN; skipped otherwise) — a tiny
 * tmpfs that fills up (ENOSPC) and one remounted read-only (EROFS).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import { openCaptureWriter } from './capture-writer.js';
import { readAll, record, sinks, tempDir, until, writer } from './capture-writer.test-helper.js';

describe('capture writer on a failing disk', () => {
  it('survives the directory being replaced mid-run, counts the loss, and resumes when it is back', async () => {
    // Tests run as root, where chmod 000 stops nothing: instead the directory is deleted and a
    // plain file put in its place, which fails every write (ENOTDIR/EEXIST) even for root.
    const dir = await tempDir();
    const sink = await writer({ dir, flushMs: 20, retryMs: 100 });
    let offered = 0;
    const offer = (n: number): void => {
      for (let i = 0; i < n; i++) {
        sink.offer(record(offered++));
      }
    };
    offer(10);
    await until(() => sink.stats().recorded === 10);

    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory');
    // The open file was deleted with its directory: the writer notices at its next flush.
    await until(() => sink.stats().lastError !== undefined);
    for (let round = 0; round < 5; round++) {
      offer(10);
      await new Promise((r) => setTimeout(r, 40));
    }
    await until(() => sink.stats().queued === 0);
    const failing = sink.stats();
    expect(failing.recorded).toBe(0);
    expect(failing.dropReasons['disk-error']).toBe(offered);
    expect(failing.lastError).toBeDefined();

    // The disk is back: after the retry interval, the next record opens a new file.
    await rm(dir);
    await new Promise((r) => setTimeout(r, 150));
    offer(5);
    await until(() => sink.stats().recorded === 5);
    expect(sink.stats().lastError).toBeUndefined();
    await sink.close();
    const stats = sink.stats();
    expect(stats.recorded + stats.dropped).toBe(offered);
    const { records } = await readAll(dir);
    expect(records.map((r) => r.id)).toEqual(['r-60', 'r-61', 'r-62', 'r-63', 'r-64']);
  });

  it('refuses a directory that cannot be created at start', async () => {
    const base = await tempDir();
    await writeFile(base, 'a file');
    const error = await openCaptureWriter({
      dir: path.join(base, 'captures'),
      maxBodyBytes: 1,
    }).catch((e: unknown) => e);
    expect(isUnderstudyError(error, 'E_INPUT')).toBe(true);
  });

  it.skipIf(!canMount())(
    'on a full disk (a small tmpfs), drops with ENOSPC and resumes once there is room',
    async () => {
      const mountPoint = await mountTmpfs('64k');
      const sink = await writer({ dir: mountPoint, flushMs: 10, retryMs: 50 });
      let offered = 0;
      // Incompressible bodies: 40 KiB each, so a few fill the 64 KiB file system.
      for (let wave = 0; wave < 10; wave++) {
        for (let i = 0; i < 2; i++) {
          expect(typeof sink.offer(record(offered++, 40_000))).toBe('boolean');
        }
        await until(() => sink.stats().queued === 0);
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => (sink.stats().dropReasons['disk-error'] ?? 0) > 0);
      expect(sink.stats().lastError).toMatch(/ENOSPC/);

      // Room again: old files removed and the file system grown; recording resumes by itself.
      for (const f of await readdir(mountPoint)) await rm(path.join(mountPoint, f));
      execFileSync('mount', ['-o', 'remount,size=4m', mountPoint]);
      await new Promise((r) => setTimeout(r, 100));
      const before = sink.stats().recorded;
      for (let i = 0; i < 3; i++) sink.offer(record(offered++, 1000));
      await until(() => sink.stats().recorded === before + 3);
      await sink.close();
      const stats = sink.stats();
      expect(stats.recorded + stats.dropped).toBe(offered);
    },
  );

  it.skipIf(!canMount())('on a file system remounted read-only, drops with EROFS', async () => {
    const mountPoint = await mountTmpfs('1m');
    const sink = await writer({ dir: mountPoint, flushMs: 10, retryMs: 50, maxFileAgeMs: 30 });
    sink.offer(record(1));
    await until(() => sink.stats().recorded === 1);
    // Once the age rotation has closed the file (a file open for writing keeps the mount busy),
    // the next record needs a new file, which the read-only file system refuses.
    await new Promise((r) => setTimeout(r, 100));
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    sink.offer(record(2));
    await until(() => sink.stats().dropReasons['disk-error'] === 1);
    expect(sink.stats().lastError).toMatch(/EROFS/);
    execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    await new Promise((r) => setTimeout(r, 60));
    sink.offer(record(3));
    await sink.close();
    expect(sink.stats()).toMatchObject({ recorded: 2, dropped: 1 });
    expect((await readAll(mountPoint)).records.map((r) => r.id)).toEqual(['r-1', 'r-3']);
  });
});

const mounts: string[] = [];
afterEach(async () => {
  // Open capture files keep a mount busy: close the writers first.
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const m of mounts.splice(0)) {
    execFileSync('umount', [m]);
    rmdirSync(m);
  }
});

let mountable: boolean | undefined;
/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN): real ENOSPC and EROFS. */
function canMount(): boolean {
  if (mountable !== undefined) return mountable;
  const probe = path.join(os.tmpdir(), `understudy-mount-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    rmdirSync(probe);
  }
  return mountable;
}

async function mountTmpfs(size: string): Promise<string> {
  const point = await mkdtemp(path.join(os.tmpdir(), 'understudy-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', point]);
  mounts.push(point);
  return point;
}
