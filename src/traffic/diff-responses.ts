/**
 * `diffResponses(recorded, actual, noise, options)`: every way the actual answer differs from the
 * recorded one — status, the selected headers, the body (JSON structurally with exact paths, text
 * by lines, anything else by bytes) — each marked as noise (with the reason) or not. A recorded
 * body cut at the capture cap is never compared. Pure: the replayer feeds it.
 */
import type { CapturedBody, HeaderList } from './capture-format.js';
import { diffJson, type JsonDifference } from './diff-json.js';
import { formatPath, generalPath, type PathSegment } from './diff-path.js';
import { describeText, diffText } from './diff-text.js';
import { classifyNoise, type NoiseModel, type NoiseVerdict } from './noise-model.js';

/** A response as compared: the recorded one from the capture, the actual one as received. */
export interface ResponseSample {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body?: CapturedBody;
}

export interface DiffOptions {
  /** The request's route template (noise learned from the baseline is per route). */
  readonly route: string;
  readonly method: string;
  /** Response headers compared, lower-case. */
  readonly headers: readonly string[];
  /** When each answer was given (epoch ms), for epoch-time noise. */
  readonly recordedAt: number;
  readonly replayedAt: number;
}

/** One difference: where, what each side held (JSON values, or text for others), and noise. */
export interface ResponseDifference {
  readonly kind: 'status' | 'header' | 'changed' | 'type' | 'removed' | 'added' | 'text' | 'binary';
  /** `status`, `header:content-type`, `$.items[3].price`, or `body` for text and binary bodies. */
  readonly path: string;
  /** The path with every index as `[*]`, as the report groups differences. */
  readonly general: string;
  readonly recorded?: unknown;
  readonly actual?: unknown;
  /** Set when the difference is noise; otherwise it is a regression. */
  readonly noise?: NoiseVerdict;
}

export interface ResponseDiff {
  readonly differences: readonly ResponseDifference[];
  /** False when the body was not compared (recorded body truncated); `note` says why. */
  readonly bodyCompared: boolean;
  readonly note?: string;
}

const jsonType = /[/+]json\b/i;

/** Compares an actual answer with the recorded one under a noise model. */
export function diffResponses(
  recorded: ResponseSample,
  actual: ResponseSample,
  noise: NoiseModel,
  options: DiffOptions,
): ResponseDiff {
  const out: ResponseDifference[] = [];
  const judge: Judge = (d, segments, key, fallback) => {
    const verdict =
      classifyNoise(noise, {
        route: options.route,
        segments,
        general: d.general,
        recorded: d.recorded,
        actual: d.actual,
        valueChanged: d.kind === 'changed' || d.kind === 'type' || d.kind === 'header',
        context: {
          key,
          method: options.method,
          recordedAt: options.recordedAt,
          replayedAt: options.replayedAt,
        },
      }) ?? fallback;
    out.push(verdict === undefined ? d : { ...d, noise: verdict });
  };

  if (recorded.status !== actual.status)
    judge(
      {
        kind: 'status',
        path: 'status',
        general: 'status',
        recorded: recorded.status,
        actual: actual.status,
      },
      undefined,
      undefined,
    );
  for (const name of options.headers) {
    const a = headerValue(recorded.headers, name);
    const b = headerValue(actual.headers, name);
    if (a !== b && normalizeHeader(name, a) !== normalizeHeader(name, b)) {
      const path = `header:${name}`;
      judge({ kind: 'header', path, general: path, recorded: a, actual: b }, undefined, name);
    }
  }
  if (recorded.body?.truncated === true)
    return {
      differences: out,
      bodyCompared: false,
      note: `recorded body cut at the capture cap (${recorded.body.size} bytes): not compared`,
    };
  compareBodies(recorded, actual, judge);
  return { differences: out, bodyCompared: true };
}

/** Records one difference, judged by the noise model (or, failing that, by `fallback`). */
type Judge = (
  d: Omit<ResponseDifference, 'noise'>,
  segments: readonly PathSegment[] | undefined,
  key: PathSegment | undefined,
  fallback?: NoiseVerdict,
) => void;

function compareBodies(recorded: ResponseSample, actual: ResponseSample, judge: Judge): void {
  const a = recorded.body ?? emptyBody;
  const b = actual.body ?? emptyBody;
  if (a.encoding === b.encoding && a.data === b.data) return;
  if (a.encoding === 'base64' || b.encoding === 'base64') {
    const bytesA = Buffer.from(a.data, a.encoding);
    const bytesB = Buffer.from(b.data, b.encoding);
    if (bytesA.equals(bytesB)) return;
    judge(
      {
        kind: 'binary',
        path: 'body',
        general: 'body',
        recorded: `${bytesA.length} bytes`,
        actual: `${bytesB.length} bytes`,
      },
      undefined,
      undefined,
    );
    return;
  }
  if (looksJson(recorded, a.data)) {
    const left = parseJson(a.data);
    if (left.ok) {
      const right = parseJson(b.data);
      if (!right.ok) {
        judge(
          {
            kind: 'type',
            path: '$',
            general: '$',
            recorded: 'a JSON body',
            actual: excerpt(b.data),
          },
          [],
          undefined,
        );
        return;
      }
      for (const d of diffJson(left.value, right.value)) judgeJson(d, judge);
      return;
    }
  }
  const text = diffText(a.data, b.data);
  if (text === undefined) return;
  // Text that differs only in volatile values is noise; the summary stands for both sides.
  judge(
    {
      kind: 'text',
      path: 'body',
      general: 'body',
      recorded: describeText(text),
      actual: excerpt(b.data),
    },
    undefined,
    undefined,
    text.volatileOnly ? { reason: 'volatile-text' } : undefined,
  );
}

function judgeJson(d: JsonDifference, judge: Judge): void {
  judge(
    {
      kind: d.kind,
      path: formatPath(d.segments),
      general: generalPath(d.segments),
      ...(d.kind === 'added' ? {} : { recorded: d.recorded }),
      ...(d.kind === 'removed' ? {} : { actual: d.actual }),
    },
    d.segments,
    d.segments[d.segments.length - 1],
  );
}

const emptyBody: CapturedBody = { encoding: 'utf8', data: '', size: 0, truncated: false };

/** All values of a header joined as HTTP joins them, or undefined when absent. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of headers) if (n === name) value = value === undefined ? v : `${value}, ${v}`;
  return value;
}

function normalizeHeader(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim().replace(/\s*([;,=])\s*/g, '$1');
  return name === 'content-type' ? trimmed.toLowerCase() : trimmed;
}

function looksJson(recorded: ResponseSample, data: string): boolean {
  const type = headerValue(recorded.headers, 'content-type');
  if (type !== undefined && jsonType.test(type)) return true;
  const first = data.trimStart()[0];
  return first === '{' || first === '[';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function excerpt(text: string, width = 80): string {
  return text.length > width ? `${text.slice(0, width)}…` : text;
}
