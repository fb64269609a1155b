/**
 * The replayer: reads the capture's records, sends each request to the target (and, to learn
 * noise, twice to the baseline), hands both answers to `diffResponses`, and accounts for every
 * request. The thin shell around the pure core: the schedule, the HTTP clients and the clock are
 * its only I/O. Long work returns a report; nothing here throws for a failed request.
 */
import type { CaptureProblem, CaptureRecord, CapturedBody } from './capture-format.js';
import { diffResponses, type ResponseSample } from './diff-responses.js';
import { NoiseLearner } from './noise-baseline.js';
import { noiseModel } from './noise-model.js';
import { ReplayAccount, type ReplayOutcome } from './replay-account.js';
import type { ClientAnswer, ClientOptions, ReplayClient } from './replay-http.js';
import type { LatencyThresholds } from './replay-latency.js';
import { buildReplayReport, type ReplayReport } from './replay-report.js';
import { SAFE_METHODS, buildRequest, skipReason, type ReplayPolicy } from './replay-request.js';
import { runSchedule } from './replay-schedule.js';
import { routeTemplate } from './route-template.js';

export interface ReplayRunOptions {
  /** The capture as shown in the report. */
  readonly capture: string;
  readonly records: AsyncIterable<CaptureRecord>;
  /** What the reader could not read so far (read again at the end). */
  readonly problems: () => { readonly count: number; readonly items: readonly CaptureProblem[] };
  readonly target: { readonly name: string; readonly url: URL };
  readonly baseline?: URL;
  readonly policy: ReplayPolicy;
  readonly concurrency: number;
  readonly rate?: number;
  readonly speed?: number;
  readonly timeoutMs: number;
  /** Response headers compared (lower-case). */
  readonly headers: readonly string[];
  /** JSON paths never compared. */
  readonly ignore: readonly string[];
  readonly maxRegressions: number;
  readonly latency: LatencyThresholds & { readonly fail: boolean };
  /**
   * Redacts each answer as the recorder redacted the recorded ones (same key, same rules), before
   * it is compared or excerpted: equal values meet as equal tokens, and no staging secret
   * reaches the report.
   */
  readonly redact?: (answer: ResponseSample) => ResponseSample;
  /** Called now and then with the number of requests done. */
  readonly onProgress?: (done: number) => void;
}

/** The replayer's I/O: how clients are made (a real pool in use, anything in tests). */
export interface ReplayIo {
  createClient(origin: URL, options: ClientOptions): ReplayClient;
}

/** Body excerpts kept for a side-by-side view of a regression. */
const EXCERPT_CHARS = 16_384;

/** Replays a capture against the target and returns the report. */
export async function runReplay(options: ReplayRunOptions, io: ReplayIo): Promise<ReplayReport> {
  const startedAt = new Date();
  const clientOptions = { connections: options.concurrency, timeoutMs: options.timeoutMs };
  const target = io.createClient(options.target.url, clientOptions);
  const baseline =
    options.baseline === undefined
      ? undefined
      : io.createClient(options.baseline, {
          ...clientOptions,
          connections: 2 * options.concurrency,
        });
  const learner = new NoiseLearner();
  const noise = noiseModel(options.ignore, learner.learned);
  const account = new ReplayAccount();
  const redact = options.redact ?? ((answer: ResponseSample) => answer);
  let done = 0;
  let baselineErrors = 0;
  let unmapped = 0;
  let lastProgress = 0;

  const replayOne = async (record: CaptureRecord): Promise<void> => {
    const { method, url } = record.request;
    const route = routeTemplate(method, url);
    const base = { id: record.id, method, url, route, recordedMs: record.durationMs };
    const recorded = record.response;
    const skipped = skipReason(record, options.policy);
    if (skipped !== undefined || recorded === undefined) {
      account.add({ ...base, skipped: skipped ?? 'not answered when recorded' });
      return;
    }
    const request = buildRequest(record, options.policy);
    if (request.unmappedToken) unmapped += 1;
    const learning = baseline !== undefined && SAFE_METHODS.has(request.method);
    const [answer, first, second] = learning
      ? await Promise.all([target.send(request), baseline.send(request), baseline.send(request)])
      : [await target.send(request), undefined, undefined];
    const replayedAt = Date.now();
    if (first !== undefined && second !== undefined) {
      if (first.ok && second.ok) {
        const encoding = recorded.body?.encoding ?? 'utf8';
        learner.learn(
          route,
          request.method,
          options.headers,
          redact(sample(first, encoding)),
          redact(sample(second, encoding)),
          replayedAt,
        );
      } else baselineErrors += 1;
    }
    if (!answer.ok) {
      account.add({ ...base, error: answer.error });
      return;
    }
    const actual = redact(sample(answer, recorded.body?.encoding ?? 'utf8'));
    const diff = diffResponses(recorded, actual, noise, {
      route,
      method: request.method,
      headers: options.headers,
      recordedAt: Date.parse(record.startedAt) + record.durationMs,
      replayedAt,
    });
    const outcome: ReplayOutcome = { ...base, targetMs: answer.ms, diff };
    account.add(
      diff.differences.some((d) => d.noise === undefined)
        ? { ...outcome, bodies: { recorded: excerpt(recorded.body), actual: excerpt(actual.body) } }
        : outcome,
    );
  };

  try {
    await runSchedule(
      options.records,
      { concurrency: options.concurrency, rate: options.rate, speed: options.speed },
      async (record) => {
        await replayOne(record);
        done += 1;
        if (options.onProgress !== undefined && (done & 63) === 0) {
          const now = performance.now();
          if (now - lastProgress >= 200) {
            lastProgress = now;
            options.onProgress(done);
          }
        }
      },
    );
  } finally {
    await Promise.all([target.close(), baseline?.close()]);
  }

  const tally = account.finish(learner.learned, options.latency);
  const notes: string[] = [];
  if (unmapped > 0)
    notes.push(
      `${unmapped} request(s) were sent with redaction tokens in their headers: map them to staging credentials under traffic.replay.credentials`,
    );
  if (baselineErrors > 0)
    notes.push(
      `${baselineErrors} request(s) got no answer from the baseline: nothing learned from them`,
    );
  return buildReplayReport(tally, {
    capture: options.capture,
    target: { name: options.target.name, url: options.target.url.origin },
    ...(options.baseline === undefined
      ? {}
      : {
          baseline: {
            url: options.baseline.origin,
            pairs: learner.pairs,
            errors: baselineErrors,
            learned: learner.summary(),
          },
        }),
    startedAt,
    finishedAt: new Date(),
    maxRegressions: options.maxRegressions,
    latency: options.latency,
    problems: options.problems(),
    notes,
  });
}

/** An answer as a response sample, its body in the recorded body's encoding. */
function sample(
  answer: Extract<ClientAnswer, { ok: true }>,
  encoding: CapturedBody['encoding'],
): ResponseSample {
  const body: CapturedBody = {
    encoding,
    data: answer.body.toString(encoding),
    size: answer.body.length,
    truncated: false,
  };
  return { status: answer.status, headers: answer.headers, body };
}

function excerpt(body: CapturedBody | undefined): string {
  if (body === undefined) return '';
  const text = body.encoding === 'utf8' ? body.data : `(${body.size} bytes of binary data)`;
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
