/**
 * Forwarding one request upstream and its response back, streamed both ways with backpressure:
 * a slow client pauses the upstream, a slow upstream pauses the client's upload. The upstream
 * client is undici (keep-alive pooling); its dispatch handler writes straight into the client's
 * response. Copies for the record are taken from the chunks as they pass, never by buffering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { BodyCopy } from './record-body.js';
import { endToEndHeaders } from './proxy-headers.js';

/** What the proxy learns from forwarding one request. */
export interface ForwardOutcome {
  readonly status?: number;
  readonly statusText?: string;
  /** The upstream's response headers, flat `[name, value, …]`. */
  readonly responseHeaders?: readonly string[];
  /** performance.now() when the response headers arrived. */
  readonly headersAt?: number;
  /** Why the exchange failed, when it did. */
  readonly error?: string;
  /** The status the proxy answered itself (502, 504), when the upstream did not. */
  readonly proxyStatus?: number;
}

/** One request to forward. */
export interface ForwardJob {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly headers: readonly string[];
  readonly requestCopy?: BodyCopy;
  readonly responseCopy?: BodyCopy;
  /** Called once, when the exchange is over (answered, failed, or abandoned by the client). */
  done(outcome: ForwardOutcome): void;
}

/** Passes the request body on, copying chunks for the record; it also keeps undici from destroying the client's request. */
class TeeBody extends Transform {
  constructor(private readonly copy: BodyCopy | undefined) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.copy?.add(chunk);
    callback(null, chunk);
  }
}

const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

/** Answers for the upstream when it could not: 504 on a timeout, else 502, with a short body. */
function answerFailure(res: ServerResponse, error: Error, close: boolean): number {
  const code = errorCode(error);
  const status = timeoutCodes.has(code) ? 504 : 502;
  const text =
    status === 504
      ? `504 Gateway Timeout: the upstream did not answer in time (${code})\n`
      : `502 Bad Gateway: the upstream could not be reached (${code})\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // An upload not yet read to its end would hold the connection: close it after the answer.
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
  return status;
}

/** Whether a request has a body: Content-Length above 0 or Transfer-Encoding (read from the raw list, which is cheaper than `req.headers`). */
function hasBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 14 && name.length !== 17) continue;
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') return true;
    if (lower === 'content-length' && raw[i + 1]!.trim() !== '0') return true;
  }
  return false;
}

function latin1(raw: DispatchRawHeaders): string[] {
  const out: string[] = [];
  if (Array.isArray(raw))
    for (const item of raw) out.push(typeof item === 'string' ? item : item.toString('latin1'));
  return out;
}
type DispatchRawHeaders = Dispatcher.DispatchController['rawHeaders'];

/** Forwards `job` through `dispatcher`; `timeoutMs` bounds the wait for headers and between body chunks. */
export function forward(
  dispatcher: Dispatcher,
  path: string,
  job: ForwardJob,
  timeoutMs: number,
): void {
  const { req, res } = job;
  let finished = false;
  let controller: Dispatcher.DispatchController | undefined;
  let outcome: { -readonly [K in keyof ForwardOutcome]: ForwardOutcome[K] } = {};
  const finish = (error?: string): void => {
    if (finished) return;
    finished = true;
    if (error !== undefined) outcome.error = error;
    job.done(outcome);
  };

  let body: TeeBody | null = null;
  if (hasBody(req.rawHeaders)) {
    body = new TeeBody(job.requestCopy);
    req.on('error', (error) => body?.destroy(error));
    req.pipe(body);
  }
  // Node's server answers `Expect: 100-continue` itself; the body then follows as usual.
  res.sendDate = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    controller?.abort(new Error('the client closed the connection'));
    finish('the client closed the connection before the response ended');
  });

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(ctrl) {
      controller = ctrl;
      if (finished) ctrl.abort(new Error('the client closed the connection'));
    },
    onResponseStart(ctrl, statusCode, _headers, statusMessage) {
      if (statusCode < 200) return; // 103 Early Hints and the like are not passed on.
      const raw = latin1(ctrl.rawHeaders);
      outcome = {
        status: statusCode,
        statusText: statusMessage ?? '',
        responseHeaders: raw,
        headersAt: performance.now(),
      };
      try {
        if (statusMessage !== undefined && statusMessage !== '')
          res.writeHead(statusCode, statusMessage, endToEndHeaders(raw));
        else res.writeHead(statusCode, endToEndHeaders(raw));
      } catch (error) {
        // A header Node refuses to send (invalid characters): the client gets a 502 instead.
        ctrl.abort(error as Error);
      }
    },
    onResponseData(ctrl, chunk) {
      job.responseCopy?.add(chunk);
      if (!res.write(chunk) && !ctrl.paused) {
        ctrl.pause();
        res.once('drain', () => ctrl.resume());
      }
    },
    onResponseEnd() {
      res.end();
      finish();
    },
    onResponseError(_ctrl, error) {
      if (!res.headersSent && !res.destroyed) {
        const unread = body !== null && !req.complete;
        if (body !== null) req.unpipe(body);
        outcome = { ...outcome, proxyStatus: answerFailure(res, error, unread) };
      } else {
        res.destroy(error);
      }
      finish(`${errorCode(error)}: ${error.message}`);
    },
  };

  dispatcher.dispatch(
    {
      path,
      method: req.method ?? 'GET',
      headers: [...job.headers],
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
    handler,
  );
}
