/**
 * Protocol upgrades (WebSocket and the like) through the recording proxy: the request is sent to
 * the upstream with its `Connection: upgrade` and `Upgrade` headers, and from then on the two
 * sockets are joined byte for byte. Upgraded connections are tunnelled, not recorded: the capture
 * format holds HTTP exchanges, and a proxy in front of production must never break what it cannot
 * record. An upstream that cannot be reached gets the client a 502, as for any request.
 */
import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Duplex } from 'node:stream';
import { upstreamRequestHeaders, type ForwardedFor } from './proxy-headers.js';

export interface UpgradeTarget extends ForwardedFor {
  readonly upstream: URL;
  /** The upstream's base path, without a trailing slash. */
  readonly base: string;
  /** Extra trust for an HTTPS upstream (PEM). */
  readonly ca?: string | Buffer;
}

/** Joins an upgrade request's client socket to a new connection to the upstream. */
export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: UpgradeTarget,
): void {
  const { upstream } = target;
  const secure = upstream.protocol === 'https:';
  const port = Number(upstream.port || (secure ? 443 : 80));
  const host = upstream.hostname.replace(/^\[|\]$/g, '');
  const onConnect = (): void => {
    const headers = upstreamRequestHeaders(req.rawHeaders, target);
    headers.push('connection', 'upgrade', 'upgrade', req.headers.upgrade ?? '');
    let text = `${req.method ?? 'GET'} ${target.base}${req.url ?? '/'} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    server.write(`${text}\r\n`);
    if (head.length > 0) server.write(head);
    server.pipe(client);
    client.pipe(server);
  };
  const server: Socket = secure
    ? connectTls(
        { host, port, servername: host, ...(target.ca === undefined ? {} : { ca: target.ca }) },
        onConnect,
      )
    : connectTcp({ host, port }, onConnect);
  let connected = false;
  server.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
  server.on('error', () => {
    if (!connected && client.writable) {
      const body = 'Understudy record: the upstream could not be reached.\n';
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
    } else client.destroy();
  });
  client.on('error', () => server.destroy());
  client.on('close', () => server.destroy());
  server.on('close', () => client.destroy());
}
