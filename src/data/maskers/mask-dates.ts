/**
 * Date maskers. Both move only the `YYYY-MM-DD` at the start of a date, timestamp or
 * timestamptz text and keep the rest (time, offset) as it was, so output is valid for the same
 * column type. Both are bijections on days, so unique dates stay unique and never map to
 * themselves; the move depends only on the date, so all of one day's timestamps keep their order.
 */
import { derangeIndex } from './format-preserving.js';
import type { MaskerContext, TextMasker } from './masker-context.js';

const datePrefix = /^(\d{4,})-(\d{2})-(\d{2})/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of `daysFromCivil`. */
export function civilFromDays(days: number): readonly [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Rewrites the date at the start of `text` through `move` (days → days); other text unchanged. */
function withDate(text: string, move: (days: number, year: number) => number): string {
  const m = datePrefix.exec(text);
  // infinity, -infinity and BC dates are not personal data; they pass unchanged.
  if (m === null || text.endsWith(' BC')) return text;
  const year = Number(m[1]);
  const days = daysFromCivil(year, Number(m[2]), Number(m[3]));
  return formatDate(move(days, year)) + text.slice(m[0].length);
}

/** The default of `date_shift.days`. */
export const DEFAULT_SHIFT_DAYS = 30;

/**
 * Moves a date by at most ±days: days are grouped in windows of days+1 consecutive days and
 * permuted within their window (without fixed points), so the shift is bounded and bijective.
 */
export function createDateShiftMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('date_shift');
  const window = Math.max(2, (ctx.spec.days ?? DEFAULT_SHIFT_DAYS) + 1);
  return (text) =>
    withDate(text, (days) => {
      const start = Math.floor(days / window) * window;
      return start + derangeIndex(prf, window, days - start, start >>> 0);
    });
}

/** Birth years are kept in their 5-year block (1990–1994), which keeps the age band. */
export const BIRTH_BLOCK_YEARS = 5;

/** A different valid date in the same 5-year block of birth years. */
export function createBirthDateMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('birth_date');
  return (text) =>
    withDate(text, (days, year) => {
      const first = Math.floor(year / BIRTH_BLOCK_YEARS) * BIRTH_BLOCK_YEARS;
      const start = daysFromCivil(first, 1, 1);
      const size = daysFromCivil(first + BIRTH_BLOCK_YEARS, 1, 1) - start;
      return start + derangeIndex(prf, size, days - start, first >>> 0);
    });
}
