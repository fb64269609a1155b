/**
 * Shoppers for the demo: a deterministic (seeded) mix of requests to the sample service, the way
 * a storefront would send them — mostly order and product pages, some lists, searches and
 * account pages, and a few new orders. Each shopper has a session cookie (the recorder groups by
 * it) and some carry a bearer token, which the recorder redacts.
 */
import { SEED_SIZES, seededRandom } from './sample-data.js';

export interface TrafficOptions {
  /** The base URL requests go to (the recording proxy). */
  readonly baseUrl: string;
  /** How many requests in all. */
  readonly count: number;
  /** At most this many requests per second; unpaced when omitted. */
  readonly rate?: number;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /** Distinct shoppers (sessions; default 40). */
  readonly sessions?: number;
  readonly seed?: number;
}

export interface TrafficResult {
  readonly sent: number;
  /** Answers by HTTP status; requests that got none are counted under `failed`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests by route (`GET /orders/{id}`). */
  readonly byRoute: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly durationMs: number;
}

interface PlannedRequest {
  readonly route: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly session: number;
  readonly body?: string;
}

/**
 * New orders are placed only by these customers, and account pages are only asked for the
 * others: an account page recorded before an order was placed would otherwise differ from the
 * staging copy taken after it, which is not a regression.
 */
const orderingCustomers = 100;
const terms = ['lamp', 'chair', 'kettle', 'shelf', 'desk', 'lantern', 'rack', 'planter'];
const categories = ['garden', 'kitchen', 'office', 'outdoor', 'lighting', 'bath'];

/** The requests, in order: the same options always give the same list. */
export function planTraffic(count: number, sessions: number, seed: number): PlannedRequest[] {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = (items: readonly string[]): string => items[int(0, items.length - 1)] ?? '';
  const requests: PlannedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const session = int(1, sessions);
    const get = (route: string, path: string): PlannedRequest => ({
      route,
      method: 'GET',
      path,
      session,
    });
    const roll = random();
    if (roll < 0.4) requests.push(get('GET /orders/{id}', `/orders/${int(1, SEED_SIZES.orders)}`));
    else if (roll < 0.64)
      requests.push(get('GET /products/{id}', `/products/${int(1, SEED_SIZES.products)}`));
    else if (roll < 0.74) {
      const category = random() < 0.5 ? `&category=${pick(categories)}` : '';
      requests.push(get('GET /products', `/products?page=${int(1, 4)}${category}`));
    } else if (roll < 0.83) {
      const customer = int(1, SEED_SIZES.customers - orderingCustomers);
      requests.push(get('GET /customers/{id}', `/customers/${customer}`));
    } else if (roll < 0.89) requests.push(get('GET /search', `/search?q=${pick(terms)}`));
    else if (roll < 0.94) requests.push(get('GET /categories', '/categories'));
    else if (roll < 0.97) {
      const items = Array.from({ length: int(1, 3) }, () => ({
        productId: int(1, SEED_SIZES.products),
        quantity: int(1, 2),
      }));
      const customerId = SEED_SIZES.customers - orderingCustomers + int(1, orderingCustomers);
      const body = JSON.stringify({ customerId, items });
      requests.push({ route: 'POST /orders', method: 'POST', path: '/orders', session, body });
    }
    // A few mistakes real clients make: an order that does not exist.
    else requests.push(get('GET /orders/{id}', `/orders/${SEED_SIZES.orders + 5000 + i}`));
  }
  return requests;
}

/** A bearer token shaped like a JWT, fixed per session: the recorder redacts it. */
function bearerFor(session: number): string {
  const part = (text: string): string => Buffer.from(text).toString('base64url');
  return `${part('{"alg":"HS256","typ":"JWT"}')}.${part(`{"sub":"shopper-${session}","scope":"shop"}`)}.${part(`signature-of-session-${session}`)}`;
}

/** Sends the planned requests to `baseUrl` and counts what came back. */
export async function sendTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const sessions = options.sessions ?? 40;
  const plan = planTraffic(options.count, sessions, options.seed ?? 7);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const byStatus: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const send = async (request: PlannedRequest, index: number): Promise<void> => {
    if (options.rate !== undefined && options.rate > 0) {
      const due = started + (index * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
    const headers: Record<string, string> = {
      accept: 'application/json',
      cookie: `sid=shopper-${String(request.session).padStart(4, '0')}-${(request.session * 2_654_435_761) % 1_000_000_007}`,
      'user-agent': 'demo-shopper/1.0',
    };
    // Signed-in shoppers (every third) send a token, as a single-page storefront would.
    if (request.session % 3 === 0) headers.authorization = `Bearer ${bearerFor(request.session)}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(new URL(request.path, options.baseUrl), {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    } catch {
      failed += 1;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const index = next++;
      const request = plan[index];
      if (request !== undefined) await send(request, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, () => worker()));
  return {
    sent: plan.length,
    byStatus,
    byRoute,
    failed,
    durationMs: Math.round(performance.now() - started),
  };
}
