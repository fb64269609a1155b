/**
 * Writing a finished set of records as a new capture directory (HAR import). Unlike the
 * recorder's writer this one may wait and may fail: nothing is dropped, and an error stops the
 * import. The file is written under a temporary name and renamed, so an interrupted import never
 * leaves half a capture that a replay would read as a truncated one.
 */
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import {
  CAPTURE_FILE_PATTERN,
  CAPTURE_FORMAT_VERSION,
  captureFileName,
  type CaptureHeader,
  type CaptureRecord,
} from './capture-format.js';
import { makeDirectory } from '../shared/make-directory.js';

/** Records serialised per chunk handed to gzip. */
const LINES_PER_CHUNK = 256;

/**
 * Writes `records` into `dir` (created when missing) as one capture file with its header; refuses
 * a directory that already holds a capture, so two captures are never mixed. Returns the file.
 */
export async function writeCaptureDirectory(
  dir: string,
  header: Pick<CaptureHeader, 'writer' | 'maxBodyBytes' | 'upstream'>,
  records: Iterable<CaptureRecord> | AsyncIterable<CaptureRecord>,
  started = new Date(),
): Promise<string> {
  try {
    await makeDirectory(dir);
  } catch (error) {
    throw new UnderstudyError('E_INPUT', `cannot create ${dir}: ${messageOf(error)}`, {
      hint: 'choose another directory with --out',
    });
  }
  const taken = (await readdir(dir)).filter((name) => CAPTURE_FILE_PATTERN.test(name));
  if (taken.length > 0) {
    throw new UnderstudyError(
      'E_INPUT',
      `${dir} already holds a capture (${taken.length} ${taken.length === 1 ? 'file' : 'files'})`,
      {
        hint: 'choose a new directory with --out, so two captures are never mixed',
      },
    );
  }
  const file = path.join(dir, captureFileName(started, 1));
  const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const first: CaptureHeader = {
    type: 'header',
    version: CAPTURE_FORMAT_VERSION,
    writer: header.writer,
    startedAt: started.toISOString(),
    maxBodyBytes: header.maxBodyBytes,
    ...(header.upstream === undefined ? {} : { upstream: header.upstream }),
  };
  try {
    await pipeline(
      Readable.from(lines(first, records)),
      createGzip(),
      createWriteStream(temporary, { flags: 'wx' }),
    );
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UnderstudyError('E_OPERATION', `cannot write ${file}: ${messageOf(error)}`);
  }
  return file;
}

async function* lines(
  header: CaptureHeader,
  records: Iterable<CaptureRecord> | AsyncIterable<CaptureRecord>,
): AsyncGenerator<string> {
  let batch = [JSON.stringify(header)];
  for await (const record of records) {
    batch.push(JSON.stringify(record));
    if (batch.length >= LINES_PER_CHUNK) {
      yield `${batch.join('\n')}\n`;
      batch = [];
    }
  }
  if (batch.length > 0) yield `${batch.join('\n')}\n`;
}
