/**
 * Recording on its own thread. The proxy's thread keeps only what the request path must do —
 * forward, and keep references to body chunks — and hands each finished exchange here: its body
 * copies are taken into compact buffers and sent to the recording thread once per turn of the
 * event loop, in one message, the buffers moved rather than copied. Assembling, decoding,
 * redacting, serialising and compressing all happen on that thread, so recording neither takes
 * the proxy's CPU nor pauses its event loop.
 *
 * Still production-safe: what waits for the recording thread is bounded by count and by bytes
 * (it reports how far it got); past either bound, exchanges are dropped and counted, as they are
 * when the thread has failed. The thread opens the capture writer before the proxy starts, so an
 * unusable directory or a bad redaction rule fails the start, not the first request.
 */
import { messageOf, UnderstudyError, type ErrorCode } from '../shared/errors.js';
import { startModuleWorker } from '../shared/worker-thread.js';
import type { RecorderStats } from './capture-format.js';
import type { BodyCopy } from './record-body.js';
import type { RawExchange } from './record-exchange.js';
import { DROP_BUSY, DROP_FAILED, DROP_MEMORY, type RecordPipeline } from './record-pipeline.js';
import type {
  FromRecordThread,
  RecordThreadData,
  SentBody,
  SentExchange,
  ThreadStats,
  ToRecordThread,
} from './record-thread-types.js';

export interface RecordThreadOptions extends RecordThreadData {
  /** Exchanges sent and not yet finished with on the thread, at most (default 10,000). */
  readonly maxPending?: number;
  /** Body bytes sent and not yet finished with on the thread, at most (default 64 MiB). */
  readonly maxBytes?: number;
}

/** The pipeline the proxy talks to, and the thread behind it. */
export interface RecordThread extends RecordPipeline {
  /** Closes the capture writer (after `drain`) and ends the thread. */
  close(): Promise<void>;
}

const noStats: ThreadStats = {
  stats: { recorded: 0, dropped: 0, dropReasons: {}, bytes: 0, queued: 0, skipped: 0 },
  received: 0,
  settled: 0,
  releasedBytes: 0,
};

/** The kept bytes of a copy in a buffer of their own (so moving it moves nothing else). */
function sentBody(copy: BodyCopy | undefined, transfer: ArrayBuffer[]): SentBody | undefined {
  if (copy === undefined) return undefined;
  const size = copy.size;
  const kept = copy.take();
  const data = new Uint8Array(kept.length);
  data.set(kept);
  transfer.push(data.buffer);
  return { data, size };
}

/** Starts the recording thread; rejects with the thread's error when it cannot record at all. */
export async function startRecordThread(options: RecordThreadOptions): Promise<RecordThread> {
  const { maxPending = 10_000, maxBytes = 64 * 1024 * 1024, ...data } = options;
  const worker = startModuleWorker(import.meta.url, 'record-thread-worker', data);
  let latest = noStats;
  let posted = 0;
  let postedBytes = 0;
  let dropped = 0;
  let skipped = 0;
  const reasons: Record<string, number> = {};
  let failure: string | undefined;
  let closing = false;
  let batch: SentExchange[] = [];
  let transfer: ArrayBuffer[] = [];
  let flushScheduled = false;
  let nextId = 0;
  const waiters = new Map<number, () => void>();
  let onClosed: (() => void) | undefined;

  const wakeAll = (): void => {
    for (const wake of waiters.values()) wake();
    waiters.clear();
    onClosed?.();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromRecordThread) => {
      switch (message.type) {
        case 'ready':
          resolve();
          return;
        case 'failed':
          reject(
            new UnderstudyError(
              (message.code as ErrorCode | undefined) ?? 'E_OPERATION',
              message.message,
              {
                ...(message.hint === undefined ? {} : { hint: message.hint }),
              },
            ),
          );
          return;
        case 'stats':
          latest = message;
          return;
        case 'drained':
          latest = message;
          waiters.get(message.id)?.();
          waiters.delete(message.id);
          return;
        case 'closed':
          latest = message;
          onClosed?.();
          return;
      }
    });
    worker.on('error', (error) => {
      failure = `the recording thread failed: ${messageOf(error)}`;
      reject(new UnderstudyError('E_OPERATION', failure));
      wakeAll();
    });
    worker.on('exit', (code) => {
      if (!closing) failure ??= `the recording thread stopped (exit code ${code})`;
      reject(new UnderstudyError('E_OPERATION', failure ?? 'the recording thread stopped'));
      wakeAll();
    });
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const send = (message: ToRecordThread, list: ArrayBuffer[] = []): void => {
    if (failure === undefined) worker.postMessage(message, list);
  };
  const flush = (): void => {
    flushScheduled = false;
    if (batch.length === 0) return;
    send({ type: 'exchanges', exchanges: batch }, transfer);
    batch = [];
    transfer = [];
  };
  const drop = (exchange: RawExchange, reason: string): void => {
    exchange.requestBody?.release();
    exchange.responseBody?.release();
    dropped += 1;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };

  return {
    submit(exchange) {
      if (exchange.requestBody?.overBudget === true || exchange.responseBody?.overBudget === true)
        return drop(exchange, DROP_MEMORY);
      if (failure !== undefined || closing) return drop(exchange, DROP_FAILED);
      if (posted - latest.settled >= maxPending) return drop(exchange, DROP_BUSY);
      const { requestBody, responseBody, ...rest } = exchange;
      const kept = (copy: BodyCopy | undefined): number =>
        Math.min(copy?.size ?? 0, data.maxBodyBytes);
      const bytes = kept(requestBody) + kept(responseBody);
      if (postedBytes - latest.releasedBytes + bytes > maxBytes) return drop(exchange, DROP_MEMORY);
      const list: ArrayBuffer[] = [];
      const request = sentBody(requestBody, list);
      const response = sentBody(responseBody, list);
      batch.push({
        ...rest,
        ...(request === undefined ? {} : { requestBody: request }),
        ...(response === undefined ? {} : { responseBody: response }),
      });
      transfer.push(...list);
      posted += 1;
      postedBytes += (request?.data.byteLength ?? 0) + (response?.data.byteLength ?? 0);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    skip() {
      skipped += 1;
    },
    waiting: () => posted - latest.settled,
    stats(): RecorderStats {
      const thread = latest.stats;
      const dropReasons: Record<string, number> = { ...thread.dropReasons };
      for (const [reason, count] of Object.entries(reasons))
        dropReasons[reason] = (dropReasons[reason] ?? 0) + count;
      // Exchanges a failed thread never finished with are lost: counted as dropped.
      const lost = failure === undefined ? 0 : posted - latest.settled;
      if (lost > 0) dropReasons[DROP_FAILED] = (dropReasons[DROP_FAILED] ?? 0) + lost;
      const lastError = failure ?? thread.lastError;
      return {
        recorded: thread.recorded,
        dropped: thread.dropped + dropped + lost,
        dropReasons,
        bytes: thread.bytes,
        queued: failure === undefined ? thread.queued + (posted - latest.received) : 0,
        skipped: thread.skipped + skipped,
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
    async drain(timeoutMs) {
      flush();
      if (failure !== undefined) return;
      const id = nextId++;
      await new Promise<void>((resolve) => {
        waiters.set(id, resolve);
        send({ type: 'drain', id, timeoutMs });
        setTimeout(resolve, timeoutMs + 1000).unref();
      });
      waiters.delete(id);
    },
    async close() {
      flush();
      closing = true;
      if (failure === undefined) {
        await new Promise<void>((resolve) => {
          onClosed = resolve;
          send({ type: 'close' });
          setTimeout(resolve, 15_000).unref();
        });
      }
      await worker.terminate();
    },
  };
}
