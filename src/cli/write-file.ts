/** Files the CLI writes for people (reports, docs, starters): whole or not at all. */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UnderstudyError, messageOf } from '../shared/errors.js';

/** Writes `text` beside `target` and renames it into place, so a reader never sees half a file. */
export async function writeFileAtomic(target: string, text: string, shown = target): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UnderstudyError('E_INPUT', `cannot write ${shown}: ${messageOf(error)}`, {
      hint: 'check that the folder exists and is writable',
    });
  }
}

/** Writes a file the user named on the command line (`--junit FILE`), relative to `cwd`, atomically. */
export function writeNamedFile(cwd: string, file: string, text: string): Promise<void> {
  return writeFileAtomic(path.resolve(cwd, file), text, file);
}
