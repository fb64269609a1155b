/**
 * `understudy replay CAPTURE`: sends the recorded requests to the target (an environment or a
 * URL), compares every answer with the recorded one under the noise model, keeps the report in
 * the store (kind `replay`, subject the target) for the release gate and the dashboard, records it
 * in the audit log, and exits 1 when regressions exceed `traffic.replay.maxRegressions`, 4 when the
 * target answered nothing.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import type { CaptureProblem } from '../../traffic/capture-format.js';
import { listCaptureFiles, readCapture } from '../../traffic/capture-read.js';
import { createReplayClient } from '../../traffic/replay-http.js';
import { resolveReplay, type ReplayFlags } from '../../traffic/replay-options.js';
import {
  MAX_LISTED_PROBLEMS,
  REPLAY_REPORT_KIND,
  type ReplayReport,
} from '../../traffic/replay-report.js';
import { createResponseRedactor } from '../../traffic/redact.js';
import { findRedactionKey, redactorOptions } from '../../traffic/redact-key.js';
import { runReplay } from '../../traffic/replay-run.js';
import { wholeNumber } from '../arguments.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { renderReplayHtml } from '../reporters/replay-html.js';
import { renderReplayJunit } from '../reporters/replay-junit.js';
import { renderReplayText } from '../reporters/replay-text.js';
import { writeNamedFile } from '../write-file.js';

interface ReplayOptions extends ReplayFlags {
  junit?: string;
  html?: string;
}

/** The exit code a replay report stands for. */
export function replayExitCode(report: ReplayReport): number {
  if (report.status === 'error') return ExitCode.operational;
  return report.status === 'fail' ? ExitCode.blocking : ExitCode.ok;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number above 0');
  return n;
}

function speedFactor(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('must be a number of at least 0 (0: as fast as possible)');
  return n;
}

export const replayCommand: CommandSpec = {
  register(program, run) {
    program
      .command('replay <capture>')
      .description(
        'replay recorded traffic against staging and compare every answer with production’s',
      )
      .option(
        '--target <env|url>',
        'the environment or URL the requests go to (default: traffic.replay.target)',
      )
      .option(
        '--baseline <env|url>',
        'a second production-like service: each request is sent to it twice to learn noise',
      )
      .option('--rate <n>', 'at most this many requests per second', positiveNumber)
      .option(
        '--speed <x>',
        'relative to the recorded timing: 1 as recorded, 2 twice as fast; 0 (default) as fast as possible',
        speedFactor,
      )
      .option(
        '--concurrency <n>',
        'requests in flight at once (default: traffic.replay.concurrency)',
        wholeNumber(1, 1024),
      )
      .option(
        '--timeout <duration>',
        'a request unanswered this long is an error (default: traffic.replay.timeout)',
      )
      .option('--junit <file>', 'also write the report as JUnit XML, one test case per route')
      .option('--html <file>', 'also write the report as one self-contained HTML page')
      .action((capture: string, options: ReplayOptions) =>
        run('replay', (ctx) => replay(ctx, capture, options)),
      );
  },
};

async function replay(
  ctx: CommandContext,
  capture: string,
  options: ReplayOptions,
): Promise<number> {
  const { config } = await ctx.config();
  const resolved = resolveReplay(config, options);
  const capturePath = path.resolve(ctx.cwd, capture);
  await listCaptureFiles(capturePath); // a missing capture is bad input before anything is sent
  const store = await ctx.store();
  // Who acts is proven before anything is sent.
  const actor = await ctx.actorName();
  const c = ctx.output.color;

  const problems: CaptureProblem[] = [];
  let problemCount = 0;
  const onProblem = (problem: CaptureProblem): void => {
    problemCount += 1;
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };
  const showProgress = ctx.output.interactive && !ctx.output.json;
  const started = performance.now();
  const report = await runReplay(
    {
      capture,
      records: readCapture(capturePath, onProblem),
      problems: () => ({ count: problemCount, items: problems }),
      target: { name: resolved.target.name, url: resolved.target.url },
      ...(resolved.baseline === undefined ? {} : { baseline: resolved.baseline.url }),
      policy: resolved.policy,
      concurrency: resolved.concurrency,
      ...(resolved.rate === undefined ? {} : { rate: resolved.rate }),
      ...(resolved.speed === undefined ? {} : { speed: resolved.speed }),
      timeoutMs: resolved.timeoutMs,
      headers: resolved.headers,
      ignore: resolved.ignore,
      maxRegressions: resolved.maxRegressions,
      latency: resolved.latency,
      redact: createResponseRedactor(
        redactorOptions(config, findRedactionKey(config, ctx.env).key),
      ),
      ...(showProgress
        ? {
            onProgress: (done: number) => {
              const seconds = (performance.now() - started) / 1000;
              ctx.output.live([
                c.dim(
                  `replaying: ${done} requests, ${Math.round(done / Math.max(seconds, 0.001))}/s`,
                ),
              ]);
            },
          }
        : {}),
    },
    { createClient: createReplayClient },
  );
  if (showProgress) ctx.output.live([]);

  if (report.counts.total === 0)
    throw new UnderstudyError(
      'E_INPUT',
      problemCount === 0
        ? `${capture} holds no exchanges to replay`
        : `nothing readable in ${capture}: ${problemCount} problem(s)`,
      {
        problems: problems.slice(0, 10).map((p) => ({
          message: `${p.kind}: ${p.message}`,
          location: p.line === undefined ? p.file : `${p.file}:${p.line}`,
        })),
      },
    );

  const stored = await store.reports.save({
    kind: REPLAY_REPORT_KIND,
    subject: report.target.name,
    status: report.status,
    body: report,
  });
  await appendAudit(store, {
    actor,
    action: 'replay.run',
    subject: report.target.name,
    details: {
      reportId: stored.id,
      status: report.status,
      capture,
      counts: report.counts,
      slowRoutes: report.slowRoutes.length,
      ...(report.baseline === undefined ? {} : { baseline: report.baseline.url }),
    },
  });
  if (options.junit !== undefined)
    await writeNamedFile(ctx.cwd, options.junit, renderReplayJunit(report));
  if (options.html !== undefined)
    await writeNamedFile(ctx.cwd, options.html, renderReplayHtml(report));

  ctx.output.document('replay', { ok: report.status === 'pass', reportId: stored.id, report });
  for (const line of renderReplayText(report, c)) ctx.output.line(line);
  if (!ctx.output.json) ctx.output.note(c.dim(`report ${stored.id} stored`));
  return replayExitCode(report);
}
