/**
 * The sections of `understudy.yaml`. Every section is designed here once, even those whose
 * engines come later, so the file's shape does not change under users as the product grows.
 * Objects are strict: an unknown key is a mistake the user wants to hear about.
 */
import { z } from 'zod';
import {
  calendarDate,
  commandLine,
  cronExpression,
  duration,
  environmentName,
  httpUrl,
  jsonPath,
  postgresUrl,
  qualifiedTable,
  relativePath,
  timeZone,
} from './schema-primitives.js';

// ── environments ────────────────────────────────────────────────────────────────────────────

const configSource = z
  .union([
    z.strictObject({ dotenv: relativePath.describe('A dotenv file (KEY=value lines).') }),
    z.strictObject({
      json: relativePath.describe('A JSON file; nested keys are flattened with dots.'),
      pointer: z
        .string()
        .optional()
        .describe('Only the object at this JSON pointer, e.g. /app/settings.'),
    }),
    z.strictObject({
      yaml: relativePath.describe('A YAML file; nested keys are flattened with dots.'),
      pointer: z.string().optional().describe('Only the object at this JSON pointer.'),
    }),
    z.strictObject({
      kubernetes: relativePath.describe(
        'A Kubernetes manifest file holding ConfigMaps and Secrets.',
      ),
      name: z.string().optional().describe('Only the ConfigMap or Secret of this name.'),
    }),
    z.strictObject({
      command: commandLine.describe('A command printing KEY=value lines or a JSON object.'),
    }),
    z.strictObject({
      http: z
        .string()
        .min(1)
        .describe('A URL, or a path on the environment URL, returning a JSON object.'),
      pointer: z.string().optional().describe('Only the object at this JSON pointer.'),
    }),
  ])
  .describe(
    'Where this environment’s configuration is read from: one of dotenv, json, yaml, kubernetes, command, http.',
  );

const versionSource = z
  .union([
    z.strictObject({
      http: z
        .string()
        .min(1)
        .describe('A URL, or a path on the environment URL, answering with JSON.'),
      field: z
        .string()
        .default('version')
        .describe('The JSON field holding the version or commit.'),
    }),
    z.strictObject({ command: commandLine.describe('A command printing the deployed version.') }),
  ])
  .describe('How to ask the environment which version it runs.');

const environment = z
  .strictObject({
    description: z.string().optional().describe('What this environment is, for people.'),
    url: httpUrl.optional().describe('Base URL of the service in this environment.'),
    database: postgresUrl.optional(),
    config: z.array(configSource).default([]).describe('Configuration sources compared by parity.'),
    version: versionSource.optional(),
    infrastructure: z
      .strictObject({
        terraform: relativePath.describe('Output of `terraform show -json` for this environment.'),
      })
      .optional()
      .describe('Infrastructure description compared by parity.'),
    protected: z
      .boolean()
      .default(false)
      .describe(
        'Nothing writes to a protected environment except a gated deploy; people need a second factor.',
      ),
  })
  .describe('One environment of the service.');

// ── parity ──────────────────────────────────────────────────────────────────────────────────

export const severity = z.enum(['breaking', 'notice']).describe('How serious a difference is.');

const allowance = z
  .strictObject({
    match: z
      .string()
      .min(1)
      .describe(
        'A drift path, exact or a glob with * and **, e.g. "config.LOG_LEVEL" or "schema:public.audit_*".',
      ),
    reason: z
      .string()
      .trim()
      .min(1, 'an allowance needs a reason')
      .describe('Why this difference is fine.'),
    owner: z.string().min(1).optional().describe('Who answers for this difference.'),
    expires: calendarDate
      .optional()
      .describe('After this date the difference is reported as drift again.'),
  })
  .describe('A documented, allowed difference between the environments.');

const parity = z
  .strictObject({
    env: environmentName.default('staging').describe('The environment that must mirror the other.'),
    against: environmentName
      .default('production')
      .describe('The environment it is compared against.'),
    failOn: severity
      .default('breaking')
      .describe('Unexplained drift at or above this severity fails the check.'),
    maxDataAge: duration
      .optional()
      .describe('Staging data older than this (since the last masked sync) is drift.'),
    probes: z
      .array(z.enum(['schema', 'config', 'versions', 'runtime', 'data-age', 'infrastructure']))
      .optional()
      .describe('Which probes run; all that have what they need by default.'),
    allow: z.array(allowance).default([]),
  })
  .describe(
    'Staging-versus-production parity: what is compared and which differences are allowed.',
  );

// ── data ────────────────────────────────────────────────────────────────────────────────────

export const maskerNames = [
  'email',
  'first_name',
  'last_name',
  'full_name',
  'phone',
  'street_address',
  'city',
  'postal_code',
  'company',
  'username',
  'ip_address',
  'payment_card',
  'iban',
  'national_id',
  'date_shift',
  'birth_date',
  'number_noise',
  'hash',
  'uuid',
  'redact_text',
  'null',
  'constant',
  'json',
  'regex',
  'custom',
] as const;
const maskerName = z.enum(maskerNames).describe('A built-in masker.');

const maskerSpec: z.ZodType = z.lazy(() =>
  z.union([
    maskerName,
    z.strictObject({
      keep: z.string().trim().min(1).describe('Why this column may be copied unmasked.'),
    }),
    z.strictObject({
      masker: maskerName,
      days: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('date_shift: shift by up to this many days.'),
      percent: z
        .number()
        .positive()
        .max(100)
        .optional()
        .describe('number_noise: add up to ±this percent.'),
      value: z.unknown().optional().describe('constant: the value written.'),
      pattern: z
        .string()
        .optional()
        .describe('regex: a regular expression whose capture groups are kept.'),
      paths: z
        .record(jsonPath, maskerSpec)
        .optional()
        .describe('json: maskers for paths inside the document.'),
      module: relativePath
        .optional()
        .describe('custom: a JavaScript module exporting a mask function.'),
      locale: z.string().optional().describe('Locale of generated values, e.g. de-DE.'),
    }),
  ]),
);

const tableRule = z
  .strictObject({
    rows: z
      .union([z.enum(['all', 'none']), z.strictObject({ where: z.string().min(1) })])
      .default('all')
      .describe(
        'Which rows are copied: all, none (structure only), or those matching a WHERE clause.',
      ),
    columns: z
      .record(z.string(), maskerSpec)
      .default({})
      .describe('Column name → masker (or { keep: reason }).'),
  })
  .describe('How one table is copied.');

const data = z
  .strictObject({
    from: environmentName.default('production').describe('Environment whose database is copied.'),
    to: environmentName
      .default('staging')
      .describe('Environment whose database receives the masked copy.'),
    key: z
      .string()
      .min(16, 'the masking key must be at least 16 characters')
      .optional()
      .describe(
        'Masking key (write it as ${VAR}); the same key gives the same masked values in every run.',
      ),
    tables: z.record(qualifiedTable, tableRule).default({}),
    subset: z
      .strictObject({
        root: z
          .union([qualifiedTable, z.array(qualifiedTable).min(1)])
          .describe('Table(s) the subset starts from.'),
        percent: z
          .number()
          .positive()
          .max(100)
          .optional()
          .describe('Percentage of root rows, chosen by key hash.'),
        where: z.string().min(1).optional().describe('Root rows matching this WHERE clause.'),
        downwards: z
          .boolean()
          .default(true)
          .describe(
            'Also keep rows that reference kept rows (an order’s lines), not only the rows they reference.',
          ),
      })
      .refine((s) => (s.percent === undefined) !== (s.where === undefined), {
        message: 'give either percent or where',
      })
      .optional(),
    schedule: cronExpression.optional().describe('When `understudy worker` runs the sync.'),
    verify: z.boolean().default(true).describe('Run `data verify` at the end of every sync.'),
    parallel: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('Tables copied at once; default: CPU count.'),
    clones: z
      .strictObject({
        ttl: duration
          .default('24h')
          .describe(
            'How long a clone lives when `data clone` gets no --ttl; expired clones are dropped by the next `data clone`, `data clones` or `data sync`.',
          ),
      })
      .default({ ttl: '24h' })
      .describe(
        'Per-branch databases copied from the template of the last sync (`understudy data clone NAME`).',
      ),
  })
  .describe('Masked copy of production data into staging.');

// ── traffic ─────────────────────────────────────────────────────────────────────────────────

const redaction = z.strictObject({
  headers: z.array(z.string()).default([]).describe('Extra headers whose values are redacted.'),
  query: z
    .array(z.string())
    .default([])
    .describe('Query (and form) parameters whose values are redacted.'),
  json: z.array(jsonPath).default([]).describe('JSON body paths whose values are redacted.'),
});

/** A route pattern as `route-match.ts` reads it: `POST /api/cart/**`, `GET,HEAD /items/*`, `/health`. */
const routePattern = z
  .string()
  .regex(
    /^\s*(?:([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*|\*)\s+)?(\/\S*)\s*$/,
    'must be a route pattern such as "POST /api/cart/**"',
  )
  .describe(
    'A route pattern: [METHOD[,METHOD…]] /path, with * for (part of) one segment, {name} for one segment and ** for any number.',
  );

const traffic = z
  .strictObject({
    key: z
      .string()
      .min(16, 'the redaction key must be at least 16 characters')
      .optional()
      .describe(
        'Redaction key (write it as ${VAR}; else UNDERSTUDY_REDACT_KEY is used): redacted values become tokens keyed by it, so equal values keep equal tokens across recordings, and replay maps tokens to staging credentials with it.',
      ),
    record: z
      .strictObject({
        upstream: httpUrl
          .optional()
          .describe('Where the proxy forwards requests (or --upstream), http:// or https://.'),
        listen: z
          .union([
            z.number().int().min(0).max(65535),
            z.string().regex(/^[\w.:[\]-]+:\d+$/, 'must be host:port'),
          ])
          .default(8080)
          .describe('Port (all interfaces), or host:port, the proxy listens on.'),
        out: relativePath
          .default('.understudy/captures')
          .describe('Directory the capture files are written to.'),
        maxBodyBytes: z
          .number()
          .int()
          .min(0)
          .default(1_048_576)
          .describe('Bodies beyond this are recorded truncated (always forwarded whole).'),
        timeout: duration
          .default('60s')
          .describe(
            'How long the upstream may take to answer, and between two body chunks; then the client gets a 504.',
          ),
        sample: z
          .strictObject({
            percent: z
              .number()
              .min(0)
              .max(100)
              .default(100)
              .describe('Percentage of sessions recorded, each session whole or not at all.'),
            by: z
              .string()
              .optional()
              .describe(
                'Header, or cookie:NAME, whose value identifies a session (default: the client address).',
              ),
          })
          .optional(),
        routes: z
          .strictObject({
            include: z.array(routePattern).default([]),
            exclude: z.array(routePattern).default([]),
          })
          .optional()
          .describe(
            'Route patterns (e.g. "GET /api/**") to record (include) or skip (exclude); skipped exchanges are counted.',
          ),
        redact: redaction
          .default({ headers: [], query: [], json: [] })
          .describe(
            'Redaction beyond the defaults (credentials, cookies, JWTs, secret fields, cards, e-mails).',
          ),
        tls: z
          .strictObject({
            cert: relativePath.describe('PEM certificate (chain) file.'),
            key: relativePath.describe('PEM private key file.'),
          })
          .optional()
          .describe('Terminate TLS: clients connect with HTTPS.'),
      })
      .optional(),
    replay: z
      .strictObject({
        target: z
          .string()
          .min(1)
          .default('staging')
          .describe('Environment name or URL to replay against.'),
        baseline: httpUrl
          .optional()
          .describe(
            'A second production-like target used to learn noise: each safe request is sent to it twice, and what differs between the two answers is noise for that route and JSON path.',
          ),
        ignore: z
          .array(jsonPath)
          .default([])
          .describe(
            'Response JSON paths never compared (exact paths; [*] and .* are wildcards; a path covers what lies inside it).',
          ),
        headers: z
          .array(z.string())
          .default(['content-type'])
          .describe('Response headers compared.'),
        concurrency: z.number().int().min(1).max(1024).default(16),
        timeout: duration
          .default('10s')
          .describe('A request with no answer within this ends in the error bucket.'),
        exclude: z
          .array(routePattern)
          .default([])
          .describe('Routes never replayed (skipped, with the reason), e.g. "* /admin/**".'),
        unsafeMethods: z
          .enum(['skip', 'send'])
          .default('skip')
          .describe(
            'Whether POST/PUT/PATCH/DELETE are sent, for routes unsafeRoutes does not name.',
          ),
        unsafeRoutes: z
          .record(routePattern, z.enum(['skip', 'send']))
          .default({})
          .describe(
            'Per-route policy for unsafe methods, e.g. { "POST /api/search": send }; the first matching pattern wins. A protected target never gets an unsafe method.',
          ),
        credentials: z
          .array(
            z.union([
              z.strictObject({
                token: z
                  .string()
                  .regex(/^us_tok_\S+$/, 'must be a redaction token (us_tok_…)')
                  .describe('A redaction token as it appears in the capture.'),
                value: z
                  .string()
                  .min(1)
                  .describe('What is sent in its place, wherever it appears; write it as ${VAR}.'),
              }),
              z.strictObject({
                header: z
                  .string()
                  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a header name')
                  .describe('A request header, e.g. authorization.'),
                value: z
                  .string()
                  .min(1)
                  .describe(
                    'The value sent for this header when it still holds a redaction token no token rule mapped; write it as ${VAR}.',
                  ),
              }),
            ]),
          )
          .default([])
          .describe('Staging credentials for the redacted production ones, by token or by header.'),
        maxRegressions: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe('Regressions tolerated before the check fails.'),
        latency: z
          .strictObject({
            slowerBy: z.number().positive().default(25).describe('Percent p95 may grow.'),
            minMs: z
              .number()
              .min(0)
              .default(5)
              .describe('Milliseconds p95 must grow at least before a route is flagged.'),
            fail: z
              .boolean()
              .default(false)
              .describe('Whether a route flagged as slower fails the check.'),
          })
          .optional(),
      })
      .optional(),
  })
  .describe('Recording production traffic and replaying it against staging.');

// ── release ─────────────────────────────────────────────────────────────────────────────────

const gateName = z
  .string()
  .regex(/^(parity|replay|data|check:[\w.-]+)$/, 'must be parity, replay, data or check:NAME')
  .describe('Evidence required: parity, replay, data, or check:NAME reported by CI.');

const freezeWindow = z.union([
  z.strictObject({
    cron: cronExpression.describe('When each freeze starts.'),
    duration: duration.describe('How long each freeze lasts.'),
    timezone: timeZone.default('UTC'),
    reason: z.string().optional(),
  }),
  z.strictObject({
    from: z.union([z.string(), z.date()]).describe('Start (ISO date-time).'),
    until: z.union([z.string(), z.date()]).describe('End (ISO date-time).'),
    reason: z.string().optional(),
  }),
]);

const deployAction = z.union([
  z.strictObject({
    run: commandLine.describe('Deploy command; VERSION and ENV are in its environment.'),
    timeout: duration.default('15m'),
  }),
  z.strictObject({
    webhook: httpUrl.describe('URL called to deploy.'),
    status: httpUrl
      .optional()
      .describe('URL polled until the deploy finishes (else: wait for the callback).'),
    timeout: duration.default('15m'),
  }),
]);

const stageGates = z
  .strictObject({
    requires: z.array(gateName).default([]),
    approvals: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(0)
      .describe('Distinct approvers needed; never the author.'),
    approvalTtl: duration.optional().describe('An approval lapses after this long.'),
    evidenceMaxAge: duration.default('24h').describe('Evidence older than this does not count.'),
    freeze: z.array(freezeWindow).default([]),
    deploy: deployAction.optional(),
    verify: z
      .strictObject({
        http: z
          .string()
          .min(1)
          .describe('A URL or path on the environment URL that must answer 2xx.'),
        for: duration.default('1m').describe('How long the checks run.'),
        maxLatency: duration.optional(),
        prometheus: z
          .strictObject({
            url: httpUrl.describe('The Prometheus server, e.g. http://prometheus:9090.'),
            query: z
              .string()
              .min(1)
              .describe('A PromQL query giving one number, e.g. an error rate over 5m.'),
            max: z.number().describe('The query must stay at or below this after the window.'),
          })
          .optional()
          .describe('A Prometheus threshold checked once the HTTP checks passed.'),
      })
      .optional(),
    rollback: z.enum(['auto', 'manual']).default('auto'),
  })
  .describe(
    'What a release needs before it is deployed to this environment, and how it is deployed.',
  );

const release = z
  .object({
    stages: z
      .array(environmentName)
      .min(1)
      .describe('The environments a release moves through, in order.'),
  })
  .catchall(stageGates)
  .describe('Gated promotion: the stages, and per environment its gates and deploy steps.');

// ── coordination, notifications, store, server ──────────────────────────────────────────────

const reservations = z
  .strictObject({
    default: duration.default('2h').describe('Lease length when --for is not given.'),
    max: duration.default('8h').describe('Longest a lease may be held, extensions included.'),
  })
  .describe('Reservations of shared environments.');

const notifications = z
  .strictObject({
    webhooks: z
      .array(
        z.strictObject({
          url: httpUrl,
          format: z.enum(['json', 'slack']).default('json'),
          events: z
            .array(
              z.enum([
                'approval.requested',
                'gate.failed',
                'deploy.succeeded',
                'verify.passed',
                'rollback.done',
                'reservation.granted',
                'reservation.expired',
              ]),
            )
            .optional()
            .describe('Events sent; all by default.'),
        }),
      )
      .default([]),
  })
  .describe('Where Understudy reports what happens.');

const store = z
  .strictObject({
    url: postgresUrl
      .optional()
      .describe('A shared PostgreSQL for the state; default: embedded, under `dir`.'),
    dir: relativePath.default('.understudy').describe('Directory of the embedded state store.'),
  })
  .describe('Where Understudy keeps its own state: audit log, reports, releases.');

const server = z
  .strictObject({
    listen: z.union([z.number().int().min(1).max(65535), z.string()]).default(4400),
    publicUrl: httpUrl
      .optional()
      .describe('URL people reach the dashboard at (for links in notifications).'),
    trustProxy: z
      .boolean()
      .default(false)
      .describe(
        'Behind a reverse proxy: take the client address from the last X-Forwarded-For entry (the proxy adds it), for sign-in limits.',
      ),
    metricsToken: z
      .string()
      .min(16, 'the metrics token must be at least 16 characters')
      .optional()
      .describe(
        'When set (write it as ${VAR}), /metrics answers only requests with "Authorization: Bearer <this token>"; otherwise it needs no sign-in.',
      ),
  })
  .describe('`understudy serve`.');

export const sections = {
  environment,
  parity,
  data,
  traffic,
  release,
  reservations,
  notifications,
  store,
  server,
} as const;
