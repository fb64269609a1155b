/**
 * Reading the lines of one gzip file tolerantly: every complete line that can be decompressed is
 * yielded, and the generator's return value says how the stream ended — complete, truncated (a
 * crash or a full disk cut it short) or corrupt. Node's stream iterators discard data buffered
 * before an error, so this feeds the gunzip stream by hand and keeps its output itself.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { messageOf } from '../shared/errors.js';

/** How a gzip stream ended. */
export type StreamEnd =
  | { readonly kind: 'complete' }
  | { readonly kind: 'truncated' | 'corrupt'; readonly message: string };

/** Compressed bytes read at a time: bounds the decompressed output held at once. */
const READ_CHUNK = 32 * 1024;

/** A line longer than this is not kept (a capture's lines are bodies capped by maxBodyBytes). */
export const MAX_LINE_CHARS = 256 * 1024 * 1024;

/**
 * Yields the lines of a gzip file (without their newline), or `null` for a line too long to
 * keep; returns how the stream ended. Memory stays flat whatever the file's size.
 */
export async function* gunzipLines(file: string): AsyncGenerator<string | null, StreamEnd> {
  const input = createReadStream(file, { highWaterMark: READ_CHUNK });
  const gunzip = createGunzip();
  const output: Buffer[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  gunzip.on('data', (chunk: Buffer) => output.push(chunk));
  gunzip.on('error', (error) => {
    failure = error;
    wake?.();
  });
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let overlong = false;
  let sawInput = false;

  /** Splits the output collected so far into lines; the unfinished tail waits for more. */
  function* lines(): Generator<string | null> {
    for (const chunk of output.splice(0)) {
      const parts = (partial + decoder.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        if (overlong) {
          overlong = false;
          yield null;
        } else {
          yield part;
        }
      }
      if (partial.length > MAX_LINE_CHARS) {
        overlong = true;
        partial = '';
      }
    }
  }

  /** Runs one gunzip step, settling on its callback or on a stream error, whichever comes first. */
  const step = (start: (done: () => void) => void): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (failure !== undefined) resolve();
      else start(() => resolve());
    });

  try {
    try {
      for await (const chunk of input) {
        sawInput = true;
        await step((done) => gunzip.write(chunk as Buffer, done));
        yield* lines();
        if (failure !== undefined) break;
      }
    } catch (error) {
      return { kind: 'corrupt', message: `cannot read the file: ${messageOf(error)}` };
    }
    if (failure === undefined) {
      await step((done) => {
        gunzip.once('end', done);
        gunzip.end();
      });
      yield* lines();
    }
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  if (failure === undefined) {
    const rest = partial + decoder.end();
    if (overlong) yield null;
    else if (rest !== '') yield rest;
    return { kind: 'complete' };
  }
  return describeFailure(failure, sawInput);
}

function describeFailure(error: Error, sawInput: boolean): StreamEnd {
  const code = (error as NodeJS.ErrnoException).code;
  if (!sawInput) return { kind: 'truncated', message: 'the file is empty' };
  if (code === 'Z_BUF_ERROR') {
    return {
      kind: 'truncated',
      message:
        'the file ends mid-stream (cut short by a crash or a full disk); its complete lines were read',
    };
  }
  if (/incorrect header check/.test(error.message)) {
    return { kind: 'corrupt', message: 'not a gzip file' };
  }
  if (/incorrect (data|length) check/.test(error.message)) {
    // Deflate can decode damaged data into plausible lines; only the checksum at the end tells.
    return {
      kind: 'corrupt',
      message: `the file's checksum does not match its data (${error.message}): it was damaged, and lines read from it may be wrong`,
    };
  }
  return {
    kind: 'corrupt',
    message: `the compressed data is damaged (${error.message}); the lines before the damage were read`,
  };
}
