/**
 * The noise model: what may differ between the recorded answer and the actual one without being a
 * regression. Three sources, checked in this order: the user's ignore rules (exact JSON paths with
 * `[*]` / `.*` wildcards, never substrings), paths the baseline disagreed with itself on for the
 * route (learned as Diffy does), and value shapes (timestamps, UUIDs, tokens…). A suppressed
 * difference is kept with its reason so the report can count and list it. Pure.
 */
import {
  generalWithin,
  parseJsonPath,
  pathWithin,
  type PathSegment,
  type PatternStep,
} from './diff-path.js';
import { volatileShape, type ShapeContext, type ShapeReason } from './noise-shape.js';

/** Why a difference is noise. */
export type NoiseReason = 'ignored' | 'baseline' | ShapeReason;

/** A difference found to be noise: the reason and, for ignore rules, which rule. */
export interface NoiseVerdict {
  readonly reason: NoiseReason;
  readonly rule?: string;
}

/** One compiled ignore rule. */
export interface IgnoreRule {
  readonly text: string;
  readonly steps: readonly PatternStep[];
}

/** Paths (generalised) known to be noisy, by route template. */
export type LearnedNoise = ReadonlyMap<string, ReadonlySet<string>>;

export interface NoiseModel {
  readonly ignore: readonly IgnoreRule[];
  readonly learned: LearnedNoise;
  /** Whether value shapes count as noise (on unless a caller wants the raw differences). */
  readonly shapes: boolean;
}

/** A model without any noise: every difference is reported as one (used to compare baselines). */
export const NO_NOISE: NoiseModel = Object.freeze({
  ignore: [],
  learned: new Map<string, ReadonlySet<string>>(),
  shapes: false,
});

/** Compiles ignore rules; throws on a rule that is not a JSON path (the config schema checks first). */
export function compileIgnoreRules(rules: readonly string[]): IgnoreRule[] {
  return rules.map((text) => {
    const steps = parseJsonPath(text);
    if (steps === undefined) throw new Error(`not a JSON path: ${text}`);
    return { text, steps };
  });
}

/** Builds a noise model from the user's ignore rules and what was learned so far. */
export function noiseModel(
  ignore: readonly string[],
  learned: LearnedNoise = new Map(),
): NoiseModel {
  return { ignore: compileIgnoreRules(ignore), learned, shapes: true };
}

/** What the classifier knows about one difference. */
export interface NoiseQuestion {
  readonly route: string;
  /** JSON path segments of a body difference; undefined for status, headers and text. */
  readonly segments: readonly PathSegment[] | undefined;
  readonly general: string;
  readonly recorded: unknown;
  readonly actual: unknown;
  /** Whether the difference is of a value (changed) rather than of presence or type. */
  readonly valueChanged: boolean;
  readonly context: ShapeContext;
}

/** Why a difference is noise under `model`, or undefined when it is a regression. */
export function classifyNoise(model: NoiseModel, q: NoiseQuestion): NoiseVerdict | undefined {
  if (q.segments !== undefined)
    for (const rule of model.ignore)
      if (pathWithin(rule.steps, q.segments)) return { reason: 'ignored', rule: rule.text };
  if (learnedCovers(model.learned, q.route, q.general)) return { reason: 'baseline' };
  if (model.shapes && q.valueChanged) {
    const shape = volatileShape(q.recorded, q.actual, q.context);
    if (shape !== undefined) return { reason: shape };
  }
  return undefined;
}

/** Whether the baseline disagreed with itself on `general` (or a path holding it) for `route`. */
export function learnedCovers(learned: LearnedNoise, route: string, general: string): boolean {
  const paths = learned.get(route);
  if (paths === undefined) return false;
  if (paths.has(general)) return true;
  for (const p of paths) if (generalWithin(p, general)) return true;
  return false;
}
