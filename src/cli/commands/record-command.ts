/**
 * `understudy record`: records production traffic through a reverse proxy, redacted before it
 * reaches the disk, until SIGINT or SIGTERM; then drains and prints the counters. Settings come
 * from `traffic.record` in understudy.yaml, flags win; with --upstream no config file is needed.
 *
 * The redaction key comes from `traffic.key`, else UNDERSTUDY_REDACT_KEY (see redact-key.ts).
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { findConfigFile } from '../../config/config-load.js';
import type { Config } from '../../config/config-schema.js';
import { parseDuration } from '../../shared/duration.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import { HEALTH_PATH } from '../../traffic/record-proxy.js';
import { REDACT_KEY_ENV, redactorOptions, requireRedactionKey } from '../../traffic/redact-key.js';
import { runRecorder, type RecordSummary } from '../../traffic/record-run.js';
import { wholeNumber } from '../arguments.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { VERSION } from '../../shared/version.js';

interface RecordFlags {
  readonly upstream?: string;
  readonly listen?: string;
  readonly out?: string;
  readonly maxBodyBytes?: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** `8080`, `127.0.0.1:8080`, `[::1]:8080` → host and port; anything else is a usage error. */
export function parseListen(value: string | number): { host?: string; port: number } {
  const text = String(value).trim();
  const m = /^\d+$/.test(text)
    ? [text, undefined, text]
    : (/^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s[\]]+):(\d+)$/.exec(text));
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535))
    throw new UnderstudyError('E_USAGE', `--listen must be PORT or HOST:PORT, not "${text}"`, {
      hint: 'e.g. --listen 8080 or --listen 127.0.0.1:8080',
    });
  return m[1] === undefined ? { port } : { host: m[1], port };
}

function upstreamUrl(value: string | undefined): URL {
  if (value === undefined)
    throw new UnderstudyError('E_USAGE', 'no upstream to record: pass --upstream URL', {
      hint: 'or set traffic.record.upstream in understudy.yaml',
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UnderstudyError(
      'E_USAGE',
      `--upstream must be an http:// or https:// URL, not "${value}"`,
    );
  return url;
}

/** The config when there is one (named with --config, or found from the working directory). */
async function optionalConfig(
  ctx: CommandContext,
): Promise<{ config: Config; dir: string } | undefined> {
  if (ctx.configFile === undefined && findConfigFile(ctx.cwd) === undefined) return undefined;
  const { config, dir } = await ctx.config();
  return { config, dir };
}

/** Resolves on SIGINT or SIGTERM (a second one stops at once); `dispose` removes the handlers. */
function untilSignal(ctx: CommandContext): { stopped: Promise<NodeJS.Signals>; dispose(): void } {
  const again = (): void => {
    ctx.output.note('stopping now: records still queued are lost');
    process.exit(ExitCode.operational);
  };
  let first: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    first = (signal) => {
      process.off('SIGINT', first).off('SIGTERM', first);
      process.once('SIGINT', again).once('SIGTERM', again);
      resolve(signal);
    };
  });
  process.on('SIGINT', first).on('SIGTERM', first);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', first).off('SIGTERM', first);
      process.off('SIGINT', again).off('SIGTERM', again);
    },
  };
}

async function record(ctx: CommandContext, flags: RecordFlags): Promise<number> {
  const loaded = await optionalConfig(ctx);
  const settings = loaded?.config.traffic?.record;
  const upstream = upstreamUrl(flags.upstream ?? settings?.upstream);
  const { host, port } = parseListen(flags.listen ?? settings?.listen ?? 8080);
  const out =
    flags.out !== undefined
      ? path.resolve(ctx.cwd, flags.out)
      : path.resolve(loaded?.dir ?? ctx.cwd, settings?.out ?? '.understudy/captures');
  const key = requireRedactionKey(loaded?.config, ctx.env);
  const tlsCert = flags.tlsCert ?? settings?.tls?.cert;
  const tlsKey = flags.tlsKey ?? settings?.tls?.key;
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    throw new UnderstudyError('E_USAGE', 'TLS termination needs both a certificate and a key', {
      hint: 'give --tls-cert FILE and --tls-key FILE (or traffic.record.tls.cert and .key)',
    });
  const base = (flag: string | undefined): string =>
    flag !== undefined ? ctx.cwd : (loaded?.dir ?? ctx.cwd);
  const c = ctx.output.color;
  const signals = untilSignal(ctx);
  let summary: RecordSummary;
  try {
    summary = await runRecorder(
      {
        upstream,
        ...(host === undefined ? {} : { host }),
        port,
        dir: out,
        maxBodyBytes: flags.maxBodyBytes ?? settings?.maxBodyBytes ?? 1_048_576,
        timeoutMs: parseDuration(settings?.timeout ?? '60s') ?? 60_000,
        redaction: redactorOptions(loaded?.config, key),
        sampling: {
          percent: settings?.sample?.percent ?? 100,
          ...(settings?.sample?.by === undefined ? {} : { by: settings.sample.by }),
          include: settings?.routes?.include ?? [],
          exclude: settings?.routes?.exclude ?? [],
        },
        ...(tlsCert === undefined || tlsKey === undefined
          ? {}
          : {
              tls: {
                cert: path.resolve(base(flags.tlsCert), tlsCert),
                key: path.resolve(base(flags.tlsKey), tlsKey),
              },
            }),
        writer: `understudy ${VERSION}`,
        onListening(info) {
          const shownDir = path.relative(ctx.cwd, info.dir) || '.';
          const lines = [
            `recording ${c.bold(info.url)} → ${info.upstream}`,
            `  captures in ${shownDir}, redacted; health at ${info.url}${HEALTH_PATH}`,
            '  stop with Ctrl-C (SIGINT) or SIGTERM',
          ];
          // In JSON mode stdout holds only the final document: say where it listens on stderr.
          for (const line of lines) {
            if (ctx.output.json) ctx.output.note(line);
            else ctx.output.line(line);
          }
        },
      },
      signals.stopped,
    );
  } finally {
    signals.dispose();
  }

  ctx.output.document('record', { ok: true, ...summary });
  const reasons = Object.entries(summary.dropReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  ctx.output.line(
    `${c.green('✓')} stopped: ${summary.requests} requests, ${summary.recorded} recorded, ` +
      `${summary.dropped} dropped${reasons === '' ? '' : ` (${reasons})`}, ${summary.skipped} skipped, ` +
      `${summary.upstreamErrors} upstream errors; ${summary.bytes} bytes written`,
  );
  if (summary.lastError !== undefined) ctx.output.line(`  last write error: ${summary.lastError}`);
  return ExitCode.ok;
}

function byteCount(value: string): number {
  try {
    return wholeNumber(0)(value);
  } catch {
    throw new InvalidArgumentError('must be a whole number of bytes');
  }
}

export const recordCommand: CommandSpec = {
  register(program, run) {
    program
      .command('record')
      .description(
        'record traffic through a reverse proxy, redacted before it reaches the disk, until Ctrl-C',
      )
      .option('--upstream <url>', 'where requests go (default: traffic.record.upstream)')
      .option(
        '--listen <port|host:port>',
        'where the proxy listens (default: traffic.record.listen, 8080)',
      )
      .option(
        '--out <dir>',
        'the capture directory (default: traffic.record.out, .understudy/captures)',
      )
      .option(
        '--max-body-bytes <n>',
        'record at most this much of each body (default: 1 MiB)',
        byteCount,
      )
      .option('--tls-cert <file>', 'terminate TLS with this PEM certificate (with --tls-key)')
      .option('--tls-key <file>', 'the PEM private key for --tls-cert')
      .addHelpText(
        'after',
        `\nThe redaction key comes from traffic.key in understudy.yaml, else ${REDACT_KEY_ENV}.`,
      )
      .action((flags: RecordFlags) => run('record', (ctx) => record(ctx, flags)));
  },
};
