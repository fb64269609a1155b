/**
 * The arithmetic of the hand-drawn charts: round axis limits and evenly spaced ticks. Pure.
 */

/** A round number at or above `value` (1, 2, 2.5, 5 × a power of ten). */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** `count + 1` ticks from `min` to `max`, both included. */
export function ticks(min: number, max: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= count; i += 1) out.push(min + ((max - min) * i) / count);
  return out;
}

/** Maps `value` in [d0, d1] onto [r0, r1]; the middle of the range when the domain is a point. */
export function scale(value: number, d0: number, d1: number, r0: number, r1: number): number {
  if (d1 === d0) return (r0 + r1) / 2;
  return r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}
