/**
 * The lock file that keeps a second process out of an embedded store: a PGlite data directory
 * opened by two processes at once would be corrupted. The file is created exclusively and names
 * its owner; a lock whose owner is gone is stale and taken over.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnderstudyError } from '../shared/errors.js';

/** What the lock file records about its owner. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Tells this process's own locks apart from a stale one left by an earlier process with the same pid. */
  readonly token: string;
  readonly since: string;
}

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another process to let go before failing; default 10 s. */
  readonly waitMs?: number;
  /** How often to look again while waiting. */
  readonly pollMs?: number;
}

/** The lock file's name inside the store directory. */
export const lockFileName = 'store.lock';

/** A file being written right now has no content yet; after this long it was left half-written. */
const unreadableGraceMs = 5_000;

/** Locks held by this process, by path → token: released on exit, and recognised after a pid reuse. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // `exit` handlers must be synchronous. A process killed by a signal runs none: its lock is stale.
  process.on('exit', () => {
    for (const [file, token] of held) {
      try {
        if (readFileSync(file, 'utf8').includes(token)) unlinkSync(file);
      } catch {
        // Already gone; nothing to release.
      }
    }
  });
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid !== 'number' ||
      typeof value.host !== 'string' ||
      typeof value.token !== 'string'
    )
      return undefined;
    return { pid: value.pid, host: value.host, token: value.token, since: String(value.since) };
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(file: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner === undefined) {
    const info = await stat(file).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > unreadableGraceMs;
  }
  // Whether a process on another machine (a shared network directory) is alive cannot be told.
  if (owner.host !== os.hostname()) return false;
  // Our own pid but not one of our locks: left by an earlier process that had the same pid
  // (typical in containers, where the main process is always pid 1).
  if (owner.pid === process.pid) return held.get(file) !== owner.token;
  return !processAlive(owner.pid);
}

/**
 * Removes a stale lock. Renaming first means two processes taking over the same stale lock at
 * once cannot both succeed; if what we renamed turns out to be a fresh lock another process has
 * just created, it is put back.
 */
async function takeOver(file: string, seen: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // Someone else removed it first.
    throw new UnderstudyError(
      'E_STORE',
      `cannot remove the stale lock file ${file}: ${(error as Error).message}`,
      {
        hint: 'check the permissions of the store directory',
        cause: error,
      },
    );
  }
  const renamed = await readFile(aside, 'utf8').catch(() => seen);
  if (renamed !== seen) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** The lock file's content, or undefined when it no longer exists. */
async function readLock(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UnderstudyError(
      'E_STORE',
      `cannot read the lock file ${file}: ${(error as Error).message}`,
      {
        hint: 'check the permissions of the store directory',
        cause: error,
      },
    );
  }
}

function inUse(dir: string, file: string, owner: LockOwner | undefined): UnderstudyError {
  const who =
    owner === undefined
      ? 'another process'
      : `process ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`}`;
  return new UnderstudyError(
    'E_STORE',
    `the embedded store at ${dir} is in use by ${who}; wait, or use a shared PostgreSQL store`,
    {
      hint: `if no Understudy process is using it, delete ${file}`,
    },
  );
}

/** Takes the store directory's lock, waiting a bounded time for another holder; E_STORE when it stays taken. */
export async function acquireStoreLock(dir: string, options: LockOptions = {}): Promise<HeldLock> {
  const file = path.resolve(dir, lockFileName);
  const token = randomUUID();
  const content = JSON.stringify({
    pid: process.pid,
    host: os.hostname(),
    token,
    since: new Date().toISOString(),
  });
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  const pollMs = options.pollMs ?? 100;
  for (;;) {
    try {
      await writeFile(file, content, { flag: 'wx', mode: 0o644 });
      held.set(file, token);
      installExitHook();
      return { path: file, release: () => releaseLock(file, token) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UnderstudyError(
          'E_STORE',
          `cannot create the lock file ${file}: ${(error as Error).message}`,
          {
            hint: 'check that the directory exists and is writable',
            cause: error,
          },
        );
      }
    }
    const seen = await readLock(file);
    if (seen === undefined) continue; // Released between our attempt and the read: try again.
    const owner = parseOwner(seen);
    if (await isStale(file, owner)) {
      await takeOver(file, seen);
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw inUse(path.dirname(file), file, owner);
    await sleep(Math.min(pollMs, left));
  }
}

async function releaseLock(file: string, token: string): Promise<void> {
  if (held.get(file) !== token) return;
  held.delete(file);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current !== undefined && parseOwner(current)?.token === token)
    await unlink(file).catch(() => undefined);
}
