/**
 * bench:replay — replay + diff throughput of one replayer process against a fast local target.
 *
 * A capture of N exchanges with a shop's API is generated in a temporary directory by a child
 * process, in the documented format and as `understudy record` keeps it: redacted by the
 * recorder's redactor under a fixed key, written by `writeCaptureDirectory`. The mix: product
 * lists of 12–16 items, single products, users (their e-mail addresses redacted), order lists
 * and orders, a static category list, search, health, HTML product pages, robots.txt, 404s and
 * POSTs (skipped by the default policy), from thousands of sessions, with the headers browsers
 * and proxies send.
 *
 * The target is a `node:http` server in a child process (so this process's CPU is the
 * replayer's alone) that answers every route as production did, with fresh timestamps, UUIDs,
 * epoch times and CSRF tokens — and with a few planted regressions: product 42 costs 5.00 more
 * (its JSON, its list page, its HTML page) and user 7 lost its plan. Its answers are templates
 * built once per URL, the volatile values spliced in per request.
 *
 * The replay is `understudy replay`'s: options resolved from an understudy.yaml text and
 * `--target URL` with `resolveReplay` (defaults: concurrency 16, 10s timeout, content-type
 * compared; staging's credentials for the redacted cookie and bearer token), the capture
 * streamed by `readCapture`, the real HTTP client and the real response redactor, `runReplay`.
 * Only the replay is timed. The run is correct when every request lands in the bucket its route
 * was built for and the regressions found are exactly the planted ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import { machine, type Machine } from './machine.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config/config-schema.js';
import { validateConfigText } from '../src/config/config-validate.js';
import type { CaptureProblem, CaptureRecord, HeaderList } from '../src/traffic/capture-format.js';
import { listCaptureFiles, readCapture } from '../src/traffic/capture-read.js';
import { writeCaptureDirectory } from '../src/traffic/capture-writer-batch.js';
import { isRandomToken } from '../src/traffic/noise-shape.js';
import {
  createRedactor,
  createResponseRedactor,
  redactionToken,
  type RedactorOptions,
} from '../src/traffic/redact.js';
import { findRedactionKey, redactorOptions } from '../src/traffic/redact-key.js';
import { emptyCounts, type Bucket, type BucketCounts } from '../src/traffic/replay-account.js';
import { createReplayClient } from '../src/traffic/replay-http.js';
import { resolveReplay } from '../src/traffic/replay-options.js';
import type { ReplayReport } from '../src/traffic/replay-report.js';
import { runReplay } from '../src/traffic/replay-run.js';

export interface ReplayBenchResult {
  readonly bench: 'replay';
  readonly requests: number;
  /** Wall time of the replay alone (reading the capture, sending, redacting, diffing, the report). */
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** CPU seconds during the replay: this process (all its threads) and the target's process. */
  readonly cpuSeconds: { readonly replayer: number; readonly target: number };
  /**
   * Requests per CPU second of the replayer: its rate with a core to itself, hardly changed by
   * other work on the machine (unlike requestsPerSecond).
   */
  readonly requestsPerCpuSecond: number;
  /** Peak resident memory of this process during the replay, in MiB. */
  readonly peakRssMb: number;
  readonly counts: BucketCounts;
  /** The buckets each request was built for. */
  readonly expectedCounts: BucketCounts;
  /** `route path kind` of every regression group the report lists, sorted. */
  readonly regressionsFound: readonly string[];
  readonly regressionsPlanted: readonly string[];
  readonly correct: boolean;
  readonly problems: readonly string[];
  readonly target: 10_000;
  readonly meetsTarget: boolean;
  readonly concurrency: number;
  readonly generateSeconds: number;
  /** Size of the compressed capture. */
  readonly captureMb: number;
  readonly machine: Machine;
  readonly notes: readonly string[];
}

export interface ReplayBenchOptions {
  /** Exchanges in the capture (at least 1,000, so every planted regression is requested). */
  readonly requests: number;
  /** Progress lines; silent when omitted. */
  readonly log?: (line: string) => void;
}

/** The throughput the design asks of one replayer process. */
const TARGET_RPS = 10_000;

/** The redaction key of the capture and of the replay (`traffic.key`). */
const KEY = 'understudy bench replay redaction key';

/** What a user would read in the report: the planted regressions, as `route path kind`. */
const PLANTED_REGRESSIONS: readonly string[] = [
  'GET /api/products $.items[*].price changed',
  'GET /api/products/{id} $.price changed',
  'GET /api/users/{id} $.plan removed',
  'GET /products/{id} body text',
];
const PLANTED_PRODUCT = 42;
const PLANTED_USER = 7;
/**
 * Requested once per 500 exchanges each, so a small capture holds every planted regression
 * (product 42 is on the first page of its category, kitchen).
 */
const PLANTED_URLS: readonly string[] = [
  `/api/products/${PLANTED_PRODUCT}`,
  '/api/products?category=kitchen&page=1',
  `/products/${PLANTED_PRODUCT}`,
  `/api/users/${PLANTED_USER}`,
];

// ── the shop: answers as templates, the same for the capture (production) and the target ─────

type Side = 'production' | 'staging';

/** A volatile value, new in every answer. */
type Slot = 'now' | 'epoch' | 'uuid' | 'csrf';

/** An answer with its volatile values left open: text[0] slot[0] text[1] … text[n]. */
interface Template {
  readonly status: number;
  readonly type: string;
  readonly cache: string;
  readonly text: readonly string[];
  readonly slots: readonly Slot[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

function template(status: number, type: string, cache: string, body: string): Template {
  const pieces = body.split(/\{\{(now|epoch|uuid|csrf)\}\}/);
  return {
    status,
    type,
    cache,
    text: pieces.filter((_, i) => i % 2 === 0),
    slots: pieces.filter((_, i) => i % 2 === 1) as Slot[],
  };
}

/** A JSON answer; `{{now}}`, `{{uuid}}`, `{{csrf}}` in strings and `"{{epoch}}"` (a number) are open. */
function json(value: unknown, status = 200, cache = 'no-store'): Template {
  const text = JSON.stringify(value).replace(/"\{\{epoch\}\}"/g, '{{epoch}}');
  return template(status, JSON_TYPE, cache, text);
}

/** The answer's body with each open value filled in. */
function fill(t: Template, value: (slot: Slot) => string): string {
  let out = t.text[0] ?? '';
  for (let i = 0; i < t.slots.length; i += 1)
    out += value(t.slots[i] as Slot) + (t.text[i + 1] ?? '');
  return out;
}

function sameTemplate(a: Template, b: Template): boolean {
  return (
    a.status === b.status &&
    a.type === b.type &&
    a.text.join('\u0000') === b.text.join('\u0000') &&
    a.slots.join() === b.slots.join()
  );
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the shop's data is the same everywhere. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(items: readonly T[], r: () => number): T =>
  items[Math.floor(r() * items.length)] as T;
const int = (r: () => number, from: number, to: number): number =>
  from + Math.floor(r() * (to - from + 1));

/** A fixed moment between 2023 and 2025, as the shop's stored timestamps are. */
function pastIso(r: () => number): string {
  return new Date(Date.UTC(2023, 0, 1) + Math.floor(r() * 730 * 86_400_000)).toISOString();
}

const PRODUCTS = 2000;
const USERS = 3000;
// prettier-ignore
const categories = ['lighting', 'furniture', 'kitchen', 'garden', 'textiles', 'bath', 'office', 'decor'];
// prettier-ignore
const adjectives = ['Nordic', 'Classic', 'Compact', 'Oak', 'Linen', 'Brass', 'Matte', 'Woven', 'Steel', 'Velvet'];
// prettier-ignore
const nouns = ['Lamp', 'Chair', 'Kettle', 'Planter', 'Throw', 'Towel', 'Desk', 'Vase', 'Shelf', 'Rug', 'Mug', 'Stool'];
// prettier-ignore
const words = ['sturdy', 'hand-finished', 'timeless', 'easy to clean', 'made to last', 'soft', 'light', 'warm', 'sustainably sourced', 'designed in Hamburg'];
// prettier-ignore
const cities = ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Wien', 'Zürich', 'Amsterdam'];
// prettier-ignore
const people = ['Anna Müller', 'Ben Schmidt', 'Clara Weber', 'David Fischer', 'Elif Yılmaz', 'Felix Wagner', 'Greta Koch', 'Hannah Becker', 'Ivan Novak', 'Julia Rossi'];

function productCore(id: number, side: Side) {
  const r = rng(id * 7919);
  let cents = int(r, 499, 29_999);
  if (side === 'staging' && id === PLANTED_PRODUCT) cents += 500;
  return {
    id,
    sku: `SKU-${String(id).padStart(6, '0')}`,
    name: `${pick(adjectives, r)} ${pick(nouns, r)} ${id}`,
    price: cents / 100,
    currency: 'EUR',
    rating: Math.round((3 + r() * 2) * 10) / 10,
    reviewCount: int(r, 0, 2400),
    image: `https://cdn.shop.example.com/p/${id}/main.webp`,
    inStock: r() > 0.1,
    r,
  };
}

function productJson(id: number, side: Side): Template {
  if (id > PRODUCTS)
    return json({ error: 'not_found', message: `no product ${id}`, requestId: '{{uuid}}' }, 404);
  const { r, ...core } = productCore(id, side);
  return json({
    ...core,
    slug: core.name.toLowerCase().replace(/\s+/g, '-'),
    category: categories[id % categories.length],
    description: Array.from({ length: 4 }, () => pick(words, r)).join(', ') + '.',
    stock: int(r, 0, 500),
    dimensions: {
      width: int(r, 10, 200),
      height: int(r, 10, 200),
      depth: int(r, 5, 90),
      unit: 'cm',
    },
    tags: [pick(words, r), pick(words, r), pick(categories, r)],
    images: [core.image, `https://cdn.shop.example.com/p/${id}/side.webp`],
    createdAt: pastIso(r),
    updatedAt: pastIso(r),
    servedAt: '{{epoch}}',
  });
}

function productList(category: string, page: number, side: Side): Template {
  const c = categories.indexOf(category);
  if (c < 0 || !Number.isInteger(page) || page < 1)
    return json(
      { error: 'bad_request', message: 'unknown category or page', requestId: '{{uuid}}' },
      400,
    );
  const size = 12 + (c % 5);
  const ids: number[] = [];
  for (let k = (page - 1) * size; k < page * size; k += 1) {
    const id = c + categories.length * k + (c === 0 ? categories.length : 0);
    if (id <= PRODUCTS) ids.push(id);
  }
  const items = ids.map((id) => {
    const { r: _, ...core } = productCore(id, side);
    return core;
  });
  return json({
    category,
    page,
    pageSize: size,
    total: Math.floor(PRODUCTS / categories.length),
    items,
    generatedAt: '{{now}}',
    requestId: '{{uuid}}',
  });
}

function productHtml(id: number, side: Side): Template {
  const { name, price, rating, reviewCount, image } = productCore(id, side);
  const r = rng(id * 31);
  const paragraphs = Array.from(
    { length: 4 },
    () => `    <p>${Array.from({ length: 8 }, () => pick(words, r)).join(', ')}.</p>`,
  ).join('\n');
  const nav = categories.map((c) => `      <li><a href="/c/${c}">${c}</a></li>`).join('\n');
  return template(
    200,
    'text/html; charset=utf-8',
    'private, no-cache',
    `<!doctype html>
<html lang="de">
  <head>
    <meta charset="utf-8">
    <title>${name} – Shop</title>
    <meta name="csrf-token" content="{{csrf}}">
    <link rel="stylesheet" href="/assets/app.4f9c2e.css">
  </head>
  <body>
    <nav>
      <ul>
${nav}
      </ul>
    </nav>
    <main>
    <h1>${name}</h1>
    <img src="${image}" alt="${name}">
    <p class="price">€${price.toFixed(2)}</p>
    <p class="rating">${rating} (${reviewCount} reviews)</p>
${paragraphs}
    <form method="post" action="/cart"><input type="hidden" name="sku" value="SKU-${String(id).padStart(6, '0')}"><button>In den Warenkorb</button></form>
    </main>
    <footer>Rendered {{now}}</footer>
  </body>
</html>
`,
  );
}

function user(id: number, side: Side): Template {
  if (id > USERS)
    return json({ error: 'not_found', message: `no user ${id}`, requestId: '{{uuid}}' }, 404);
  const r = rng(id * 104_729);
  const name = pick(people, r);
  const value: Record<string, unknown> = {
    id,
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '.')}.${id}@example.com`,
    plan: pick(['free', 'plus', 'business'], r),
    locale: pick(['de-DE', 'en-GB', 'nl-NL'], r),
    address: {
      street: `Hauptstraße ${int(r, 1, 180)}`,
      city: pick(cities, r),
      postalCode: String(int(r, 10_000, 99_999)),
      country: 'DE',
    },
    preferences: { newsletter: r() < 0.3, currency: 'EUR', theme: pick(['light', 'dark'], r) },
    createdAt: pastIso(r),
    lastSeenAt: '{{now}}',
  };
  if (side === 'staging' && id === PLANTED_USER) delete value.plan;
  return json(value);
}

/** A stable order UUID that names its user and number (no digit runs a card check could take). */
function orderId(userId: number, k: number): string {
  const r = rng(userId * 1000 + k);
  const hex = (n: number): string =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const n = String(userId * 100 + k).padStart(10, '0');
  return `c${hex(7)}-e${hex(3)}-4${hex(3)}-a${hex(3)}-bd${n}`;
}

function order(userId: number, k: number) {
  const r = rng(userId * 7_777 + k);
  return {
    id: orderId(userId, k),
    number: `SO-${userId * 100 + k}`,
    placedAt: pastIso(r),
    status: pick(['paid', 'shipped', 'delivered', 'returned'], r),
    total: int(r, 999, 49_999) / 100,
    currency: 'EUR',
    itemCount: int(r, 1, 6),
  };
}

function userOrders(userId: number): Template {
  const count = 10 + (userId % 11);
  return json({
    userId,
    orders: Array.from({ length: count }, (_, k) => order(userId, k)),
    generatedAt: '{{now}}',
  });
}

function orderJson(id: string): Template {
  const n = Number(id.slice(-10));
  const [userId, k] = [Math.floor(n / 100), n % 100];
  if (orderId(userId, k) !== id)
    return json({ error: 'not_found', message: 'no such order', requestId: '{{uuid}}' }, 404);
  const head = order(userId, k);
  const r = rng(n);
  const lines = Array.from({ length: head.itemCount }, () => {
    const productId = int(r, 1, PRODUCTS);
    const quantity = int(r, 1, 3);
    const unitPrice = int(r, 499, 9_999) / 100;
    return {
      sku: `SKU-${String(productId).padStart(6, '0')}`,
      name: `${pick(adjectives, r)} ${pick(nouns, r)} ${productId}`,
      quantity,
      unitPrice,
      lineTotal: Math.round(quantity * unitPrice * 100) / 100,
    };
  });
  return json({
    ...head,
    userId,
    lines,
    shipping: 4.95,
    shippingAddress: { city: pick(cities, r), country: 'DE' },
  });
}

const categoryList = json(
  categories.map((slug, i) => ({
    id: i + 1,
    slug,
    name: slug[0]?.toUpperCase() + slug.slice(1),
    productCount: Math.floor(PRODUCTS / categories.length),
    image: `https://cdn.shop.example.com/c/${slug}.webp`,
  })),
  200,
  'public, max-age=300',
);

function search(q: string): Template {
  let seed = 0;
  for (const ch of q) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) >>> 0;
  const r = rng(seed);
  return json({
    query: q,
    results: Array.from({ length: 8 }, () => {
      const id = int(r, 1, PRODUCTS);
      return {
        id,
        sku: `SKU-${String(id).padStart(6, '0')}`,
        score: Math.round(r() * 1000) / 1000,
      };
    }),
  });
}

const robots = template(
  200,
  'text/plain; charset=utf-8',
  'public, max-age=86400',
  [
    'User-agent: *',
    'Disallow: /cart',
    'Disallow: /checkout',
    'Disallow: /account',
    'Sitemap: https://shop.example.com/sitemap.xml',
    '',
  ].join('\n'),
);

/** The answer to a request, as production (`side`) or the target with its regressions gives it. */
function answerFor(method: string, url: string, side: Side): Template {
  if (method === 'POST' && url === '/api/cart/items')
    return json({ cartId: '{{uuid}}', status: 'added', updatedAt: '{{now}}' }, 201);
  const [route = '', query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  let m: RegExpExecArray | null;
  if (route === '/api/products')
    return productList(params.get('category') ?? '', Number(params.get('page') ?? '1'), side);
  if ((m = /^\/api\/products\/(\d+)$/.exec(route)) !== null) return productJson(Number(m[1]), side);
  if ((m = /^\/products\/(\d+)$/.exec(route)) !== null) return productHtml(Number(m[1]), side);
  if ((m = /^\/api\/users\/(\d+)$/.exec(route)) !== null) return user(Number(m[1]), side);
  if ((m = /^\/api\/users\/(\d+)\/orders$/.exec(route)) !== null) return userOrders(Number(m[1]));
  if ((m = /^\/api\/orders\/([0-9a-f-]{36})$/.exec(route)) !== null) return orderJson(m[1] ?? '');
  if (route === '/api/categories') return categoryList;
  if (route === '/api/search') return search(params.get('q') ?? '');
  if (route === '/api/health')
    return json({ status: 'ok', version: '2.14.1', region: 'eu-central-1', time: '{{now}}' });
  if (route === '/robots.txt') return robots;
  return json({ error: 'not_found', message: `no route ${route}`, requestId: '{{uuid}}' }, 404);
}

/**
 * A CSRF token: 24 random bytes, base64url. Drawn again when the noise model would not take it
 * for random (about 1 in 5,000), so the bench's verdicts never depend on luck.
 */
function csrfToken(): string {
  for (;;) {
    const token = randomBytes(24).toString('base64url');
    if (isRandomToken(token)) return token;
  }
}

// ── the capture ────────────────────────────────────────────────────────────────────────────

/** One planned request. */
interface Planned {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly accept: string;
  readonly body?: string;
}

const get = (url: string, accept = 'application/json'): Planned => ({ method: 'GET', url, accept });

/** The mix of requests, by weight. */
const mix: readonly (readonly [number, (r: () => number) => Planned])[] = [
  [
    22,
    (r) =>
      get(`/api/products?category=${pick(categories, r)}&page=${1 + Math.floor(6 * r() ** 2)}`),
  ],
  [22, (r) => get(`/api/products/${1 + Math.floor(PRODUCTS * r() ** 2)}`)],
  [10, (r) => get(`/api/users/${int(r, 1, USERS)}`)],
  [8, (r) => get(`/api/users/${int(r, 1, USERS)}/orders`)],
  [
    8,
    (r) => {
      const userId = int(r, 1, USERS);
      return get(`/api/orders/${orderId(userId, int(r, 0, 9 + (userId % 11)))}`);
    },
  ],
  [5, () => get('/api/categories')],
  [
    6,
    (r) =>
      get(`/products/${1 + Math.floor(PRODUCTS * r() ** 2)}`, 'text/html,application/xhtml+xml'),
  ],
  [4, (r) => get(`/api/search?q=${encodeURIComponent(pick(nouns, r).toLowerCase())}`)],
  [4, (r) => get(`/api/products/${int(r, 900_000, 999_999)}`)],
  [3, () => get('/api/health')],
  [3, () => get('/robots.txt', 'text/plain,*/*')],
  [
    5,
    (r) => ({
      method: 'POST',
      url: '/api/cart/items',
      accept: 'application/json',
      body: JSON.stringify({
        sku: `SKU-${String(int(r, 1, PRODUCTS)).padStart(6, '0')}`,
        quantity: int(r, 1, 3),
      }),
    }),
  ],
];
const mixTotal = mix.reduce((n, [weight]) => n + weight, 0);

/** The `i`th request: a planted URL now and then, else a draw from the mix. */
function planned(i: number, r: () => number): Planned {
  if (i % 500 >= 100 && i % 100 === 0) return get(PLANTED_URLS[(i % 500) / 100 - 1] ?? '/');
  let draw = r() * mixTotal;
  for (const [weight, make] of mix) {
    draw -= weight;
    if (draw < 0) return make(r);
  }
  return get('/api/health');
}

// prettier-ignore
const agents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'ShopApp/5.12.0 (Android 14; Pixel 8)',
];

/** A session: its cookie, its signed-in user's bearer token (or none), where it comes from. */
function session(n: number) {
  const r = rng(n * 48_271);
  const sid = randomHex(r, 32);
  const signedIn = r() < 0.7;
  const claims = Buffer.from(JSON.stringify({ sub: String(int(r, 1, USERS)), sid: n })).toString(
    'base64url',
  );
  return {
    sid,
    // The recorder's session: the token of the session cookie (`sample.by: cookie:sid`).
    token: redactionToken(Buffer.from(KEY), 'secret', sid),
    agent: pick(agents, r),
    ip: `${int(r, 11, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
    bearer: signedIn ? `eyJhbGciOiJIUzI1NiJ9.${claims}.${randomHex(r, 43)}` : undefined,
  };
}

function randomHex(r: () => number, n: number): string {
  return Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
}

function requestHeaders(p: Planned, s: ReturnType<typeof session>): HeaderList {
  const headers: [string, string][] = [
    ['host', 'shop.example.com'],
    ['user-agent', s.agent],
    ['accept', p.accept],
    ['accept-language', 'de-DE,de;q=0.9,en;q=0.8'],
    ['accept-encoding', 'gzip, deflate, br'],
    ['cookie', `sid=${s.sid}; consent=analytics`],
    ['x-forwarded-for', s.ip],
    ['x-forwarded-proto', 'https'],
    ['x-request-id', randomUUID()],
    ['connection', 'keep-alive'],
  ];
  if (s.bearer !== undefined && p.url.startsWith('/api/'))
    headers.push(['authorization', `Bearer ${s.bearer}`]);
  if (p.body !== undefined) headers.push(['content-type', 'application/json']);
  return headers;
}

/** Production's answer at `at` (epoch ms), its volatile values as they were then. */
function recordedValue(at: number): (slot: Slot) => string {
  return (slot) => {
    if (slot === 'now') return new Date(at).toISOString();
    if (slot === 'epoch') return String(at);
    if (slot === 'csrf') return csrfToken();
    return randomUUID();
  };
}

/** Production's answer to a request, and the bucket its replay belongs in. */
function expectation(p: Planned): { production: Template; bucket: Bucket } {
  const production = answerFor(p.method, p.url, 'production');
  const bucket =
    p.method !== 'GET'
      ? 'skipped'
      : !sameTemplate(production, answerFor(p.method, p.url, 'staging'))
        ? 'regression'
        : production.slots.length === 0
          ? 'match'
          : 'noise';
  return { production, bucket };
}

/** Sessions active at once: each request belongs to one of them. */
const ACTIVE_SESSIONS = 400;

/**
 * The capture's records as the recorder would have kept them (redacted), and the bucket each
 * request is expected in, counted into `expected`.
 */
function* captureRecords(
  requests: number,
  redact: (record: CaptureRecord) => CaptureRecord,
  expected: BucketCounts,
  log: (line: string) => void,
): Generator<CaptureRecord> {
  const r = rng(20_261_121);
  const start = Date.now() - 3 * 3_600_000;
  const sessions = new Map<number, ReturnType<typeof session>>();
  const answers = new Map<string, ReturnType<typeof expectation>>();
  for (let i = 0; i < requests; i += 1) {
    const p = planned(i, r);
    // A window of sessions sliding through the capture: each lives for a few thousand requests.
    const n = Math.floor(i / 10) + Math.floor(r() * ACTIVE_SESSIONS);
    let s = sessions.get(n);
    if (s === undefined) {
      s = session(n);
      sessions.set(n, s);
      sessions.delete(n - 2 * ACTIVE_SESSIONS);
    }
    const key = `${p.method} ${p.url}`;
    let known = answers.get(key);
    if (known === undefined) {
      known = expectation(p);
      answers.set(key, known);
    }
    const { production, bucket } = known;
    expected[bucket] += 1;
    expected.total += 1;

    const startedAt = start + i * 2;
    const ttfbMs = 2 + Math.floor(r() * 30);
    const at = startedAt + ttfbMs;
    const body = fill(production, recordedValue(at));
    const size = Buffer.byteLength(body);
    yield redact({
      type: 'exchange',
      id: `0001-${i + 1}`,
      session: s.token,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: ttfbMs + 1,
      ttfbMs,
      request: {
        method: p.method,
        url: p.url,
        httpVersion: '1.1',
        headers: requestHeaders(p, s),
        ...(p.body === undefined
          ? {}
          : { body: { encoding: 'utf8', data: p.body, size: p.body.length, truncated: false } }),
      },
      response: {
        status: production.status,
        headers: [
          ['content-type', production.type],
          ['content-length', String(size)],
          ['date', new Date(at).toUTCString()],
          ['cache-control', production.cache],
          ['x-request-id', randomUUID()],
          ['server', 'nginx'],
          ['vary', 'Accept-Encoding'],
          ['strict-transport-security', 'max-age=31536000'],
        ],
        body: { encoding: 'utf8', data: body, size, truncated: false },
      },
      redactions: [],
    });
    if ((i + 1) % 50_000 === 0) log(`generated ${i + 1} exchanges`);
  }
}

// ── the target ─────────────────────────────────────────────────────────────────────────────

/** A fresh volatile value. */
function freshValue(slot: Slot): string {
  if (slot === 'now') return new Date().toISOString();
  if (slot === 'epoch') return String(Date.now());
  if (slot === 'csrf') return csrfToken();
  return randomUUID();
}

/**
 * The target, in the child process: answers on 127.0.0.1 from templates built once per URL,
 * tells the parent its port, and its CPU time when asked.
 */
async function serveTarget(): Promise<void> {
  const templates = new Map<string, Template>();
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const key = `${req.method} ${req.url}`;
    let t = templates.get(key);
    if (t === undefined) {
      t = answerFor(req.method ?? 'GET', req.url ?? '/', 'staging');
      templates.set(key, t);
    }
    const body = fill(t, freshValue);
    res.writeHead(t.status, {
      'content-type': t.type,
      'content-length': Buffer.byteLength(body),
      'cache-control': t.cache,
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: (user + system) / 1e6 });
  });
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
}

interface TargetProcess {
  readonly url: URL;
  /** CPU seconds the target has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): void;
}

/**
 * Runs this file in a child process as `mode` (see the end of the file), with tsx's loader as the
 * parent runs it; messages go both ways over IPC.
 */
function spawnSelf(mode: 'serve' | 'generate', args: readonly string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), mode, ...args],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
}

/** Starts the target in a child process. */
async function startTarget(): Promise<TargetProcess> {
  const child = spawnSelf('serve');
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the target exited (${code}) before listening`)));
  });
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    cpuSeconds: () => ask(child),
    stop: () => child.disconnect(),
  };
}

function ask(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: number }) => resolve(m.cpu));
    child.send('cpu');
  });
}

// ── the run ────────────────────────────────────────────────────────────────────────────────

/**
 * The project's understudy.yaml: the redaction key and staging's credentials; replay defaults
 * otherwise. Staging's URL is the local target's, given as `--target URL` gives it.
 */
function benchConfig(): Config {
  const text = `project: bench
environments:
  production: { url: "https://shop.example.com", protected: true }
  staging: {}
traffic:
  key: \${UNDERSTUDY_REDACT_KEY}
  replay:
    credentials:
      - { header: authorization, value: "Bearer staging-bench-token" }
      - { header: cookie, value: "sid=staging-bench-session" }
`;
  const result = validateConfigText(text, {
    file: 'understudy.yaml',
    env: { UNDERSTUDY_REDACT_KEY: KEY },
  });
  if (result.config === undefined)
    throw new Error(`bench config: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.config;
}

/** The redactor's settings, for the recorder (the capture) and the replayer alike. */
function redaction(config: Config): RedactorOptions {
  return redactorOptions(config, findRedactionKey(config, {}).key);
}

/** The capture's generator, in its child process: writes the capture, sends the buckets expected. */
async function generateCapture(capture: string, requests: number): Promise<void> {
  const expected = emptyCounts();
  const log = (line: string): void => void process.send?.({ log: line });
  await writeCaptureDirectory(
    capture,
    { writer: 'understudy bench', maxBodyBytes: 1_048_576, upstream: 'https://shop.example.com' },
    captureRecords(requests, createRedactor(redaction(benchConfig())), expected, log),
  );
  process.send?.({ expected }, () => process.disconnect());
}

/**
 * Generates the capture in a child process, so its garbage and its CPU time stay out of the
 * replayer's; the buckets the requests were built for.
 */
function generate(
  capture: string,
  requests: number,
  log: (line: string) => void,
): Promise<BucketCounts> {
  const child = spawnSelf('generate', [capture, String(requests)]);
  let expected: BucketCounts | undefined;
  child.on('message', (m: { log?: string; expected?: BucketCounts }) => {
    if (m.log !== undefined) log(m.log);
    if (m.expected !== undefined) expected = m.expected;
  });
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      if (code === 0 && expected !== undefined) resolve(expected);
      else reject(new Error(`generating the capture failed (exit ${code})`));
    });
  });
}

/** What is wrong with the report, measured against what the capture was built to hold. */
function check(report: ReplayReport, expected: BucketCounts, found: readonly string[]): string[] {
  const problems: string[] = [];
  const { counts } = report;
  if (
    counts.match + counts.regression + counts.noise + counts.skipped + counts.error !==
    counts.total
  )
    problems.push(`the buckets do not sum to the total: ${JSON.stringify(counts)}`);
  for (const bucket of Object.keys(expected) as (keyof BucketCounts)[])
    if (counts[bucket] !== expected[bucket])
      problems.push(`${bucket}: ${counts[bucket]} requests, expected ${expected[bucket]}`);
  const missed = PLANTED_REGRESSIONS.filter((g) => !found.includes(g));
  const unexpected = found.filter((g) => !PLANTED_REGRESSIONS.includes(g));
  if (missed.length > 0) problems.push(`planted regressions missed: ${missed.join('; ')}`);
  if (unexpected.length > 0) problems.push(`unexpected regressions: ${unexpected.join('; ')}`);
  if (report.captureProblems.count > 0)
    problems.push(`${report.captureProblems.count} capture problem(s)`);
  for (const error of report.errors) problems.push(`error: ${error.reason} ×${error.count}`);
  return problems;
}

/** Generates the capture, starts the target, replays, checks; the figures for one JSON line. */
export async function runReplayBench(options: ReplayBenchOptions): Promise<ReplayBenchResult> {
  const log = options.log ?? ((): void => undefined);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-bench-replay-'));
  let target: TargetProcess | undefined;
  try {
    log(`generating a capture of ${options.requests} exchanges`);
    const generateStart = performance.now();
    const capture = path.join(dir, 'capture');
    const expected = await generate(capture, options.requests, log);
    const generateSeconds = (performance.now() - generateStart) / 1000;
    const [file] = await listCaptureFiles(capture);
    const captureMb = (await stat(file ?? capture)).size / 2 ** 20;

    target = await startTarget();
    const config = benchConfig();
    const resolved = resolveReplay(config, { target: target.url.origin });
    log(`replaying against ${target.url.origin} (concurrency ${resolved.concurrency})`);
    const problems: CaptureProblem[] = [];
    const startMachine = machine(); // the load average before the replay adds its own
    const targetCpu = await target.cpuSeconds();
    const cpu = process.cpuUsage();
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(
      () => (peakRss = Math.max(peakRss, process.memoryUsage.rss())),
      100,
    );
    const started = performance.now();
    let lastLog = started;
    let report: ReplayReport;
    try {
      report = await runReplay(
        {
          capture,
          records: readCapture(capture, (problem) => problems.push(problem)),
          problems: () => ({ count: problems.length, items: problems }),
          target: { name: resolved.target.name, url: resolved.target.url },
          policy: resolved.policy,
          concurrency: resolved.concurrency,
          timeoutMs: resolved.timeoutMs,
          headers: resolved.headers,
          ignore: resolved.ignore,
          maxRegressions: resolved.maxRegressions,
          latency: resolved.latency,
          redact: createResponseRedactor(redaction(config)),
          onProgress: (done) => {
            const now = performance.now();
            if (now - lastLog < 5000) return;
            lastLog = now;
            log(`replayed ${done} (${Math.round(done / ((now - started) / 1000))}/s)`);
          },
        },
        { createClient: createReplayClient },
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = {
      replayer: round((used.user + used.system) / 1e6, 2),
      target: round((await target.cpuSeconds()) - targetCpu, 2),
    };
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const found = report.regressions.map((g) => `${g.route} ${g.path} ${g.kind}`).sort();
    const failures = check(report, expected, found);
    const requestsPerSecond = Math.round(report.counts.total / seconds);
    const busy = (cpu: number): string => `${Math.round((100 * cpu) / seconds)} %`;
    return {
      bench: 'replay',
      requests: report.counts.total,
      seconds: round(seconds, 3),
      requestsPerSecond,
      cpuSeconds,
      requestsPerCpuSecond: Math.round(report.counts.total / cpuSeconds.replayer),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      counts: report.counts,
      expectedCounts: expected,
      regressionsFound: found,
      regressionsPlanted: PLANTED_REGRESSIONS,
      correct: failures.length === 0,
      problems: failures,
      target: TARGET_RPS,
      meetsTarget: requestsPerSecond >= TARGET_RPS,
      concurrency: resolved.concurrency,
      generateSeconds: round(generateSeconds, 1),
      captureMb: round(captureMb, 1),
      machine: startMachine,
      notes: [
        `CPU busy during the replay: replayer ${busy(cpuSeconds.replayer)}, target ${busy(cpuSeconds.target)} (100 % = one core)`,
        'seconds: the replay alone, as `understudy replay` runs it: the capture read and decompressed, every answer redacted and diffed, the report built; generating the capture is not timed',
        "the target's CSRF tokens are ones the noise model takes for random: about 1 in 5,000 random 32-character tokens is not, and its page would be reported as a regression",
      ],
    };
  } finally {
    target?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// Run as a child process (see spawnSelf): the target, or the capture's generator.
const [, script, mode, ...args] = process.argv;
if (script === fileURLToPath(import.meta.url)) {
  // Gone with the parent, or done.
  process.on('disconnect', () => process.exit(0));
  if (mode === 'serve') await serveTarget();
  if (mode === 'generate') await generateCapture(args[0] ?? '', Number(args[1]));
}
