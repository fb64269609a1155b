/**
 * Body copies for the record. On the request path a copy only keeps references to the first
 * `maxBodyBytes` of chunks the proxy forwards anyway, inside a memory budget shared by every
 * exchange in flight; decoding (gzip, deflate, br) and the text-or-binary decision happen later,
 * off the request path (decoding in zlib's thread pool). The client always gets the original bytes.
 */
import { isUtf8 } from 'node:buffer';
import {
  constants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
} from 'node:zlib';
import type { Transform } from 'node:stream';
import type { CapturedBody } from './capture-format.js';

/** Bytes held by body copies across all exchanges; a copy that would pass the limit is given up. */
export interface MemoryBudget {
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly used: number;
}

/** A budget of `limit` bytes. */
export function createBudget(limit: number): MemoryBudget {
  let used = 0;
  return {
    take(bytes) {
      if (used + bytes > limit) return false;
      used += bytes;
      return true;
    },
    give(bytes) {
      used = Math.max(0, used - bytes);
    },
    get used() {
      return used;
    },
  };
}

/** The first `cap` bytes of a body, as seen on the wire, and its full size. */
export class BodyCopy {
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes seen in all. */
  size = 0;
  /** True when the budget ran out: this exchange cannot be recorded faithfully. */
  overBudget = false;

  constructor(
    private readonly cap: number,
    private readonly budget: MemoryBudget,
  ) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.cap || this.overBudget) return;
    const take = Math.min(chunk.length, this.cap - this.kept);
    if (!this.budget.take(take)) {
      this.overBudget = true;
      return;
    }
    this.chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    this.kept += take;
  }

  /** The kept bytes, once; the budget gets them back. */
  take(): Buffer {
    const bytes =
      this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
    this.release();
    return bytes;
  }

  release(): void {
    this.budget.give(this.kept);
    this.chunks = [];
    this.kept = 0;
  }
}

function decoder(encoding: string, raw: boolean): Transform | undefined {
  const flush = { finishFlush: constants.Z_SYNC_FLUSH };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(flush);
    case 'deflate':
      return raw ? createInflateRaw(flush) : createInflate(flush);
    case 'br':
      return createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

/** Decodes `data` with one content-encoding, keeping at most `cap` bytes of the output. */
function inflate(
  data: Buffer,
  encoding: string,
  cap: number,
  raw = false,
): Promise<{ data: Buffer; truncated: boolean } | undefined> {
  const stream = decoder(encoding, raw);
  if (stream === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let truncated = false;
    const done = (ok: boolean): void => {
      stream.removeAllListeners();
      stream.on('error', () => undefined);
      stream.destroy();
      if (!ok && length === 0) {
        // Deflate is sent both with and without its zlib wrapper; try the other once.
        if (encoding === 'deflate' && !raw) void inflate(data, encoding, cap, true).then(resolve);
        else resolve(undefined);
        return;
      }
      resolve({ data: Buffer.concat(chunks, length), truncated: truncated || !ok });
    };
    stream.on('data', (chunk: Buffer) => {
      const room = cap - length;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      length += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        done(true);
      }
    });
    stream.on('end', () => done(true));
    stream.on('error', () => done(false));
    stream.end(data);
  });
}

const textTypes =
  /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|ld\+json|yaml|x-yaml)\b|multipart\/form-data)/i;

/** Valid UTF-8, allowing a cut in the last character when the body was truncated. */
function utf8Text(data: Buffer, truncated: boolean): string | undefined {
  if (isUtf8(data)) return data.toString('utf8');
  if (!truncated) return undefined;
  for (let cut = 1; cut <= 3 && cut < data.length; cut++)
    if (isUtf8(data.subarray(0, data.length - cut)))
      return data.toString('utf8', 0, data.length - cut);
  return undefined;
}

/** The bytes of a body as the record keeps them: decoded when possible, cut at the cap. */
export interface BodyBytes {
  readonly data: Buffer;
  /** The size on the wire. */
  readonly size: number;
  readonly truncated: boolean;
}

function encodingsOf(contentEncoding: string | undefined): string[] {
  if (contentEncoding === undefined || contentEncoding === '') return [];
  return contentEncoding
    .toLowerCase()
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'identity')
    .reverse();
}

/**
 * Takes a copy's bytes and decodes its content-encoding(s) in zlib's thread pool (kept as sent
 * when that fails). Synchronous when there is nothing to decode, so the caller can keep its
 * work in measured slices.
 */
export function takeBody(
  copy: BodyCopy,
  contentEncoding: string | undefined,
  cap: number,
): BodyBytes | Promise<BodyBytes> {
  const size = copy.size;
  const data = copy.take();
  const encodings = encodingsOf(contentEncoding);
  const taken = { data, size, truncated: size > data.length };
  if (encodings.length === 0) return taken;
  return (async () => {
    let result = taken;
    for (const encoding of encodings) {
      const decoded = await inflate(result.data, encoding, cap);
      if (decoded === undefined) break;
      result = { data: decoded.data, size, truncated: result.truncated || decoded.truncated };
    }
    return result;
  })();
}

/** The body as recorded: UTF-8 text for textual types (and untyped plain text), base64 otherwise. */
export function capturedBody(bytes: BodyBytes, contentType: string | undefined): CapturedBody {
  const { data, size, truncated } = bytes;
  const type = contentType ?? '';
  if (textTypes.test(type) || (type === '' && !data.includes(0))) {
    const text = utf8Text(data, truncated);
    if (text !== undefined) return { encoding: 'utf8', data: text, size, truncated };
  }
  return { encoding: 'base64', data: data.toString('base64'), size, truncated };
}
