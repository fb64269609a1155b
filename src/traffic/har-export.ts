/**
 * Capture records → HAR 1.2, so a recording can be opened in a browser's network panel or any
 * HAR tool. Written as a stream, one entry per line, so a capture of any size exports in flat
 * memory; the document is valid HAR 1.2 with every required field. Understudy's own fields
 * (`_id`, `_session`, `_redactions`, `_error`, `_truncated`, `_encoding`) let `traffic import`
 * read the file back into the same records. Bodies are already redacted; nothing is added.
 */
import type {
  CaptureRecord,
  CapturedBody,
  CapturedResponse,
  HeaderList,
} from './capture-format.js';
import type {
  HarContent,
  HarCookie,
  HarEntry,
  HarNameValue,
  HarPostData,
  HarResponse,
} from './har-types.js';

export interface HarExportOptions {
  /** Understudy's version, for `log.creator`. */
  readonly version: string;
}

/**
 * The HAR entry of a record. URLs are absolute: the record's Host header with the scheme of
 * `origin` (the capture's upstream), or `origin` itself when the record has no Host header.
 */
export function toHarEntry(record: CaptureRecord, origin: string | undefined): HarEntry {
  const base = new URL(origin ?? 'http://localhost');
  const host = headerValue(record.request.headers, 'host');
  const url = new URL(
    record.request.url,
    host === undefined ? base.origin : `${base.protocol}//${host}`,
  );
  const request = record.request;
  const duration = Math.max(0, record.durationMs);
  const wait = Math.min(duration, Math.max(0, record.ttfbMs ?? duration));
  return {
    startedDateTime: record.startedAt,
    time: duration,
    request: {
      method: request.method,
      url: url.href,
      httpVersion: `HTTP/${request.httpVersion}`,
      cookies: requestCookies(request.headers),
      headers: nameValues(request.headers),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(request.body === undefined ? {} : { postData: postData(request.body, request.headers) }),
      headersSize: -1,
      bodySize: request.body?.size ?? 0,
    },
    response:
      record.response === undefined
        ? noResponse(record.error)
        : response(record.response, request.httpVersion),
    cache: {},
    timings: {
      blocked: -1,
      dns: -1,
      connect: -1,
      send: 0,
      wait,
      receive: duration - wait,
      ssl: -1,
    },
    _id: record.id,
    _session: record.session,
    ...(record.redactions.length === 0 ? {} : { _redactions: record.redactions }),
  };
}

/**
 * Writes a HAR 1.2 document of `records` through `write`, one entry per line; `originOf` gives
 * the origin for each record (see {@link toHarEntry}). Returns how many entries it wrote.
 */
export async function writeHar(
  records: AsyncIterable<CaptureRecord> | Iterable<CaptureRecord>,
  write: (text: string) => void | Promise<void>,
  originOf: () => string | undefined,
  options: HarExportOptions,
): Promise<number> {
  const creator = JSON.stringify({ name: 'Understudy', version: options.version });
  await write(`{\n  "log": {\n    "version": "1.2",\n    "creator": ${creator},\n    "entries": [`);
  let count = 0;
  for await (const record of records) {
    await write(
      `${count === 0 ? '\n' : ',\n'}      ${JSON.stringify(toHarEntry(record, originOf()))}`,
    );
    count++;
  }
  await write(`${count === 0 ? '' : '\n    '}]\n  }\n}\n`);
  return count;
}

function response(res: CapturedResponse, httpVersion: string): HarResponse {
  const type = headerValue(res.headers, 'content-type') ?? '';
  return {
    status: res.status,
    statusText: res.statusText ?? '',
    httpVersion: `HTTP/${httpVersion}`,
    cookies: responseCookies(res.headers),
    headers: nameValues(res.headers),
    content: content(res.body, type),
    redirectURL: headerValue(res.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: res.body?.size ?? 0,
  };
}

/** A request that got no answer, written as browsers write one (status 0) with the reason. */
function noResponse(error: string | undefined): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: 'x-unknown' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
    _error: error ?? 'no response',
  };
}

function content(body: CapturedBody | undefined, mimeType: string): HarContent {
  if (body === undefined) return { size: 0, mimeType };
  const bytes = Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8');
  return {
    // The decoded length; for a cut body only the full size on the wire is known.
    size: body.truncated ? body.size : bytes.length,
    mimeType,
    text: body.data,
    ...(body.encoding === 'base64' ? { encoding: 'base64' } : {}),
    ...(body.truncated ? { _truncated: true } : {}),
  };
}

function postData(body: CapturedBody, headers: HeaderList): HarPostData {
  return {
    mimeType: headerValue(headers, 'content-type') ?? '',
    text: body.data,
    ...(body.encoding === 'base64' ? { _encoding: 'base64' } : {}),
    ...(body.truncated ? { _truncated: true } : {}),
  };
}

function nameValues(headers: HeaderList): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function headerValue(headers: HeaderList, name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1];
}

/** The cookies of the Cookie headers: `a=1; b=2`. */
function requestCookies(headers: HeaderList): HarCookie[] {
  return headers
    .filter(([name]) => name === 'cookie')
    .flatMap(([, value]) => value.split(';'))
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0
        ? { name: pair, value: '' }
        : { name: pair.slice(0, at), value: pair.slice(at + 1) };
    });
}

/** The cookies each Set-Cookie header sets, with the attributes HAR has fields for. */
function responseCookies(headers: HeaderList): HarCookie[] {
  return headers
    .filter(([name]) => name === 'set-cookie')
    .map(([, value]) => {
      const [pair = '', ...attributes] = value.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const cookie: { -readonly [K in keyof HarCookie]: HarCookie[K] } = {
        name: at < 0 ? pair : pair.slice(0, at),
        value: at < 0 ? '' : pair.slice(at + 1),
      };
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const text = rest.join('=');
        switch (key.toLowerCase()) {
          case 'path':
            cookie.path = text;
            break;
          case 'domain':
            cookie.domain = text;
            break;
          case 'expires': {
            const date = new Date(text);
            if (!Number.isNaN(date.getTime())) cookie.expires = date.toISOString();
            break;
          }
          case 'httponly':
            cookie.httpOnly = true;
            break;
          case 'secure':
            cookie.secure = true;
            break;
        }
      }
      return cookie;
    });
}
