import { createHash } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import { createRedactor } from './redact.js';
import { startRecordProxy, type RecordProxy, type RecordProxyOptions } from './record-proxy.js';
import {
  eventually,
  memorySink,
  send,
  startUpstream,
  type Started,
} from './record-proxy.test-helper.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function upstream(handler: http.RequestListener): Promise<Started> {
  const started = await startUpstream(handler);
  cleanup.push(() => started.close());
  return started;
}

async function proxy(
  target: string,
  options: Partial<RecordProxyOptions> = {},
): Promise<{ proxy: RecordProxy; sink: ReturnType<typeof memorySink> }> {
  const sink = memorySink();
  const started = await startRecordProxy({
    upstream: target,
    host: '127.0.0.1',
    port: 0,
    sink,
    redact: createRedactor({ key }),
    key,
    maxBodyBytes: 1024,
    ...options,
  });
  cleanup.push(() => started.close(1000));
  return { proxy: started, sink };
}

describe('the recording proxy forwards', () => {
  it('status, reason, headers (repeats kept, hop-by-hop dropped) and bodies, adding X-Forwarded-*', async () => {
    let seen: http.IncomingMessage | undefined;
    let seenBody = '';
    const up = await upstream((req, res) => {
      seen = req;
      req.setEncoding('utf8');
      req.on('data', (c: string) => (seenBody += c));
      req.on('end', () => {
        res.writeHead(201, 'Made It', [
          'x-upstream',
          'yes',
          'set-cookie',
          'a=1',
          'set-cookie',
          'b=2',
          'connection',
          'x-private',
          'x-private',
          'hop',
          'content-type',
          'application/json',
        ]);
        res.end('{"ok":true}');
      });
    });
    const { proxy: p, sink } = await proxy(up.url);
    const answer = await send(`${p.url}/orders?page=2`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-custom': 'kept',
        connection: 'x-drop-me',
        'x-drop-me': 'gone',
        te: 'trailers',
        'x-forwarded-for': '203.0.113.9',
      },
      body: '{"item":42}',
    });
    expect(answer.status).toBe(201);
    expect(answer.statusText).toBe('Made It');
    expect(answer.all('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(answer.header('x-upstream')).toBe('yes');
    expect(answer.header('x-private')).toBeUndefined();
    expect(answer.body.toString()).toBe('{"ok":true}');

    expect(seen!.url).toBe('/orders?page=2');
    expect(seen!.method).toBe('POST');
    expect(seenBody).toBe('{"item":42}');
    expect(seen!.headers['x-custom']).toBe('kept');
    expect(seen!.headers['x-drop-me']).toBeUndefined();
    expect(seen!.headers.te).toBeUndefined();
    expect(seen!.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(seen!.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen!.headers['x-forwarded-proto']).toBe('http');
    expect(seen!.headers['x-forwarded-host']).toBe(`127.0.0.1:${p.port}`);

    await eventually(() => sink.records.length === 1);
    const record = sink.records[0]!;
    expect(record.request).toMatchObject({
      method: 'POST',
      url: '/orders?page=2',
      httpVersion: '1.1',
    });
    expect(record.request.body).toEqual({
      encoding: 'utf8',
      data: '{"item":42}',
      size: 11,
      truncated: false,
    });
    expect(record.response).toMatchObject({ status: 201, statusText: 'Made It' });
    expect(record.response!.body!.data).toBe('{"ok":true}');
    expect(record.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(record.durationMs).toBeGreaterThanOrEqual(record.ttfbMs!);
  });

  it('streams a chunked response: the client reads the first chunk before the upstream ends', async () => {
    let release!: () => void;
    const clientHasFirst = new Promise<void>((resolve) => (release = resolve));
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      void clientHasFirst.then(() => res.end('second'));
    });
    const { proxy: p, sink } = await proxy(up.url);
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get(`${p.url}/stream`, (res) => {
          expect(res.headers['transfer-encoding']).toBe('chunked');
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
            if (body === 'first;') release();
          });
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    expect(text).toBe('first;second');
    await eventually(() => sink.records.length === 1);
    expect(sink.records[0]!.response!.body!.data).toBe('first;second');
  });

  it('streams large bodies both ways unchanged, recording only the first maxBodyBytes', async () => {
    const size = 24 * 1024 * 1024;
    const payload = Buffer.alloc(size, 'abcdefghij');
    const up = await upstream((req, res) => {
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        length += c.length;
      });
      req.on('end', () => {
        res.writeHead(200, { 'x-upload-sha256': hash.digest('hex'), 'x-upload-length': length });
        // Sent as a stream in 64 KiB pieces, with backpressure.
        let offset = 0;
        const more = (): void => {
          while (offset < size) {
            const piece = payload.subarray(offset, (offset += 65536));
            if (!res.write(piece)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      });
    });
    const { proxy: p, sink } = await proxy(up.url);
    const answer = await send(`${p.url}/big`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: payload,
    });
    const sha = createHash('sha256').update(payload).digest('hex');
    expect(answer.header('x-upload-sha256')).toBe(sha);
    expect(answer.header('x-upload-length')).toBe(String(size));
    expect(createHash('sha256').update(answer.body).digest('hex')).toBe(sha);
    await eventually(() => sink.records.length === 1);
    const record = sink.records[0]!;
    expect(record.request.body).toMatchObject({ size, truncated: true, encoding: 'base64' });
    expect(Buffer.from(record.request.body!.data, 'base64').length).toBe(1024);
    expect(record.response!.body).toMatchObject({ size, truncated: true });
  });

  it('keeps connections alive to the client and to the upstream', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const { proxy: p } = await proxy(up.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let sockets = 0;
    const clientSockets = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${p.url}/n/${i}`, { agent }, (res) => {
            clientSockets.add(res.socket);
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    }
    sockets = clientSockets.size;
    agent.destroy();
    expect(sockets).toBe(1);
    expect(up.connections()).toBe(1);
  });

  it('records bodies decoded of gzip while the client gets the bytes the upstream sent', async () => {
    const plain = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i })) });
    const gzipped = gzipSync(plain);
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipped);
    });
    const { proxy: p, sink } = await proxy(up.url, { maxBodyBytes: 1 << 20 });
    const answer = await send(`${p.url}/items`, { headers: { 'accept-encoding': 'gzip' } });
    expect(answer.body.equals(gzipped)).toBe(true);
    await eventually(() => sink.records.length === 1);
    expect(sink.records[0]!.response!.body).toEqual({
      encoding: 'utf8',
      data: plain,
      size: gzipped.length,
      truncated: false,
    });
  });
});

describe('the recording proxy records', () => {
  it('redacted exchanges, with the session as a token of the sample.by cookie', async () => {
    const up = await upstream((_req, res) => res.end('{}'));
    const { proxy: p, sink } = await proxy(up.url, { sampling: { by: 'cookie:sid' } });
    await send(`${p.url}/me?token=abc123`, {
      headers: { authorization: 'Bearer s3cr3t-value', cookie: 'sid=session-one' },
    });
    await send(`${p.url}/me`, { headers: { cookie: 'sid=session-one' } });
    await eventually(() => sink.records.length === 2);
    const [first, second] = sink.records;
    const text = JSON.stringify(sink.records);
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain('session-one');
    expect(text).not.toContain('abc123');
    expect(first!.session).toBe(second!.session);
    expect(first!.session).toMatch(/^us_tok_[a-z2-7]{26}$/);
    expect(first!.redactions).toContainEqual({
      where: 'header:authorization',
      rule: 'default:authorization',
      count: 1,
    });
  });

  it('only sampled sessions and included routes; the rest count as skipped', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const { proxy: p, sink } = await proxy(up.url, {
      sampling: {
        percent: 50,
        by: 'x-session',
        include: ['GET /api/**'],
        exclude: ['/api/health'],
      },
    });
    const kept = new Map<string, number>();
    for (let s = 0; s < 40; s++)
      for (let r = 0; r < 3; r++)
        await send(`${p.url}/api/items/${r}`, { headers: { 'x-session': `s-${s}` } });
    await send(`${p.url}/api/health`);
    await send(`${p.url}/other`);
    await eventually(() => p.health().recorded + p.health().skipped === 122);
    for (const record of sink.records)
      kept.set(record.session, (kept.get(record.session) ?? 0) + 1);
    // Whole sessions: every recorded session has all three of its requests.
    expect([...kept.values()].every((n) => n === 3)).toBe(true);
    expect(kept.size).toBeGreaterThan(5);
    expect(kept.size).toBeLessThan(35);
    expect(p.health().skipped).toBe(122 - sink.records.length);
  });
});

describe('the recording proxy when things go wrong', () => {
  it('refuses a port in use with E_USAGE naming the port', async () => {
    const up = await upstream((_req, res) => res.end());
    const error = await startRecordProxy({
      upstream: 'http://127.0.0.1:9',
      host: '127.0.0.1',
      port: up.port,
      sink: memorySink(),
      redact: createRedactor({ key }),
      key,
      maxBodyBytes: 1024,
    }).catch((e: unknown) => e);
    expect(isUnderstudyError(error, 'E_USAGE')).toBe(true);
    expect((error as Error).message).toContain(`port ${up.port} is already in use`);
  });
});
