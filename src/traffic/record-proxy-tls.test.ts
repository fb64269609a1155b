import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { startRecordProxy } from './record-proxy.js';
import {
  eventually,
  memorySink,
  selfSigned,
  send,
  startUpstream,
} from './record-proxy.test-helper.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
let cert: { cert: string; key: string };
const cleanup: (() => Promise<void>)[] = [];
beforeAll(async () => {
  cert = await selfSigned();
});
afterAll(async () => {
  for (const close of cleanup.reverse()) await close();
});

describe('the recording proxy and TLS', () => {
  it('forwards to an HTTPS upstream it trusts', async () => {
    const up = await startUpstream((req, res) => {
      res.setHeader('x-secure', String((req.socket as { encrypted?: boolean }).encrypted));
      res.end('over tls');
    }, cert);
    cleanup.push(() => up.close());
    const sink = memorySink();
    const p = await startRecordProxy({
      upstream: up.url,
      host: '127.0.0.1',
      port: 0,
      sink,
      redact: createRedactor({ key }),
      key,
      maxBodyBytes: 1024,
      upstreamCa: cert.cert,
    });
    cleanup.push(() => p.close(500));
    const answer = await send(`${p.url}/tls`);
    expect(answer.status).toBe(200);
    expect(answer.header('x-secure')).toBe('true');
    expect(answer.body.toString()).toBe('over tls');
    await eventually(() => sink.records.length === 1);
  });

  it('refuses (502) an HTTPS upstream whose certificate it does not trust', async () => {
    const up = await startUpstream((_req, res) => res.end('nope'), cert);
    cleanup.push(() => up.close());
    const p = await startRecordProxy({
      upstream: up.url,
      host: '127.0.0.1',
      port: 0,
      sink: memorySink(),
      redact: createRedactor({ key }),
      key,
      maxBodyBytes: 1024,
    });
    cleanup.push(() => p.close(500));
    expect((await send(`${p.url}/tls`)).status).toBe(502);
  });

  it('terminates TLS with a given certificate and says so upstream', async () => {
    let proto: string | undefined;
    const up = await startUpstream((req, res) => {
      proto = req.headers['x-forwarded-proto'] as string;
      res.end('plain behind');
    });
    cleanup.push(() => up.close());
    const sink = memorySink();
    const p = await startRecordProxy({
      upstream: up.url,
      host: '127.0.0.1',
      port: 0,
      sink,
      redact: createRedactor({ key }),
      key,
      maxBodyBytes: 1024,
      tls: cert,
    });
    cleanup.push(() => p.close(500));
    expect(p.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await send(`${p.url}/secure`, { ca: cert.cert });
    expect(answer.body.toString()).toBe('plain behind');
    expect(proto).toBe('https');
    await eventually(() => sink.records.length === 1);
  });
});
