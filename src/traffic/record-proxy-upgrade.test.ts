import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { startRecordProxy } from './record-proxy.js';
import { freePort, memorySink, startUpstream } from './record-proxy.test-helper.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function proxyTo(upstream: string) {
  const sink = memorySink();
  const p = await startRecordProxy({
    upstream,
    host: '127.0.0.1',
    port: 0,
    sink,
    redact: createRedactor({ key }),
    key,
    maxBodyBytes: 1024,
  });
  cleanup.push(() => p.close(500));
  return { p, sink };
}

/** Sends an upgrade request; resolves with the status line and, on 101, the joined socket. */
function upgrade(url: string): Promise<{ status: number; socket?: Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/live`, {
      headers: { connection: 'Upgrade', upgrade: 'echo' },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the recording proxy and protocol upgrades', () => {
  it('tunnels an upgraded connection to the upstream byte for byte, without recording it', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const upstream = await startUpstream((_req, res) => res.end('plain'));
    upstream.server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
      seen.push(req.headers);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: Upgrade\r\n\r\n',
      );
      socket.pipe(socket);
    });
    cleanup.push(() => upstream.close());
    const { p, sink } = await proxyTo(upstream.url);

    const { status, socket } = await upgrade(p.url);
    expect(status).toBe(101);
    const echoed = await new Promise<string>((resolve) => {
      socket!.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      socket!.write('ping over the tunnel');
    });
    expect(echoed).toBe('ping over the tunnel');
    socket!.destroy();
    expect(seen[0]).toMatchObject({
      upgrade: 'echo',
      connection: 'upgrade',
      host: `127.0.0.1:${upstream.port}`,
      'x-forwarded-for': '127.0.0.1',
    });
    expect(sink.records).toEqual([]);
  });

  it('answers 502 when the upstream cannot be reached, and keeps serving', async () => {
    const { p } = await proxyTo(`http://127.0.0.1:${await freePort()}`);
    expect((await upgrade(p.url)).status).toBe(502);
    expect((await upgrade(p.url)).status).toBe(502);
  });
});
