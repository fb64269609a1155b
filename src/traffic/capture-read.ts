/**
 * Reading a capture: a directory of capture files (in name order) or one file, streamed record by
 * record so memory stays flat whatever the size. Reading is tolerant, as the format promises:
 * whatever is readable is yielded, and each thing that is not — a file cut short, a damaged or
 * foreign file, a bad line, a file of a newer format — is reported through `onProblem` and
 * skipped. Only a capture that is not there at all is an error.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import {
  CAPTURE_FILE_PATTERN,
  CAPTURE_FORMAT_VERSION,
  isCaptureRecord,
  type CaptureHeader,
  type CaptureProblem,
  type CaptureRecord,
} from './capture-format.js';
import { MAX_LINE_CHARS, gunzipLines, type StreamEnd } from './capture-read-lines.js';

/** Called with each file's header line as it is read. */
export type HeaderListener = (file: string, header: CaptureHeader) => void;

const NOT_FOUND_HINT =
  'pass a capture directory (written by `understudy record` or `understudy traffic import`) or one capture file';

/**
 * The capture files a path names: the directory's files matching the capture file pattern,
 * oldest first (by start time, then sequence number), or the one file given.
 */
export async function listCaptureFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UnderstudyError('E_NOT_FOUND', `no capture at ${target}`, { hint: NOT_FOUND_HINT });
    }
    throw new UnderstudyError('E_INPUT', `cannot read ${target}: ${messageOf(error)}`);
  }
  if (!info.isDirectory()) return [target];
  let names: string[];
  try {
    names = await readdir(target);
  } catch (error) {
    throw new UnderstudyError('E_INPUT', `cannot read ${target}: ${messageOf(error)}`);
  }
  const files = names.filter((name) => CAPTURE_FILE_PATTERN.test(name)).sort(compareCaptureNames);
  if (files.length === 0) {
    throw new UnderstudyError('E_NOT_FOUND', `no capture files in ${target}`, {
      hint: `capture files are named like capture-20261121T101500Z-0001.ndjson.gz; ${NOT_FOUND_HINT}`,
    });
  }
  return files.map((name) => path.join(target, name));
}

/**
 * Every readable record of a capture (a directory or one file), in order. Problems go to
 * `onProblem` and never stop the reading; a missing path or a directory without capture files
 * is an `E_NOT_FOUND` error.
 */
export async function* readCapture(
  target: string,
  onProblem: (problem: CaptureProblem) => void = () => undefined,
  onHeader?: HeaderListener,
): AsyncGenerator<CaptureRecord> {
  for (const file of await listCaptureFiles(target)) {
    yield* readCaptureFile(file, onProblem, onHeader);
  }
}

/** The readable records of one capture file; its problems go to `onProblem`. */
export async function* readCaptureFile(
  file: string,
  onProblem: (problem: CaptureProblem) => void,
  onHeader?: HeaderListener,
): AsyncGenerator<CaptureRecord> {
  const lines = gunzipLines(file);
  let number = 0;
  let sawHeader = false;
  let end: StreamEnd = { kind: 'complete' };
  try {
    for (;;) {
      const next = await lines.next();
      if (next.done === true) {
        end = next.value;
        break;
      }
      number++;
      const line = next.value;
      if (line === null) {
        onProblem({
          file,
          line: number,
          kind: 'corrupt',
          message: `the line is longer than ${MAX_LINE_CHARS} characters`,
        });
        continue;
      }
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        onProblem({
          file,
          line: number,
          kind: 'corrupt',
          message: `not JSON: ${messageOf(error)}`,
        });
        continue;
      }
      if (isHeader(value)) {
        sawHeader = true;
        if (Math.floor(value.version) > CAPTURE_FORMAT_VERSION) {
          onProblem({
            file,
            line: number,
            kind: 'version',
            message: `written in capture format ${value.version} by ${value.writer}; this Understudy reads format ${CAPTURE_FORMAT_VERSION}: the file is skipped`,
          });
          return;
        }
        onHeader?.(file, value);
        continue;
      }
      if (!sawHeader && number === 1) {
        onProblem({
          file,
          line: 1,
          kind: 'invalid',
          message: 'the file does not start with a header line; its records are read anyway',
        });
      }
      if (isCaptureRecord(value)) yield value;
      else onProblem({ file, line: number, kind: 'invalid', message: describeNonRecord(value) });
    }
  } finally {
    await lines.return({ kind: 'complete' });
  }
  if (end.kind !== 'complete') {
    onProblem({ file, kind: end.kind, message: `${end.message} (${number} lines)` });
  }
}

/** Orders capture file names by start time, then by sequence number as a number (9999 < 10000). */
function compareCaptureNames(a: string, b: string): number {
  const [, stampA = '', seqA = '0'] = /^capture-(\S+?)-(\d+)\./.exec(a) ?? [];
  const [, stampB = '', seqB = '0'] = /^capture-(\S+?)-(\d+)\./.exec(b) ?? [];
  if (stampA !== stampB) return stampA < stampB ? -1 : 1;
  return Number(seqA) - Number(seqB);
}

function isHeader(value: unknown): value is CaptureHeader {
  if (typeof value !== 'object' || value === null) return false;
  const header = value as Record<string, unknown>;
  return header.type === 'header' && typeof header.version === 'number';
}

function describeNonRecord(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `not a capture record: a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}`;
  }
  const type = (value as Record<string, unknown>).type;
  if (type !== 'exchange')
    return `not a capture record: type is ${JSON.stringify(type) ?? 'missing'}`;
  return 'not a capture record: an exchange without a valid id, session, startedAt, durationMs, request or redactions';
}
