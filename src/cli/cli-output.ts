/**
 * Everything the CLI writes goes through here: text for people (coloured only when the terminal
 * wants it and NO_COLOR is unset), JSON for machines (one versioned document on stdout), and
 * errors in either form.
 */
import pc from 'picocolors';
import { UnderstudyError, type ErrorJson, type Problem } from '../shared/errors.js';

/** Version of every `--json` document's shape; bumped only for incompatible changes. */
export const JSON_SCHEMA_VERSION = 1;

export type Colors = ReturnType<typeof pc.createColors>;

export interface Streams {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

export interface Output {
  readonly json: boolean;
  readonly color: Colors;
  /** Whether stderr is a terminal (progress is drawn only then). */
  readonly interactive: boolean;
  /** A line of text for people, on stdout. Ignored in JSON mode. */
  line(text?: string): void;
  /** A note for people on stderr (warnings, progress); kept out of stdout so pipes stay clean. */
  note(text: string): void;
  /**
   * Redraws a block of status lines on stderr in place (a terminal only; ignored otherwise and in
   * JSON mode); `live([])` removes the block. Other output should wait until it is removed.
   */
  live(lines: readonly string[]): void;
  /** The JSON document of a command (only in JSON mode). */
  document(command: string, body: Record<string, unknown>): void;
  /** Text written to stdout as is, in either mode (for output that is already data). */
  raw(text: string): void;
}

/** Whether colour is wanted: never with NO_COLOR or --no-color, else only on a terminal. */
export function wantsColor(
  env: Readonly<Record<string, string | undefined>>,
  flag: boolean,
  isTTY: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

/** Builds the output for one run of the CLI. */
export function createOutput(streams: Streams, options: { json: boolean; color: boolean }): Output {
  const color = pc.createColors(options.color);
  const interactive = streams.stderr.isTTY === true;
  let drawn = 0;
  return {
    json: options.json,
    color,
    interactive,
    line(text = '') {
      if (!options.json) streams.stdout.write(`${text}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    live(lines) {
      if (!interactive || options.json) return;
      // Back to the block's first line, clear to the end of the screen, draw again.
      const back = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
      streams.stderr.write(back + lines.map((l) => `${l}\n`).join(''));
      drawn = lines.length;
    },
    raw(text) {
      streams.stdout.write(text);
    },
    document(command, body) {
      if (options.json)
        streams.stdout.write(
          `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ...body }, null, 2)}\n`,
        );
    },
  };
}

/** Formats problems as aligned lines: `file:line:col  key.path  message`. */
export function formatProblems(
  problems: readonly Problem[],
  color: Colors,
  marker = '✗',
): string[] {
  return problems.map((p) => {
    const where = p.location === undefined ? '' : `${color.dim(p.location)}  `;
    const path = p.path === undefined || p.path === '' ? '' : `${color.bold(p.path)}: `;
    return `  ${marker} ${where}${path}${p.message}`;
  });
}

/** Prints an error: one line, its problems and a hint for known errors; a stack for unknown ones. */
export function reportError(
  error: unknown,
  output: Output,
  command: string,
  streams: Streams,
): void {
  const known = error instanceof UnderstudyError;
  if (output.json) {
    const body: ErrorJson = known
      ? error.toJSON()
      : { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
    streams.stdout.write(
      `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ok: false, error: body }, null, 2)}\n`,
    );
    return;
  }
  const c = output.color;
  if (known) {
    streams.stderr.write(`${c.red('error')} ${error.message}\n`);
    for (const line of formatProblems(error.problems, c)) streams.stderr.write(`${line}\n`);
    if (error.hint !== undefined) streams.stderr.write(`${c.dim('hint:')} ${error.hint}\n`);
    return;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  streams.stderr.write(
    `${c.red('internal error')} — this is a bug in Understudy; please report it with this output:\n${stack}\n`,
  );
}
