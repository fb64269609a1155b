/**
 * Slows password guessing: after `free` failures for a key within `windowMs`, each further
 * attempt must wait — 1 s, then 2, 4, … up to `maxWaitMs` — and is answered 429 without looking
 * at the password. Keys are counted per name (5 free) and per address (20 free: people share
 * offices and proxies). A successful sign-in clears the name's count.
 */
import { UnderstudyError } from '../shared/errors.js';

export interface SignInLimitOptions {
  readonly freePerName?: number;
  readonly freePerAddress?: number;
  readonly windowMs?: number;
  readonly maxWaitMs?: number;
  readonly now?: () => number;
}

interface Tally {
  failures: number;
  firstAt: number;
  blockedUntil: number;
}

export class SignInLimit {
  private readonly tallies = new Map<string, Tally>();
  /** Checks running now (a password check is scrypt: 32 MiB and a thread each). */
  private running = 0;
  private readonly windowMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly free: { readonly name: number; readonly address: number };

  constructor(options: SignInLimitOptions = {}) {
    this.free = { name: options.freePerName ?? 5, address: options.freePerAddress ?? 20 };
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  private keys(name: string, address: string): [string, number][] {
    return [
      [`name:${name.toLowerCase()}`, this.free.name],
      [`address:${address}`, this.free.address],
    ];
  }

  /**
   * Runs one check when fewer than `max` run already; otherwise refuses with 429. The attempt
   * counts as failed until it succeeds, so parallel guesses are counted too.
   */
  async attempt<T>(
    name: string,
    address: string,
    max: number,
    check: () => Promise<T>,
  ): Promise<T> {
    if (this.running >= max)
      throw Object.assign(
        new UnderstudyError('E_RATE_LIMITED', 'too many sign-ins at once: try again', {
          hint: 'try again in 1 s',
        }),
        { retryAfter: 1 },
      );
    this.running += 1;
    this.failed(name, address);
    try {
      const result = await check();
      this.succeeded(name, address);
      return result;
    } finally {
      this.running -= 1;
    }
  }

  /** Milliseconds to wait before `name` may try again from `address`; 0 when it may now. */
  waitMs(name: string, address: string): number {
    const at = this.now();
    let wait = 0;
    for (const [key] of this.keys(name, address)) {
      const t = this.tallies.get(key);
      if (t !== undefined && t.blockedUntil > at) wait = Math.max(wait, t.blockedUntil - at);
    }
    return wait;
  }

  failed(name: string, address: string): void {
    const at = this.now();
    for (const [key, free] of this.keys(name, address)) {
      let t = this.tallies.get(key);
      if (t === undefined || at - t.firstAt > this.windowMs) {
        t = { failures: 0, firstAt: at, blockedUntil: 0 };
        this.tallies.set(key, t);
      }
      t.failures += 1;
      if (t.failures >= free)
        t.blockedUntil = at + Math.min(this.maxWaitMs, 1000 * 2 ** (t.failures - free));
    }
    if (this.tallies.size > 10_000) this.sweep(at);
  }

  /** Clears the name's count; the address's counts one attempt fewer (this one went well). */
  succeeded(name: string, address?: string): void {
    this.tallies.delete(`name:${name.toLowerCase()}`);
    const t = address === undefined ? undefined : this.tallies.get(`address:${address}`);
    if (t === undefined) return;
    t.failures = Math.max(0, t.failures - 1);
    if (t.failures < this.free.address) t.blockedUntil = 0;
  }

  private sweep(at: number): void {
    for (const [key, t] of this.tallies)
      if (at - t.firstAt > this.windowMs && t.blockedUntil <= at) this.tallies.delete(key);
  }
}

/** Refuses with 429 (and when to try again) while `limit` makes `name` from `address` wait. */
export function limited(limit: SignInLimit, name: string, address: string, what: string): void {
  const wait = limit.waitMs(name, address);
  if (wait > 0)
    throw Object.assign(
      new UnderstudyError('E_RATE_LIMITED', `${what}: wait before trying again`, {
        hint: `try again in ${Math.ceil(wait / 1000)} s`,
      }),
      { retryAfter: Math.ceil(wait / 1000) },
    );
}
