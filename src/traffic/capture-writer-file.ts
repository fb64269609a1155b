/**
 * One capture file being written: a gzip stream whose compressed output this class writes to a
 * file handle itself (rather than piping), so every disk error surfaces as one rejected promise
 * at a known point, and the writer decides what it costs. Compression runs in libuv's thread pool,
 * off the event loop the recording proxy serves requests on.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { captureFileName, type CaptureHeader } from './capture-format.js';
import { makeDirectory } from '../shared/make-directory.js';

/**
 * Fast compression: captures are written continuously beside production traffic, so CPU matters
 * more than the last few percent of size (level 3 keeps most of level 6's ratio on JSON).
 */
const GZIP_LEVEL = 3;

/** How many taken names (another writer started in the same second) are skipped before giving up. */
const MAX_NAME_ATTEMPTS = 1000;

/** An open capture file: header written, lines appended, sync-flushed on demand. */
export class CaptureFile {
  /** Compressed bytes written to the file so far. */
  bytes = 0;
  /** Records whose lines reached the disk with a sync flush. */
  records = 0;
  private readonly gzip: Gzip;
  private readonly out: Buffer[] = [];
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    readonly seq: number,
    readonly openedAt: number,
    private readonly handle: FileHandle,
  ) {
    this.gzip = createGzip({ level: GZIP_LEVEL });
    this.gzip.on('data', (chunk: Buffer) => this.out.push(chunk));
    this.gzip.on('error', (error) => {
      this.failure = error;
    });
  }

  /**
   * Creates the next file of a capture in `dir` (making the directory when it is missing) and
   * writes its header line; a name already taken moves on to the next sequence number.
   */
  static async create(
    dir: string,
    started: Date,
    seq: number,
    header: Omit<CaptureHeader, 'startedAt'>,
  ): Promise<CaptureFile> {
    await makeDirectory(dir);
    for (let attempt = 0; ; attempt++) {
      const file = path.join(dir, captureFileName(started, seq + attempt));
      let handle: FileHandle;
      try {
        handle = await open(file, 'wx');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' && attempt < MAX_NAME_ATTEMPTS) continue;
        throw error;
      }
      const opened = new CaptureFile(file, seq + attempt, Date.now(), handle);
      const line: CaptureHeader = { ...header, startedAt: new Date(opened.openedAt).toISOString() };
      try {
        await opened.write(`${JSON.stringify(line)}\n`);
      } catch (failure) {
        opened.abandon();
        throw failure;
      }
      return opened;
    }
  }

  /** Compresses `text` (whole lines) and writes whatever compressed output is ready. */
  async write(text: string): Promise<void> {
    await this.gzipCall((done) => this.gzip.write(text, done));
    await this.drain();
  }

  /** A sync flush: everything written so far becomes readable on disk as complete lines. */
  async flush(): Promise<void> {
    await this.gzipCall((done) => this.gzip.flush(constants.Z_SYNC_FLUSH, done));
    await this.drain();
  }

  /** Ends the gzip stream (its trailer makes the file complete) and closes the file. */
  async finish(): Promise<void> {
    const ended = new Promise<void>((resolve, reject) => {
      this.gzip.once('end', resolve);
      this.gzip.once('error', reject);
    });
    this.gzip.end();
    await ended;
    await this.drain();
    await this.handle.close();
  }

  /** Gives the file up after a failure: nothing more is written, errors are ignored. */
  abandon(): void {
    this.gzip.destroy();
    this.handle.close().catch(() => undefined);
  }

  /** True when the file was deleted under the writer (its directory removed): writes would go nowhere. */
  async removed(): Promise<boolean> {
    return (await this.handle.stat()).nlink === 0;
  }

  /** Runs one gzip operation, failing (instead of hanging) if the stream errors meanwhile. */
  private gzipCall(start: (done: () => void) => void): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.gzip.once('error', onError);
      start(() => {
        this.gzip.off('error', onError);
        if (this.failure === undefined) resolve();
        else reject(this.failure);
      });
    });
  }

  /** Writes the compressed output collected so far to the file. */
  private async drain(): Promise<void> {
    if (this.out.length === 0) return;
    const buffer = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out.length = 0;
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
      this.bytes += bytesWritten;
    }
  }
}
