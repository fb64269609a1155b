/**
 * The replay's schedule: sessions run concurrently (up to `concurrency` requests in flight), the
 * requests of one session strictly one after another in capture order; `rate` caps requests per
 * second overall; `speed` keeps the recorded timing (1 = as recorded, 2 = twice as fast; 0 or
 * absent = as fast as possible). Reading is bounded: at most `maxQueued` records wait in memory.
 */

/** What the schedule needs of an item. */
export interface Scheduled {
  readonly session: string;
  /** ISO time the request started when recorded (for `speed`). */
  readonly startedAt: string;
}

export interface ScheduleOptions {
  readonly concurrency: number;
  /** Requests per second at most; absent or 0: no cap. */
  readonly rate?: number;
  /** Relative to recorded timing; absent or 0: as fast as possible. */
  readonly speed?: number;
  /** Records read ahead at most (default 64 × concurrency). */
  readonly maxQueued?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` for every item, keeping each session's order; resolves when all are done. */
export async function runSchedule<T extends Scheduled>(
  items: AsyncIterable<T>,
  options: ScheduleOptions,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const maxQueued = Math.max(1, options.maxQueued ?? 64 * options.concurrency);
  const queues = new Map<string, T[]>();
  const busy = new Set<string>();
  const ready: string[] = [];
  let readyHead = 0;
  let queued = 0;
  let done = false;
  let failure: unknown;
  const idle: (() => void)[] = [];
  let readerWake: (() => void) | undefined;
  const wakeOne = (): void => idle.pop()?.();
  const wakeAll = (): void => {
    for (const wake of idle.splice(0)) wake();
  };

  const pace = pacer(options);

  const reader = async (): Promise<void> => {
    try {
      for await (const item of items) {
        if (failure !== undefined) return;
        while (queued >= maxQueued) await new Promise<void>((resolve) => (readerWake = resolve));
        let queue = queues.get(item.session);
        if (queue === undefined) {
          queue = [];
          queues.set(item.session, queue);
        }
        if (queue.length === 0 && !busy.has(item.session)) {
          ready.push(item.session);
          wakeOne();
        }
        queue.push(item);
        queued += 1;
      }
    } finally {
      done = true;
      wakeAll();
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (failure !== undefined) return;
      if (readyHead === ready.length) {
        if (done && queued === 0) {
          // Nothing left to take: let the other idle workers see that too.
          wakeAll();
          return;
        }
        await new Promise<void>((resolve) => idle.push(resolve));
        continue;
      }
      const session = ready[readyHead] as string;
      readyHead += 1;
      if (readyHead > 1024 && readyHead * 2 > ready.length) {
        ready.splice(0, readyHead);
        readyHead = 0;
      }
      const queue = queues.get(session) ?? [];
      const item = queue.shift() as T;
      queued -= 1;
      readerWake?.();
      readerWake = undefined;
      busy.add(session);
      try {
        const wait = pace(item);
        if (wait !== undefined) await wait;
        await work(item);
      } catch (error) {
        failure ??= error;
        wakeAll();
        return;
      } finally {
        busy.delete(session);
      }
      if (queue.length > 0) {
        ready.push(session);
        wakeOne();
      } else queues.delete(session);
    }
  };

  const workers = Array.from({ length: options.concurrency }, () => worker());
  await Promise.all([reader(), ...workers]);
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('replay failed', { cause: failure });
}

/**
 * Waits until an item may be sent: its recorded moment (scaled by `speed`) and the rate cap.
 * Returns undefined when there is nothing to wait for, so the fast path costs no promise.
 */
function pacer(options: ScheduleOptions): (item: Scheduled) => Promise<void> | undefined {
  const speed = options.speed ?? 0;
  const interval = options.rate !== undefined && options.rate > 0 ? 1000 / options.rate : 0;
  let firstRecorded: number | undefined;
  let startedAt = 0;
  let nextSlot = 0;
  if (speed <= 0 && interval === 0) return () => undefined;
  return (item) => {
    let wait = 0;
    const now = performance.now();
    if (speed > 0) {
      const recorded = Date.parse(item.startedAt);
      if (firstRecorded === undefined) {
        firstRecorded = recorded;
        startedAt = now;
      }
      if (Number.isFinite(recorded)) wait = startedAt + (recorded - firstRecorded) / speed - now;
    }
    if (interval > 0) {
      const slot = Math.max(now + Math.max(0, wait), nextSlot);
      nextSlot = slot + interval;
      wait = slot - now;
    }
    return wait >= 1 ? sleep(wait) : undefined;
  };
}
