/**
 * The demo's sample web service: a small shop API over PostgreSQL, in two versions. v2 is v1 with
 * one real regression — an order's total no longer takes the discount off — on the busiest route,
 * so replaying production's traffic against staging finds it. Run as a process:
 *
 *   node dist/demo/sample-service.js --version v1 --port 4100 --database postgres://…
 *
 * It prints one line when it listens, and stops on SIGINT/SIGTERM, or when the process named by
 * `--owner-pid` is gone (so a demo killed hard leaves no service behind).
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { isSampleVersion, type SampleVersion } from './sample-data.js';
import { isMainModule } from '../shared/main-module.js';

/** What `/version` reports for each version (the parity versions probe reads `version`). */
export const SAMPLE_COMMITS: Readonly<Record<SampleVersion, string>> = {
  v1: '3f2a9c1e7b',
  v2: '8d41e07a52',
};

type Json = Record<string, unknown> | readonly unknown[];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

const PAGE_SIZE = 20;

/** One order as JSON, its total computed the way `version` computes it. */
function orderJson(
  version: SampleVersion,
  order: {
    id: number;
    customer_id: number;
    status: string;
    discount_percent: number;
    created_at: Date;
  },
  lines: readonly {
    product_id: number;
    name: string;
    quantity: number;
    unit_price_cents: number;
  }[],
): Record<string, unknown> {
  const items = lines.map((l) => ({
    productId: l.product_id,
    name: l.name,
    quantity: l.quantity,
    unitPrice: l.unit_price_cents,
    lineTotal: l.quantity * l.unit_price_cents,
  }));
  const subtotal = items.reduce((sum, i) => sum + i.lineTotal, 0);
  const discounted = Math.round((subtotal * (100 - order.discount_percent)) / 100);
  return {
    id: order.id,
    customerId: order.customer_id,
    status: order.status,
    createdAt: order.created_at.toISOString(),
    discountPercent: order.discount_percent,
    items,
    subtotal,
    // The planted regression: v2's "simplified" pricing forgets the discount.
    total: version === 'v1' ? discounted : subtotal,
  };
}

async function getOrder(db: Queryable, version: SampleVersion, id: number): Promise<Json> {
  const { rows } = await db.query<{
    id: number;
    customer_id: number;
    status: string;
    discount_percent: number;
    created_at: Date;
  }>('SELECT id, customer_id, status, discount_percent, created_at FROM orders WHERE id = $1', [
    id,
  ]);
  const order = rows[0];
  if (order === undefined) throw new HttpError(404, `no order ${id}`);
  const lines = await db.query<{
    product_id: number;
    name: string;
    quantity: number;
    unit_price_cents: number;
  }>(
    `SELECT i.product_id, p.name, i.quantity, i.unit_price_cents
       FROM order_items i JOIN products p ON p.id = i.product_id
      WHERE i.order_id = $1 ORDER BY i.line`,
    [id],
  );
  return orderJson(version, order, lines.rows);
}

async function createOrder(db: pg.Pool, version: SampleVersion, body: unknown): Promise<Json> {
  const input = body as { customerId?: unknown; items?: unknown } | null;
  const items = Array.isArray(input?.items)
    ? (input.items as { productId?: unknown; quantity?: unknown }[])
    : [];
  const customerId = Number(input?.customerId);
  if (!Number.isInteger(customerId) || items.length === 0)
    throw new HttpError(400, 'an order needs customerId and items');
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO orders (customer_id, status, created_at) VALUES ($1, 'placed', now()) RETURNING id`,
      [customerId],
    );
    const id = rows[0]?.id ?? 0;
    let line = 0;
    for (const item of items) {
      line += 1;
      await client.query(
        `INSERT INTO order_items (order_id, line, product_id, quantity, unit_price_cents)
         SELECT $1, $2, id, $4, price_cents FROM products WHERE id = $3`,
        [id, line, Number(item.productId), Math.max(1, Number(item.quantity) || 1)],
      );
    }
    const order = await getOrder(client, version, id);
    await client.query('COMMIT');
    return order;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: string }).code;
    // A missing customer or product (23503), or an id that is not a number (22P02).
    throw code === '23503' || code === '22P02'
      ? new HttpError(400, 'unknown customer or product')
      : error;
  } finally {
    client.release();
  }
}

/** Answers one request; throws `HttpError` for the client's mistakes. */
async function route(
  db: pg.Pool,
  version: SampleVersion,
  method: string,
  url: URL,
  body: () => Promise<unknown>,
): Promise<[number, Json]> {
  const path = url.pathname;
  const id = (prefix: string): number | undefined => {
    const match = new RegExp(`^/${prefix}/(\\d+)$`).exec(path);
    return match === null ? undefined : Number(match[1]);
  };
  if (method === 'GET' && path === '/healthz') {
    await db.query('SELECT 1');
    return [200, { status: 'ok' }];
  }
  if (method === 'GET' && path === '/version')
    return [200, { service: 'demo-shop', version, commit: SAMPLE_COMMITS[version] }];
  if (method === 'GET' && path === '/products') {
    const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
    const category = url.searchParams.get('category');
    const { rows } = await db.query(
      `SELECT id, sku, name, category, price_cents AS price FROM products
        WHERE $1::text IS NULL OR category = $1 ORDER BY id LIMIT ${PAGE_SIZE} OFFSET $2`,
      [category, (page - 1) * PAGE_SIZE],
    );
    return [200, { page, items: rows }];
  }
  const productId = id('products');
  if (method === 'GET' && productId !== undefined) {
    const { rows } = await db.query(
      'SELECT id, sku, name, category, price_cents AS price, description FROM products WHERE id = $1',
      [productId],
    );
    if (rows[0] === undefined) throw new HttpError(404, `no product ${productId}`);
    return [200, rows[0]];
  }
  if (method === 'GET' && path === '/categories') {
    const { rows } = await db.query(
      'SELECT category AS name, count(*)::int AS products FROM products GROUP BY category ORDER BY category',
    );
    return [200, rows];
  }
  if (method === 'GET' && path === '/search') {
    const q = (url.searchParams.get('q') ?? '').trim();
    if (q === '') throw new HttpError(400, 'give a search term: /search?q=lamp');
    const { rows } = await db.query(
      `SELECT id, name, price_cents AS price FROM products WHERE name ILIKE '%' || $1 || '%'
        ORDER BY id LIMIT ${PAGE_SIZE}`,
      [q],
    );
    return [200, { query: q, items: rows }];
  }
  const orderId = id('orders');
  if (method === 'GET' && orderId !== undefined) return [200, await getOrder(db, version, orderId)];
  if (method === 'POST' && path === '/orders')
    return [201, await createOrder(db, version, await body())];
  const customerId = id('customers');
  if (method === 'GET' && customerId !== undefined) {
    const { rows } = await db.query<{
      id: number;
      full_name: string;
      email: string;
      created_at: Date;
      orders: number;
    }>(
      `SELECT c.id, c.full_name, c.email, c.created_at,
              (SELECT count(*)::int FROM orders o WHERE o.customer_id = c.id) AS orders
         FROM customers c WHERE c.id = $1`,
      [customerId],
    );
    const c = rows[0];
    if (c === undefined) throw new HttpError(404, `no customer ${customerId}`);
    return [
      200,
      {
        customer: {
          id: c.id,
          name: c.full_name,
          email: c.email,
          memberSince: c.created_at.toISOString().slice(0, 10),
        },
        orderCount: c.orders,
      },
    ];
  }
  throw new HttpError(404, `no route ${method} ${path}`);
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text === '' ? null : JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'the body is not JSON'));
      }
    });
  });
}

/** The service as a request listener over a pool; `close` ends the pool. */
export function createSampleService(options: {
  version: SampleVersion;
  pool: pg.Pool;
}): http.RequestListener {
  const { version, pool } = options;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sample.invalid');
    const send = (status: number, body: Json): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    route(pool, version, req.method ?? 'GET', url, () => readBody(req)).then(
      ([status, body]) => send(status, body),
      (error: unknown) => {
        if (error instanceof HttpError) send(error.status, { error: error.message });
        else send(500, { error: 'internal error' });
      },
    );
  };
}

/** A running sample service. */
export interface RunningSampleService {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the service on 127.0.0.1:`port` (0: any free port). */
export async function startSampleService(options: {
  version: SampleVersion;
  port: number;
  database: string;
}): Promise<RunningSampleService> {
  const pool = new pg.Pool({ connectionString: options.database, max: 4 });
  // A session the server ends (a data sync's swap of the staging database) must not crash us:
  // the pool drops that client and the next query opens a new one.
  pool.on('error', () => undefined);
  const server = http.createServer(createSampleService({ version: options.version, pool }));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}

/** The process entry: parses the flags, starts, and stops on a signal or when the owner is gone. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      version: { type: 'string' },
      port: { type: 'string' },
      database: { type: 'string' },
      'owner-pid': { type: 'string' },
    },
  });
  const version = values.version ?? '';
  const port = Number(values.port);
  if (!isSampleVersion(version) || !Number.isInteger(port) || values.database === undefined) {
    process.stderr.write(
      'usage: sample-service --version v1|v2 --port N --database postgres://… [--owner-pid PID]\n',
    );
    process.exitCode = 2;
    return;
  }
  const service = await startSampleService({ version, port, database: values.database });
  process.stdout.write(`demo-shop ${version} listening on ${service.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void service.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const owner = Number(values['owner-pid']);
  if (Number.isInteger(owner) && owner > 0) {
    setInterval(() => {
      try {
        process.kill(owner, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') stop();
      }
    }, 1000).unref();
  }
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`demo-shop: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
