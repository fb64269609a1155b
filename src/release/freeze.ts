/**
 * Freeze windows: when no deploy may start. Recurring ones are a cron expression (when each
 * freeze starts, in its time zone) and a duration; one-off ones a start and an end. Checked when
 * a deploy actually starts, not when it was asked for. Pure: the clock is an argument.
 */
import { Cron } from 'croner';
import { parseDuration } from '../shared/duration.js';

export type FreezeWindow =
  | {
      readonly cron: string;
      readonly duration: string;
      readonly timezone?: string;
      readonly reason?: string;
    }
  | { readonly from: string | Date; readonly until: string | Date; readonly reason?: string };

/** A freeze in force: since when, until when, and why. */
export interface ActiveFreeze {
  readonly from: Date;
  readonly until: Date;
  readonly reason?: string;
  /** The window as configured, in words: `0 16 * * FRI for 64h (Europe/Berlin)`. */
  readonly window: string;
}

/** The freeze in force at `now` that lasts longest, or undefined when deploys may start. */
export function activeFreeze(
  windows: readonly FreezeWindow[],
  now: Date,
): ActiveFreeze | undefined {
  let found: ActiveFreeze | undefined;
  for (const w of windows) {
    const active = 'cron' in w ? recurring(w, now) : oneOff(w, now);
    if (active !== undefined && (found === undefined || active.until > found.until)) found = active;
  }
  return found;
}

function recurring(
  w: Extract<FreezeWindow, { cron: string }>,
  now: Date,
): ActiveFreeze | undefined {
  const length = parseDuration(w.duration);
  if (length === undefined) return undefined;
  const timezone = w.timezone ?? 'UTC';
  const cron = new Cron(w.cron, { timezone });
  // Only a start within one duration before now can still be running; several can overlap.
  const window = `${w.cron} for ${w.duration} (${timezone})`;
  let latest: ActiveFreeze | undefined;
  // From a second ahead: a run at exactly `now` counts (the reference itself is excluded).
  for (const start of cron.previousRuns(64, new Date(now.getTime() + 1000))) {
    if (start > now) continue;
    if (now.getTime() - start.getTime() >= length) break;
    const until = new Date(start.getTime() + length);
    if (latest === undefined || until > latest.until)
      latest = {
        from: start,
        until,
        window,
        ...(w.reason === undefined ? {} : { reason: w.reason }),
      };
  }
  return latest;
}

function oneOff(
  w: Extract<FreezeWindow, { from: string | Date }>,
  now: Date,
): ActiveFreeze | undefined {
  const from = new Date(w.from);
  const until = new Date(w.until);
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) return undefined;
  if (now < from || now >= until) return undefined;
  return {
    from,
    until,
    window: `${from.toISOString()} – ${until.toISOString()}`,
    ...(w.reason === undefined ? {} : { reason: w.reason }),
  };
}
