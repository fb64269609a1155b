/** How parity values read in reports: short, never a secret, absent shown as absent. */
import type { AssessedDifference } from '../../parity/allowances.js';
import type { JsonValue } from '../../parity/drift.js';

/** Placeholder shown wherever a secret's value would be. */
export const SECRET = '‹secret›';
/** Placeholder for a side that lacks the item. */
export const ABSENT = '—';

/** One value as short text. */
export function showValue(
  value: JsonValue | undefined,
  secret: boolean | undefined,
  max = 60,
): string {
  if (secret === true) return SECRET;
  if (value === undefined) return ABSENT;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The env-side and against-side values of a difference as text. */
export function showSides(d: AssessedDifference, max?: number): { env: string; against: string } {
  return {
    env: d.kind === 'missing' ? ABSENT : showValue(d.envValue, d.secret, max),
    against: d.kind === 'extra' ? ABSENT : showValue(d.againstValue, d.secret, max),
  };
}

/** `expires 2027-06-01`, `ops`, … as one parenthesis, or empty. */
export function allowanceDetails(a: {
  readonly owner?: string | undefined;
  readonly expires?: string | undefined;
}): string {
  const parts = [a.owner, a.expires === undefined ? undefined : `until ${a.expires}`].filter(
    (p) => p !== undefined,
  );
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
