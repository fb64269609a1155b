/**
 * `understudy traffic import|export|show`: HAR files in and out of the capture format, and a look
 * inside a capture, so traffic from browsers, mitmproxy or k6 can be replayed, recordings can be
 * opened in other tools, and users can see what was recorded before they replay it.
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { findConfigFile, type LoadedConfig } from '../../config/config-load.js';
import { ExitCode, UnderstudyError, messageOf } from '../../shared/errors.js';
import type { CaptureProblem } from '../../traffic/capture-format.js';
import { listCaptureFiles, readCapture } from '../../traffic/capture-read.js';
import { summarizeCapture } from '../../traffic/capture-read-summary.js';
import { writeCaptureDirectory } from '../../traffic/capture-writer-batch.js';
import { writeHar } from '../../traffic/har-export.js';
import { importHar } from '../../traffic/har-import.js';
import { createRedactor } from '../../traffic/redact.js';
import { REDACT_KEY_ENV, findRedactionKey, redactorOptions } from '../../traffic/redact-key.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { VERSION } from '../../shared/version.js';
import { printSummary, problemLines } from '../reporters/capture-text.js';

/** The environment variable `understudy record` reads the redaction key from. */

/** The body cap when no config says otherwise (the schema's default for traffic.record). */
const DEFAULT_MAX_BODY_BYTES = 1_048_576;

interface ImportOptions {
  readonly out?: string;
  readonly sessions: 'file' | 'page';
  readonly origin?: string[];
}

export const trafficCommand: CommandSpec = {
  register(program, run) {
    const traffic: Command = program
      .command('traffic')
      .description('captures of HTTP traffic: HAR in and out, and what a capture holds');

    traffic
      .command('import')
      .description('turn a HAR 1.2 file into a capture, redacted as a recording would be')
      .argument('<file>', 'a HAR file, as saved by a browser, mitmproxy or k6')
      .option(
        '-o, --out <dir>',
        'the capture directory to write (default: <traffic.record.out>/import-<time>)',
      )
      .addOption(
        new Option(
          '--sessions <how>',
          'file: the whole HAR is one session, in order; page: one session per HAR page',
        )
          .choices(['file', 'page'])
          .default('file'),
      )
      .option('--origin <url>', 'import only entries of this origin (repeatable)', collectOrigin)
      .action((file: string, options: ImportOptions) =>
        run('traffic import', (ctx) => importTraffic(ctx, file, options)),
      );

    traffic
      .command('export')
      .description('write a capture as HAR 1.2 (on stdout, or to --out)')
      .argument('<capture>', 'a capture directory or one capture file')
      .requiredOption('--har', 'HAR 1.2 (the one format for now)')
      .option(
        '-o, --out <file>',
        'write to this file instead of stdout (--json then prints a summary)',
      )
      .action((capture: string, options: { out?: string }) =>
        run('traffic export', (ctx) => exportTraffic(ctx, capture, options.out)),
      );

    traffic
      .command('show')
      .description(
        'what a capture holds: files, exchanges, time span, sessions, methods, statuses, problems',
      )
      .argument('<capture>', 'a capture directory or one capture file')
      .action((capture: string) =>
        run('traffic show', async (ctx) => {
          const summary = await summarizeCapture(path.resolve(ctx.cwd, capture));
          ctx.output.document('traffic show', { ok: true, capture, ...summary });
          printSummary(ctx.output, capture, summary, ctx.cwd);
          return ExitCode.ok;
        }),
      );
  },
};

async function importTraffic(
  ctx: CommandContext,
  file: string,
  options: ImportOptions,
): Promise<number> {
  const text = await readHar(path.resolve(ctx.cwd, file), file);
  const loaded = await optionalConfig(ctx);
  const record = loaded?.config.traffic?.record;
  const key = findRedactionKey(loaded?.config, ctx.env);
  const redact = createRedactor(redactorOptions(loaded?.config, key.key));
  const maxBodyBytes = record?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const result = importHar(text, file, {
    redact,
    maxBodyBytes,
    sessions: options.sessions,
    origins: options.origin ?? [],
  });
  if (result.records.length === 0) {
    const why =
      result.skipped > 0
        ? `all ${result.skipped} entries are of other origins than --origin`
        : 'it has no entries';
    throw new UnderstudyError('E_INPUT', `nothing to import from ${file}: ${why}`);
  }
  const started = new Date();
  const stamp = started
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const out =
    options.out === undefined
      ? path.resolve(
          loaded?.dir ?? ctx.cwd,
          record?.out ?? '.understudy/captures',
          `import-${stamp}`,
        )
      : path.resolve(ctx.cwd, options.out);
  const written = await writeCaptureDirectory(
    out,
    { writer: 'har-import', maxBodyBytes, upstream: result.upstream },
    result.records,
    started,
  );
  const sessions = new Set(result.records.map((r) => r.session)).size;
  const redactions = result.records.reduce(
    (n, r) => n + r.redactions.reduce((m, x) => m + x.count, 0),
    0,
  );
  const shown = path.relative(ctx.cwd, out) || '.';
  ctx.output.document('traffic import', {
    ok: true,
    file,
    out: shown,
    captureFile: path.relative(ctx.cwd, written),
    records: result.records.length,
    sessions,
    skipped: result.skipped,
    redactions,
    redactionKey: key.source,
    creator: result.creator,
    notes: result.notes,
  });
  const c = ctx.output.color;
  ctx.output.line(
    `${c.green('✓')} imported ${result.records.length} exchanges from ${file} into ${shown} (${sessions} ${sessions === 1 ? 'session' : 'sessions'}, ${redactions} values redacted)`,
  );
  if (result.skipped > 0) ctx.output.line(`  ${result.skipped} entries of other origins left out`);
  for (const note of result.notes) ctx.output.line(`  ${c.yellow('!')} ${note}`);
  if (key.source === 'ephemeral' && !ctx.output.json) {
    ctx.output.note(
      `${c.yellow('!')} no redaction key: tokens in this capture match no other capture; set ${REDACT_KEY_ENV} (as for understudy record) to keep them stable`,
    );
  }
  return ExitCode.ok;
}

async function exportTraffic(
  ctx: CommandContext,
  capture: string,
  out: string | undefined,
): Promise<number> {
  const source = path.resolve(ctx.cwd, capture);
  // Before anything is written: a missing capture must not leave half a HAR on stdout.
  await listCaptureFiles(source);
  const problems: CaptureProblem[] = [];
  let origin: string | undefined;
  const records = readCapture(
    source,
    (p) => problems.push(p),
    (_, header) => (origin = header.upstream),
  );
  const options = { version: VERSION };
  const c = ctx.output.color;
  if (out === undefined) {
    const count = await writeHar(
      records,
      (t) => ctx.output.raw(t),
      () => origin,
      options,
    );
    for (const line of problemLines(problems, c, ctx.cwd)) ctx.output.note(line);
    ctx.output.note(`${count} exchanges exported as HAR 1.2`);
    return ExitCode.ok;
  }
  // Written beside the target and renamed: an interrupted export never leaves half a file.
  const target = path.resolve(ctx.cwd, out);
  const temporary = `${target}.${process.pid}.tmp`;
  const file = createWriteStream(temporary, { flags: 'wx' });
  try {
    const count = await writeHar(
      records,
      async (t) => {
        if (!file.write(t)) await once(file, 'drain');
      },
      () => origin,
      options,
    );
    file.end();
    await once(file, 'close');
    await rename(temporary, target);
    ctx.output.document('traffic export', {
      ok: true,
      capture,
      file: out,
      entries: count,
      problems,
    });
    ctx.output.line(`${c.green('✓')} ${count} exchanges written to ${out} as HAR 1.2`);
    for (const line of problemLines(problems, c, ctx.cwd)) ctx.output.line(line);
    return ExitCode.ok;
  } catch (error) {
    file.destroy();
    await rm(temporary, { force: true });
    if (error instanceof UnderstudyError) throw error;
    throw new UnderstudyError('E_INPUT', `cannot write ${out}: ${messageOf(error)}`, {
      hint: 'check that the folder exists and is writable',
    });
  }
}

async function readHar(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UnderstudyError('E_NOT_FOUND', `no such file: ${shown}`, {
        hint: 'pass the path of a HAR file',
      });
    }
    throw new UnderstudyError('E_INPUT', `cannot read ${shown}: ${messageOf(error)}`);
  }
}

/** The config when there is one (a broken one is still an error); imports work without. */
async function optionalConfig(ctx: CommandContext): Promise<LoadedConfig | undefined> {
  if (ctx.configFile === undefined && findConfigFile(ctx.cwd) === undefined) return undefined;
  return ctx.config();
}

function collectOrigin(value: string, previous: string[] = []): string[] {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidArgumentError('must be an http(s) URL such as https://shop.example.com');
  }
  return [...previous, value];
}
