/**
 * The recording pipeline between the proxy and the capture sink, off the request path. The
 * proxy hands over a finished exchange and returns at once. Records are built on later turns of
 * the event loop in slices of at most a few milliseconds, so a burst of recording work never
 * holds up the requests waiting behind it; bodies are decoded in zlib's thread pool; records
 * reach the sink in the order the exchanges ended; nothing here can throw into the proxy. Work
 * waiting here is bounded (a count, and the body-copy budget): past it, exchanges are dropped
 * and counted.
 */
import { randomBytes } from 'node:crypto';
import { messageOf } from '../shared/errors.js';
import type { CaptureRecord, CaptureSink, RecorderStats } from './capture-format.js';
import {
  assembleRecord,
  takeBodies,
  type BuildOptions,
  type ExchangeBodies,
  type RawExchange,
} from './record-exchange.js';
import { base32 } from './redact-token.js';

/** Drop reasons counted here (the sink counts its own: queue full, disk errors). */
export const DROP_BUSY = 'recorder-busy';
export const DROP_MEMORY = 'memory-budget';
export const DROP_FAILED = 'record-failed';

/** Record-building time per turn of the event loop, in milliseconds. */
const SLICE_MS = 2;

/** What the proxy talks to. */
export interface RecordPipeline {
  /** Hands over a finished exchange; never blocks or throws. */
  submit(exchange: RawExchange): void;
  /** An exchange left out by sampling or routes. */
  skip(): void;
  /** The sink's counters with this pipeline's added. */
  stats(): RecorderStats;
  /** Exchanges handed over and not yet offered to the sink or dropped. */
  waiting(): number;
  /** Waits (at most `timeoutMs`) for the records being built to reach the sink. */
  drain(timeoutMs: number): Promise<void>;
}

export interface PipelineOptions extends BuildOptions {
  readonly sink: CaptureSink;
  /** Exchanges waiting or being built at most; more are dropped as `recorder-busy`. */
  readonly maxPending: number;
}

type Built = CaptureRecord | { readonly failed: unknown };

/** Builds the pipeline in front of `sink`. */
export function createRecordPipeline(options: PipelineOptions): RecordPipeline {
  const run = base32(randomBytes(5));
  let seq = 0;
  let skipped = 0;
  let dropped = 0;
  let lastError: string | undefined;
  const reasons: Record<string, number> = {};
  // Waiting exchanges: a queue read from `head`, compacted now and then.
  let queue: { exchange: RawExchange; id: string }[] = [];
  let head = 0;
  let scheduled = false;
  // Records still decoding keep the ones after them waiting, so the sink sees them in order.
  let decoding = 0;
  let tail: Promise<void> = Promise.resolve();
  let idle: (() => void) | undefined;

  const drop = (reason: string): void => {
    dropped++;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };
  const release = (exchange: RawExchange): void => {
    exchange.requestBody?.release();
    exchange.responseBody?.release();
  };
  const pending = (): number => queue.length - head + decoding;

  const offer = (built: Built): void => {
    if ('failed' in built) {
      lastError = messageOf(built.failed);
      drop(DROP_FAILED);
      return;
    }
    try {
      options.sink.offer(built);
    } catch (error) {
      // The sink promises never to throw; if it does, the record is dropped, not the proxy.
      lastError = messageOf(error);
      drop(DROP_FAILED);
    }
  };
  const assemble = (exchange: RawExchange, bodies: ExchangeBodies, id: string): Built => {
    try {
      return assembleRecord(exchange, bodies, id, options);
    } catch (error) {
      return { failed: error };
    }
  };

  const work = (): void => {
    scheduled = false;
    const deadline = performance.now() + SLICE_MS;
    while (head < queue.length) {
      const { exchange, id } = queue[head++]!;
      let bodies: ExchangeBodies | Promise<ExchangeBodies>;
      try {
        bodies = takeBodies(exchange, options.maxBodyBytes);
      } catch (error) {
        release(exchange);
        bodies = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (!(bodies instanceof Promise) && decoding === 0) {
        offer(assemble(exchange, bodies, id));
      } else {
        decoding++;
        const built = Promise.resolve(bodies).then(
          (b) => assemble(exchange, b, id),
          (error: unknown): Built => ({ failed: error }),
        );
        tail = tail
          .then(() => built)
          .then(offer)
          .finally(() => {
            decoding--;
            if (pending() === 0) idle?.();
          });
      }
      if (performance.now() >= deadline) break;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    if (head < queue.length) schedule();
    else if (pending() === 0) idle?.();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(work);
  };

  return {
    submit(exchange) {
      if (exchange.requestBody?.overBudget === true || exchange.responseBody?.overBudget === true) {
        release(exchange);
        drop(DROP_MEMORY);
        return;
      }
      if (pending() >= options.maxPending) {
        release(exchange);
        drop(DROP_BUSY);
        return;
      }
      queue.push({ exchange, id: `${run}-${++seq}` });
      schedule();
    },
    skip() {
      skipped++;
    },
    waiting: pending,
    stats() {
      const sink = options.sink.stats();
      const dropReasons: Record<string, number> = { ...sink.dropReasons };
      for (const [reason, count] of Object.entries(reasons))
        dropReasons[reason] = (dropReasons[reason] ?? 0) + count;
      const error = sink.lastError ?? lastError;
      return {
        recorded: sink.recorded,
        dropped: sink.dropped + dropped,
        dropReasons,
        bytes: sink.bytes,
        queued: sink.queued + pending(),
        skipped: sink.skipped + skipped,
        ...(error === undefined ? {} : { lastError: error }),
      };
    },
    async drain(timeoutMs) {
      if (pending() === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        idle = resolve;
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      idle = undefined;
      clearTimeout(timer);
    },
  };
}
