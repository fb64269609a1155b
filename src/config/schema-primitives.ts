/**
 * Small value schemas shared by every section of `understudy.yaml`: names, durations, cron
 * expressions, time zones, URLs. Each carries a description, which becomes editor help through
 * the published JSON Schema.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';

/** An environment name as used in commands (`--env staging`). */
export const environmentName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*$/,
    'must be lower-case letters, digits, "-" or "_", starting with a letter',
  )
  .describe('Name of an environment declared under `environments`.');

/** A duration such as `90s`, `5m`, `2h30m`, `7d`. */
export const duration = z
  .string()
  .refine((value) => parseDuration(value) !== undefined, {
    message: 'must be a duration such as "90s", "5m", "2h30m" or "7d"',
  })
  .describe(
    'A duration: a number followed by ms, s, m, h, d or w; parts may be combined ("1h30m").',
  );

/** A five-field cron expression (minute hour day-of-month month day-of-week). */
export const cronExpression = z
  .string()
  .refine(
    (value) => {
      if (value.trim().split(/\s+/).length !== 5) return false;
      try {
        new Cron(value, { paused: true });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a five-field cron expression such as "0 3 * * *"' },
  )
  .describe('A cron expression with five fields: minute, hour, day of month, month, day of week.');

/** An IANA time zone such as `Europe/Berlin`. */
export const timeZone = z
  .string()
  .refine(
    (value) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: value });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' },
  )
  .describe('An IANA time zone name.');

/** A calendar date `YYYY-MM-DD` (YAML may already have turned it into a Date). */
export const calendarDate = z
  .union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD'), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value))
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), {
    message: 'is not a real date',
  })
  .describe('A date written YYYY-MM-DD.');

/** An http(s) URL. */
export const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), {
    message: 'must be an http:// or https:// URL',
  })
  .describe('An http:// or https:// URL.');

/** A PostgreSQL connection URL, normally given as `${VAR}` so the secret stays out of the file. */
export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
  .describe(
    'A PostgreSQL connection URL. Write it as ${VAR}: secrets are referenced, never written in the file.',
  );

/** A path relative to the directory holding `understudy.yaml`. */
export const relativePath = z
  .string()
  .min(1, 'must not be empty')
  .describe('A file path, relative to understudy.yaml.');

/** A shell command line. */
export const commandLine = z
  .string()
  .min(1, 'must not be empty')
  .describe('A command run by the shell.');

/** A JSON path such as `$.items[*].price`. */
export const jsonPath = z
  .string()
  .regex(
    /^\$(\.[A-Za-z_$][\w$-]*|\[\*\]|\[\d+\]|\.\*|\['[^']+'\])*$/,
    'must be a JSON path such as "$.items[*].price"',
  )
  .describe('A JSON path: $ then .key, [index], [*] or .* steps.');

/** `schema.table`, as PostgreSQL names a table. */
export const qualifiedTable = z
  .string()
  .regex(/^[^.\s]+\.[^.\s]+$/, 'must be a schema-qualified table name such as "public.customers"')
  .describe('A schema-qualified table name, e.g. public.customers.');
