/**
 * HAR 1.2 → capture records, so traffic saved by a browser, mitmproxy or k6 can be replayed like
 * a recording. A file that is not HAR is refused as a whole (E_INPUT, naming what is wrong and
 * where) rather than imported in part. Every record passes through the redactor before it is
 * returned: an imported HAR holds the same credentials a recording would, and gets the same
 * treatment before anything reaches disk.
 *
 * Sessions (the replayer keeps order within one, runs different ones concurrently): by default a
 * whole HAR is one session — it is usually one browser, and its pages depend on each other (a
 * login, then its use). `sessions: 'page'` makes each HAR page its own session, for HARs whose
 * pages are independent. An entry that carries Understudy's `_session` (a capture exported to
 * HAR) keeps it, and `_id` likewise, so a capture survives the round trip unchanged.
 */
import type { CaptureRecord, CapturedResponse, Redaction } from './capture-format.js';
import { capBody, formText, toCapturedBody } from './har-body.js';
import { checkHar, type HarEntryShape } from './har-validate.js';

export interface HarImportOptions {
  /** Applied to every record: redaction, as at capture (`createRedactor` from redact.ts). */
  readonly redact: (record: CaptureRecord) => CaptureRecord;
  /** Bodies beyond this many bytes are cut and marked truncated. */
  readonly maxBodyBytes: number;
  /** One session per HAR (`file`, the default) or per HAR page (`page`). */
  readonly sessions?: 'file' | 'page';
  /** Only entries whose URL has one of these origins (`https://shop.example.com`); all when empty. */
  readonly origins?: readonly string[];
}

export interface HarImport {
  readonly records: CaptureRecord[];
  /** Entries left out because their origin was not asked for. */
  readonly skipped: number;
  /** The one origin every record came from, when there is one (for the capture header). */
  readonly upstream: string | undefined;
  /** Who wrote the HAR (`creator` name and version). */
  readonly creator: string;
  /** Things worth knowing that did not stop the import (bodies cut, content left out). */
  readonly notes: string[];
}

/** The session of every entry of a HAR imported as one session. */
export const HAR_FILE_SESSION = 'har';

/** Parses and converts a HAR document; `file` names it in error messages. */
export function importHar(text: string, file: string, options: HarImportOptions): HarImport {
  const har = checkHar(text, file);
  const origins = new Set((options.origins ?? []).map((o) => new URL(o).origin));
  const records: CaptureRecord[] = [];
  const seenOrigins = new Set<string>();
  let skipped = 0;
  let cut = 0;
  let missing = 0;
  har.log.entries.forEach((entry, index) => {
    const url = new URL(entry.request.url);
    if (origins.size > 0 && !origins.has(url.origin)) {
      skipped++;
      return;
    }
    seenOrigins.add(url.origin);
    const record = capBodies(
      options.redact(toRecord(entry, index, url, options)),
      options.maxBodyBytes,
    );
    for (const body of [record.request.body, record.response?.body]) {
      if (body?.truncated === true) {
        if (body.data === '' && body.size > 0) missing++;
        else cut++;
      }
    }
    records.push(record);
  });
  const notes: string[] = [];
  if (cut > 0) notes.push(`${cut} bodies longer than ${options.maxBodyBytes} bytes were cut`);
  if (missing > 0) {
    notes.push(
      `${missing} bodies were left out of the HAR; they are kept as truncated and never compared`,
    );
  }
  const creator = har.log.creator;
  return {
    records,
    skipped,
    upstream: seenOrigins.size === 1 ? [...seenOrigins][0] : undefined,
    creator: `${creator?.name ?? 'unknown'} ${creator?.version ?? ''}`.trim(),
    notes,
  };
}

function toRecord(
  entry: HarEntryShape,
  index: number,
  url: URL,
  options: Pick<HarImportOptions, 'sessions'>,
): CaptureRecord {
  const requestHeaders = headerList(entry.request.headers ?? []);
  if (!requestHeaders.some(([name]) => name === 'host')) requestHeaders.unshift(['host', url.host]);
  const post = entry.request.postData;
  const postText = post === undefined ? undefined : (post.text ?? formText(post));
  const requestBody =
    post === undefined
      ? undefined
      : toCapturedBody({
          text: postText,
          base64: post._encoding === 'base64',
          contentType: header(requestHeaders, 'content-type') ?? post.mimeType,
          wireSize: entry.request.bodySize ?? -1,
          truncated: post._truncated === true,
        });
  const response = toResponse(entry);
  const timings = entry.timings ?? {};
  const phases = [timings.blocked, timings.dns, timings.connect, timings.send, timings.wait];
  const ttfb = phases.reduce<number>((sum, t) => sum + Math.max(0, t ?? 0), 0);
  const record: CaptureRecord = {
    type: 'exchange',
    id: entry._id ?? `har-${index + 1}`,
    session:
      entry._session ??
      (options.sessions === 'page' && entry.pageref !== undefined
        ? entry.pageref
        : HAR_FILE_SESSION),
    startedAt: new Date(entry.startedDateTime).toISOString(),
    durationMs: Math.max(0, entry.time ?? ttfb + Math.max(0, timings.receive ?? 0)),
    ...(response === undefined || entry.timings === undefined ? {} : { ttfbMs: ttfb }),
    request: {
      method: entry.request.method.toUpperCase(),
      url: `${url.pathname}${url.search}`,
      httpVersion: httpVersion(entry.request.httpVersion),
      headers: requestHeaders,
      ...(requestBody === undefined ? {} : { body: requestBody }),
    },
    ...(response === undefined
      ? { error: entry.response._error ?? 'no response (status 0 in the HAR)' }
      : { response }),
    redactions: (entry._redactions ?? []).map((r): Redaction => ({ ...r })),
  };
  return record;
}

/** The record with both bodies cut at the cap (after redaction, which saw them whole). */
function capBodies(record: CaptureRecord, maxBodyBytes: number): CaptureRecord {
  const { request, response } = record;
  return {
    ...record,
    request:
      request.body === undefined
        ? request
        : { ...request, body: capBody(request.body, maxBodyBytes) },
    ...(response?.body === undefined
      ? {}
      : { response: { ...response, body: capBody(response.body, maxBodyBytes) } }),
  };
}

function toResponse(entry: HarEntryShape): CapturedResponse | undefined {
  const res = entry.response;
  // Browsers write a request that got no answer (blocked, offline, cancelled) with status 0.
  if (res.status === 0) return undefined;
  const headers = headerList(res.headers ?? []);
  const content = res.content;
  const body =
    content === undefined
      ? undefined
      : toCapturedBody({
          text: content.text,
          base64: content.encoding === 'base64',
          contentType: header(headers, 'content-type') ?? content.mimeType,
          wireSize: (res.bodySize ?? -1) > 0 ? (res.bodySize ?? -1) : (content.size ?? -1),
          truncated: content._truncated === true,
        });
  return {
    status: res.status,
    ...(res.statusText === undefined || res.statusText === ''
      ? {}
      : { statusText: res.statusText }),
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

/** HAR headers as a capture's header list: lower-case names; HTTP/2 pseudo-headers left out. */
function headerList(headers: readonly { name: string; value: string }[]): [string, string][] {
  return headers
    .filter((h) => !h.name.startsWith(':'))
    .map((h): [string, string] => [h.name.toLowerCase(), h.value]);
}

function header(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1];
}

/** `HTTP/1.1` → `1.1`, `h2` and `HTTP/2.0` → `2`, as Node reports versions; unknown → `1.1`. */
function httpVersion(version: string | undefined): string {
  const v = (version ?? '').trim().toLowerCase();
  if (v === 'h2' || v === 'http/2' || v === 'http/2.0') return '2';
  if (v === 'h3' || v === 'http/3' || v === 'http/3.0') return '3';
  const match = /^http\/(\d\.\d)$/.exec(v);
  return match?.[1] ?? '1.1';
}
