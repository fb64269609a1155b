/**
 * Masking off the main thread: a small pool of worker threads, each masking whole blocks of COPY
 * rows, so masking uses every core while the main thread moves bytes. The transform that feeds it
 * keeps rows in order and a bounded number of blocks in flight, so backpressure still holds.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { UnderstudyError } from '../shared/errors.js';
import { startModuleWorker } from '../shared/worker-thread.js';
import { RowBlocks } from './copy-text.js';
import { BlockMasker } from './mask-worker-core.js';
import type { MaskReply, MaskRequest, MaskWorkerData, MaskedField } from './mask-worker-types.js';

type Masked = { readonly data: Buffer; readonly rows: number };

/** Masks blocks of rows somewhere: on threads or inline. */
export interface MaskRunner {
  mask(setId: string, fields: readonly MaskedField[], block: Buffer): Promise<Masked>;
  close(): Promise<void>;
}

/** Masks in the calling thread (for `threads: 0`, and tests). */
export function inlineMaskRunner(data: MaskWorkerData): MaskRunner {
  const masker = new BlockMasker(data.maskerModule, Buffer.from(data.key), data.dir);
  return {
    mask: (setId, fields, block) => masker.mask(setId, fields, block),
    close: async () => {},
  };
}

/** Starts `size` masking threads sharing the work round-robin by least load. */
export function threadMaskRunner(data: MaskWorkerData, size: number): MaskRunner {
  const workers = Array.from({ length: size }, () => {
    const worker = startModuleWorker(import.meta.url, 'mask-worker', data);
    const pending = new Map<number, { resolve(m: Masked): void; reject(e: Error): void }>();
    worker.on('message', (reply: MaskReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply)
        waiter?.reject(new UnderstudyError('E_OPERATION', `masking failed: ${reply.error}`));
      else {
        const buffer = Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
        waiter?.resolve({ data: buffer, rows: reply.rows });
      }
    });
    const failAll = (error: Error): void => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`a masking thread exited (${code})`)));
    return { worker, pending };
  });
  let nextId = 0;
  return {
    mask(setId, fields, block) {
      const target = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise<Masked>((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        const request: MaskRequest = { id, setId, fields, data: block };
        target.worker.postMessage(request);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}

/** A transform that masks the given fields of COPY rows through `runner`, rows kept in order. */
export function createMaskTransform(
  runner: MaskRunner,
  setId: string,
  fields: readonly MaskedField[],
  maxInFlight = 4,
): Transform {
  const blocks = new RowBlocks();
  const queue: Promise<Masked>[] = [];
  const submit = (block: Buffer): void => {
    const promise = runner.mask(setId, fields, block);
    promise.catch(() => undefined); // surfaced when awaited in order
    queue.push(promise);
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding, callback: TransformCallback) {
      const block = blocks.push(chunk);
      if (block !== undefined) submit(block);
      const drain = async (): Promise<void> => {
        while (queue.length >= maxInFlight)
          this.push((await (queue.shift() as Promise<Masked>)).data);
      };
      drain().then(() => callback(), callback);
    },
    flush(this: Transform, callback: TransformCallback) {
      const rest = blocks.rest();
      if (rest.length > 0) submit(rest);
      const drain = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift())
          this.push((await next).data);
      };
      drain().then(() => callback(), callback);
    },
  });
}
