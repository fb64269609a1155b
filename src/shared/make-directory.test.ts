import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.js';

describe('makeDirectory', () => {
  it('makes every missing level, and is fine with what exists', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'understudy-mkdir-'));
    const deep = path.join(root, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await Promise.all([
      makeDirectory(path.join(root, 'x', 'y')),
      makeDirectory(path.join(root, 'x', 'z')),
    ]);
  });

  it('fails, rather than spinning, where a directory cannot be made', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'understudy-mkdir-'));
    await writeFile(path.join(root, 'file'), '');
    await expect(makeDirectory(path.join(root, 'file', 'sub'))).rejects.toThrow(/ENOTDIR/);
    await expect(makeDirectory('/proc/understudy-test/captures')).rejects.toThrow(/ENOENT/);
  });
});
