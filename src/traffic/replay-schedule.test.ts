import { describe, expect, it } from 'vitest';
import { runSchedule, type Scheduled } from './replay-schedule.js';

interface Item extends Scheduled {
  readonly n: number;
}

async function* items(list: readonly Item[]): AsyncGenerator<Item> {
  for (const item of list) yield await Promise.resolve(item);
}

const at = (ms: number): string => new Date(Date.parse('2026-11-21T10:00:00Z') + ms).toISOString();

describe('the replay schedule', () => {
  it('keeps order within a session and runs sessions concurrently', async () => {
    const list: Item[] = [];
    for (let n = 0; n < 60; n += 1) list.push({ session: `s${n % 3}`, startedAt: at(n), n });
    const seen = new Map<string, number[]>();
    let inFlight = 0;
    let most = 0;
    await runSchedule(items(list), { concurrency: 4, maxQueued: 5 }, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (item.n * 7) % 3));
      seen.set(item.session, [...(seen.get(item.session) ?? []), item.n]);
      inFlight -= 1;
    });
    expect(most).toBe(3); // three sessions, never two requests of one session at once
    for (const [session, ns] of seen) {
      expect(ns).toEqual(list.filter((i) => i.session === session).map((i) => i.n));
    }
    expect([...seen.values()].flat()).toHaveLength(60);
  });

  it('caps the rate and keeps recorded timing when asked', async () => {
    const list: Item[] = Array.from({ length: 6 }, (_, n) => ({
      session: `s${n}`,
      startedAt: at(0),
      n,
    }));
    let started = performance.now();
    await runSchedule(items(list), { concurrency: 6, rate: 50 }, () => Promise.resolve());
    expect(performance.now() - started).toBeGreaterThanOrEqual(90); // 6 requests at 50/s: ≥ 100 ms
    const timed: Item[] = [0, 100, 200].map((ms, n) => ({ session: 's', startedAt: at(ms), n }));
    const times: number[] = [];
    started = performance.now();
    await runSchedule(items(timed), { concurrency: 2, speed: 2 }, () => {
      times.push(performance.now() - started);
      return Promise.resolve();
    });
    expect(times[2]).toBeGreaterThanOrEqual(90); // 200 ms recorded, at twice the speed
    expect(times[2]).toBeLessThan(190);
  });

  it('finishes on an empty capture and passes a failure on', async () => {
    await runSchedule(items([]), { concurrency: 3 }, () => Promise.resolve());
    await expect(
      runSchedule(items([{ session: 's', startedAt: at(0), n: 1 }]), { concurrency: 2 }, () =>
        Promise.reject(new Error('boom')),
      ),
    ).rejects.toThrow('boom');
  });
});
