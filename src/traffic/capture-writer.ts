/**
 * The capture writer: where the recording proxy hands finished exchanges. It is the part that
 * makes recording safe to put in front of production, so its rules are strict:
 *
 * - `offer()` is synchronous, O(1) and never throws: it appends to a queue bounded by count and
 *   by (estimated) JSON bytes, or drops the record and counts why — `queue-full`, `disk-error`
 *   (the disk failed and the writer is waiting to retry), `closed`, `invalid`. A slow or broken
 *   disk costs captures, never a delayed or failed client request.
 * - One background task at a time drains the queue: records become NDJSON lines in a gzip stream
 *   (compressed in the thread pool), a sync flush every `flushMs` makes them readable on disk,
 *   and files rotate by compressed size and by age. `recorded` counts records once a sync flush
 *   put them on disk; records lost before that (a write failing, the file deleted) are drops.
 * - A disk error (EACCES, ENOSPC, EROFS, the directory removed or replaced) abandons the file,
 *   drops what was queued, and makes `offer()` refuse for `retryMs`; the next record after that
 *   tries a new file, so recording resumes by itself when the disk is back.
 */
import { access, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import {
  CAPTURE_FORMAT_VERSION,
  type CaptureRecord,
  type CaptureSink,
  type RecorderStats,
} from './capture-format.js';
import { CaptureFile } from './capture-writer-file.js';
import { CaptureQueue, estimateRecordBytes } from './capture-writer-queue.js';
import { makeDirectory } from '../shared/make-directory.js';

export interface CaptureWriterOptions {
  /** The capture directory; created when missing. */
  readonly dir: string;
  /** The body cap the recorder applies, written into every file's header. */
  readonly maxBodyBytes: number;
  /** The upstream recorded, without credentials. */
  readonly upstream?: string;
  /** Who writes (`understudy 1.2.0`); `understudy` when not given. */
  readonly writer?: string;
  /** Rotate after this many compressed bytes (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Rotate a file this old, even when idle (default 5 minutes). */
  readonly maxFileAgeMs?: number;
  /** At most this many records wait in memory (default 10,000). */
  readonly queueLimit?: number;
  /** At most this many estimated JSON bytes wait in memory (default 64 MiB). */
  readonly queueBytesLimit?: number;
  /** A sync flush at least this often: what a crash can lose (default 1 s). */
  readonly flushMs?: number;
  /** After a disk error, records are refused this long before a new file is tried (default 5 s). */
  readonly retryMs?: number;
  /** `close()` gives up waiting for the queue after this long (default 5 s). */
  readonly closeTimeoutMs?: number;
}

/** The writer as the proxy sees it, plus a counter for exchanges sampling left out. */
export interface CaptureWriter extends CaptureSink {
  /** Counts an exchange left out by sampling or route rules (`skipped`, not a drop). */
  skip(): void;
}

const MiB = 1024 * 1024;
/** Records and JSON bytes serialised per write: big enough to batch, small enough to yield often. */
const BATCH_RECORDS = 512;
const BATCH_BYTES = MiB;

/** Opens a capture writer on `dir`; fails with E_INPUT only when the directory is unusable at start. */
export async function openCaptureWriter(options: CaptureWriterOptions): Promise<CaptureWriter> {
  try {
    await makeDirectory(options.dir);
    if (!(await stat(options.dir)).isDirectory()) throw new Error('not a directory');
    await access(options.dir, fsConstants.W_OK);
  } catch (error) {
    throw new UnderstudyError(
      'E_INPUT',
      `cannot write captures to ${options.dir}: ${messageOf(error)}`,
      {
        hint: 'choose a writable directory with --out or traffic.record.out',
      },
    );
  }
  return new BackgroundWriter(options);
}

class BackgroundWriter implements CaptureWriter {
  private readonly queue: CaptureQueue;
  private readonly started = new Date();
  private readonly timer: NodeJS.Timeout;
  private readonly maxFileBytes: number;
  private readonly maxFileAgeMs: number;
  private readonly flushMs: number;
  private readonly retryMs: number;
  /** Every background task runs after the previous one: one writer of the file at a time. */
  private tail: Promise<void> = Promise.resolve();
  private pumpScheduled = false;
  private flushScheduled = false;
  private file: CaptureFile | undefined;
  private nextSeq = 1;
  /** Records written into the current gzip stream since its last sync flush. */
  private unflushed = 0;
  private lastFlushAt = Date.now();
  /** While the disk is failing: no new file before this time (ms since the epoch); 0 when healthy. */
  private failedUntil = 0;
  private closing = false;
  private abandoned = false;
  private closed: Promise<void> | undefined;
  private recorded = 0;
  private skipped = 0;
  private bytesOfPastFiles = 0;
  private readonly drops = new Map<string, number>();
  private lastError: string | undefined;

  constructor(private readonly options: CaptureWriterOptions) {
    this.queue = new CaptureQueue(
      options.queueLimit ?? 10_000,
      options.queueBytesLimit ?? 64 * MiB,
    );
    this.maxFileBytes = options.maxFileBytes ?? 64 * MiB;
    this.maxFileAgeMs = options.maxFileAgeMs ?? 5 * 60_000;
    this.flushMs = options.flushMs ?? 1000;
    this.retryMs = options.retryMs ?? 5000;
    this.timer = setInterval(() => this.tick(), Math.min(this.flushMs, this.maxFileAgeMs));
    // The recorder's timer must never keep a process alive on its own.
    this.timer.unref();
  }

  offer(record: CaptureRecord): boolean {
    try {
      if (this.closing) return this.drop('closed');
      if (this.failedUntil !== 0 && Date.now() < this.failedUntil) return this.drop('disk-error');
      if (!this.queue.push(record, estimateRecordBytes(record))) return this.drop('queue-full');
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        void this.schedule(() => this.pump());
      }
      return true;
    } catch {
      // A record the estimate cannot even read (not an exchange at all).
      return this.drop('invalid');
    }
  }

  skip(): void {
    this.skipped++;
  }

  stats(): RecorderStats {
    return {
      recorded: this.recorded,
      dropped: [...this.drops.values()].reduce((a, b) => a + b, 0),
      dropReasons: Object.fromEntries(this.drops),
      bytes: this.bytesOfPastFiles + (this.file?.bytes ?? 0),
      queued: this.queue.length,
      skipped: this.skipped,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    const drained = this.schedule(async () => {
      await this.pump();
      if (this.file !== undefined) await this.rotate();
    });
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(true), this.options.closeTimeoutMs ?? 5000);
      }),
    ]);
    clearTimeout(timeout);
    if (!timedOut) return;
    // The disk hangs: stop where we are, and say what was lost.
    this.abandoned = true;
    this.dropCount('close-timeout', this.queue.clear() + this.unflushed);
    this.unflushed = 0;
    this.file?.abandon();
    this.file = undefined;
  }

  /** Appends a task to the background chain; the chain itself never rejects. */
  private schedule(task: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(task).catch((error: unknown) => this.fail(error));
    return this.tail;
  }

  /** Called by the timer: a flush (and age rotation) when one is due. */
  private tick(): void {
    if (this.flushScheduled || this.file === undefined) return;
    if (Date.now() - this.lastFlushAt < this.flushMs && !this.tooOld(this.file)) return;
    this.flushScheduled = true;
    void this.schedule(async () => {
      this.flushScheduled = false;
      await this.flush();
    });
  }

  /** Writes queued records until the queue is empty, flushing and rotating as it goes. */
  private async pump(): Promise<void> {
    this.pumpScheduled = false;
    while (this.queue.length > 0 && !this.abandoned) {
      if (this.file === undefined && !(await this.openFile())) {
        this.dropCount('disk-error', this.queue.clear());
        return;
      }
      const file = this.file!;
      const { text, count, unserializable } = this.queue.take(BATCH_RECORDS, BATCH_BYTES);
      this.dropCount('unserializable', unserializable);
      try {
        await file.write(text);
        this.unflushed += count;
      } catch (error) {
        this.unflushed += count;
        this.fail(error);
        continue;
      }
      if (Date.now() - this.lastFlushAt >= this.flushMs) await this.flush();
      if (this.file !== undefined && this.file.bytes >= this.maxFileBytes) await this.rotate();
    }
  }

  /** Opens the next file unless the disk failed less than `retryMs` ago; false when none is open. */
  private async openFile(): Promise<boolean> {
    if (this.failedUntil !== 0 && Date.now() < this.failedUntil && !this.closing) return false;
    try {
      this.file = await CaptureFile.create(this.options.dir, this.started, this.nextSeq, {
        type: 'header',
        version: CAPTURE_FORMAT_VERSION,
        writer: this.options.writer ?? 'understudy',
        maxBodyBytes: this.options.maxBodyBytes,
        ...(this.options.upstream === undefined ? {} : { upstream: this.options.upstream }),
      });
    } catch (error) {
      this.fail(error);
      return false;
    }
    this.nextSeq = this.file.seq + 1;
    this.lastFlushAt = Date.now();
    this.failedUntil = 0;
    this.lastError = undefined;
    return true;
  }

  /** A sync flush of the current file; then rotation when it is too old or too big. */
  private async flush(): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    this.lastFlushAt = Date.now();
    try {
      // A deleted file (its directory removed) accepts writes that reach nothing: count them lost.
      if (await file.removed()) {
        this.recorded -= file.records;
        this.dropCount('disk-error', file.records);
        file.records = 0;
        throw new Error(`${file.path} was deleted while being written`);
      }
      if (this.unflushed > 0) {
        await file.flush();
        this.settle(file);
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.tooOld(file) || file.bytes >= this.maxFileBytes) await this.rotate();
  }

  /** Finishes the current file (gzip trailer, close); the next record opens a new one. */
  private async rotate(): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    try {
      await file.finish();
      this.settle(file);
      this.bytesOfPastFiles += file.bytes;
      this.file = undefined;
    } catch (error) {
      this.fail(error);
    }
  }

  /** The records written since the last flush are now on disk. */
  private settle(file: CaptureFile): void {
    this.recorded += this.unflushed;
    file.records += this.unflushed;
    this.unflushed = 0;
  }

  /** A disk error: give up the file, count what it loses, refuse records for `retryMs`. */
  private fail(error: unknown): void {
    this.lastError = messageOf(error);
    this.failedUntil = Date.now() + this.retryMs;
    this.dropCount('disk-error', this.unflushed);
    this.unflushed = 0;
    if (this.file !== undefined) {
      this.bytesOfPastFiles += this.file.bytes;
      this.file.abandon();
      this.file = undefined;
    }
  }

  private tooOld(file: CaptureFile): boolean {
    return Date.now() - file.openedAt >= this.maxFileAgeMs;
  }

  private drop(reason: string): false {
    this.dropCount(reason, 1);
    return false;
  }

  private dropCount(reason: string, count: number): void {
    if (count > 0) this.drops.set(reason, (this.drops.get(reason) ?? 0) + count);
  }
}
