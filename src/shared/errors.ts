/**
 * The few error classes Understudy has. Each carries a code; the code alone decides the CLI
 * exit code and the HTTP status, so a failure means the same thing everywhere.
 */

/** Exit codes of the `understudy` command, as documented in the README. */
export const ExitCode = {
  ok: 0,
  blocking: 1,
  badInput: 2,
  pending: 3,
  operational: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every known error code, with the exit code and HTTP status it maps to. */
export const errorCodes = {
  /** Unknown flag, missing argument, bad value on the command line. */
  E_USAGE: { exit: ExitCode.badInput, http: 400 },
  /** The configuration file is missing, unreadable, not YAML, or does not fit the schema. */
  E_CONFIG: { exit: ExitCode.badInput, http: 400 },
  /** An input other than the config (a file, an argument's content) is wrong. */
  E_INPUT: { exit: ExitCode.badInput, http: 400 },
  /** Something named does not exist (a release, an audit entry, a database object). */
  E_NOT_FOUND: { exit: ExitCode.badInput, http: 404 },
  /** The check ran and found something blocking: drift, regression, leak, tampering. */
  E_BLOCKED: { exit: ExitCode.blocking, http: 409 },
  /** A gate denied the action. */
  E_GATE_BLOCKED: { exit: ExitCode.blocking, http: 409 },
  /** Waiting on approvals, a freeze window or a reservation. */
  E_PENDING: { exit: ExitCode.pending, http: 202 },
  /** Not signed in: no session or token, an expired session, a wrong name or password. */
  E_AUTH: { exit: ExitCode.badInput, http: 401 },
  /** A signed-in request without its anti-forgery token (the dashboard sends it). */
  E_CSRF: { exit: ExitCode.badInput, http: 403 },
  /** Too many attempts (sign-in); try again after the time the answer names. */
  E_RATE_LIMITED: { exit: ExitCode.operational, http: 429 },
  /** A database or service could not be reached. */
  E_UNREACHABLE: { exit: ExitCode.operational, http: 503 },
  /** The state store is unusable: created by a newer Understudy, or a migration failed. */
  E_STORE: { exit: ExitCode.operational, http: 503 },
  /** A run was interrupted or an operation failed part-way (and was rolled back). */
  E_OPERATION: { exit: ExitCode.operational, http: 500 },
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** One problem inside a larger error, e.g. one invalid key of a config file. */
export interface Problem {
  readonly message: string;
  /** Where, in words a user can find: `understudy.yaml:12:5`. */
  readonly location?: string;
  /** The key path inside the document, e.g. `environments.production.url`. */
  readonly path?: string;
}

export interface UnderstudyErrorOptions {
  /** One line telling the user what to do next. */
  readonly hint?: string;
  /** Individual problems, when one error stands for several (all config mistakes at once). */
  readonly problems?: readonly Problem[];
  readonly cause?: unknown;
}

/** A known failure: printed as one line plus a hint, never as a stack trace. */
export class UnderstudyError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, options: UnderstudyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnderstudyError';
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }

  get exitCode(): ExitCode {
    return errorCodes[this.code].exit;
  }

  get httpStatus(): number {
    return errorCodes[this.code].http;
  }

  /** The shape used by `--json` output and HTTP error bodies. */
  toJSON(): ErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.problems.length === 0 ? {} : { problems: this.problems }),
    };
  }
}

export interface ErrorJson {
  readonly code: ErrorCode | 'E_INTERNAL';
  readonly message: string;
  readonly hint?: string;
  readonly problems?: readonly Problem[];
}

/** True when `error` is an Understudy error, optionally of one code. */
export function isUnderstudyError(error: unknown, code?: ErrorCode): error is UnderstudyError {
  return error instanceof UnderstudyError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for wrapping foreign errors into one line. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
