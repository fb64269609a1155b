/**
 * Checking that a document is HAR before importing it: JSON, a `log` with an `entries` array, and
 * every entry holding what a capture record needs, of the right types. Fields a record can do
 * without (timings, sizes, header lists) may be missing, since tools differ in what they write;
 * a field that is present with the wrong type is a mistake. All problems are reported at once
 * (up to a limit), each with its place: `log.entries[3].request.url`.
 */
import { UnderstudyError, messageOf, type Problem } from '../shared/errors.js';
import type { HarContent, HarNameValue, HarPostData, HarTimings } from './har-types.js';

/** An entry as checked: what the import relies on is there; the rest may be missing. */
export interface HarEntryShape {
  readonly pageref?: string;
  readonly startedDateTime: string;
  readonly time?: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly httpVersion?: string;
    readonly headers?: readonly HarNameValue[];
    readonly postData?: HarPostData;
    readonly bodySize?: number;
  };
  readonly response: {
    readonly status: number;
    readonly statusText?: string;
    readonly headers?: readonly HarNameValue[];
    readonly content?: Partial<HarContent>;
    readonly bodySize?: number;
    readonly _error?: string;
  };
  readonly timings?: Partial<HarTimings>;
  readonly _id?: string;
  readonly _session?: string;
  readonly _redactions?: readonly { where: string; rule: string; count: number }[];
}

export interface HarShape {
  readonly log: {
    readonly creator?: { readonly name?: string; readonly version?: string };
    readonly entries: readonly HarEntryShape[];
  };
}

/** Problems listed before the rest are only counted. */
const MAX_PROBLEMS = 20;

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** Parses `text` as HAR, or throws E_INPUT saying what is wrong and where. */
export function checkHar(text: string, file: string): HarShape {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw notHar(file, `it is not JSON (${messageOf(error)})`);
  }
  const log = isObject(doc) ? doc.log : undefined;
  if (!isObject(log)) throw notHar(file, 'it has no "log" object');
  if (!Array.isArray(log.entries)) throw notHar(file, 'it has no "log.entries" array');
  const problems: Problem[] = [];
  let count = 0;
  const problem = (path: string, message: string): void => {
    count++;
    if (problems.length < MAX_PROBLEMS) problems.push({ path, message });
  };
  log.entries.forEach((entry: unknown, index) =>
    checkEntry(entry, `log.entries[${index}]`, problem),
  );
  if (count > 0) {
    const more = count > problems.length ? ` (the first ${problems.length} are listed)` : '';
    throw new UnderstudyError(
      'E_INPUT',
      `${file} is not a usable HAR file: ${count} ${count === 1 ? 'problem' : 'problems'} in its entries${more}`,
      { problems, hint: 'export the HAR again from its tool; Understudy reads HAR 1.2' },
    );
  }
  return doc as HarShape;
}

function checkEntry(
  entry: unknown,
  at: string,
  problem: (path: string, message: string) => void,
): void {
  if (!isObject(entry)) return problem(at, 'is not an object');
  const need = (value: unknown, path: string, kind: Kind, required: boolean): boolean => {
    if (value === undefined) {
      if (required) problem(path, 'is missing');
      return false;
    }
    if (kindOf(value) !== kind) {
      problem(
        path,
        `must be ${kind === 'array' || kind === 'object' ? 'an' : 'a'} ${kind}, not ${kindOf(value)}`,
      );
      return false;
    }
    return true;
  };
  if (need(entry.startedDateTime, `${at}.startedDateTime`, 'string', true)) {
    if (Number.isNaN(Date.parse(entry.startedDateTime as string))) {
      problem(`${at}.startedDateTime`, 'is not an ISO 8601 date-time');
    }
  }
  need(entry.time, `${at}.time`, 'number', false);
  need(entry.pageref, `${at}.pageref`, 'string', false);
  need(entry._id, `${at}._id`, 'string', false);
  need(entry._session, `${at}._session`, 'string', false);
  const request = entry.request;
  if (need(request, `${at}.request`, 'object', true) && isObject(request)) {
    need(request.method, `${at}.request.method`, 'string', true);
    if (
      need(request.url, `${at}.request.url`, 'string', true) &&
      !URL.canParse(request.url as string)
    ) {
      problem(`${at}.request.url`, 'is not an absolute URL');
    }
    need(request.httpVersion, `${at}.request.httpVersion`, 'string', false);
    need(request.bodySize, `${at}.request.bodySize`, 'number', false);
    checkHeaders(request.headers, `${at}.request.headers`, need, problem);
    const post = request.postData;
    if (need(post, `${at}.request.postData`, 'object', false) && isObject(post)) {
      need(post.mimeType, `${at}.request.postData.mimeType`, 'string', true);
      need(post.text, `${at}.request.postData.text`, 'string', false);
      if (need(post.params, `${at}.request.postData.params`, 'array', false)) {
        checkHeaders(post.params, `${at}.request.postData.params`, need, problem);
      }
    }
  }
  const response = entry.response;
  if (need(response, `${at}.response`, 'object', true) && isObject(response)) {
    need(response.status, `${at}.response.status`, 'number', true);
    need(response.statusText, `${at}.response.statusText`, 'string', false);
    need(response.bodySize, `${at}.response.bodySize`, 'number', false);
    need(response._error, `${at}.response._error`, 'string', false);
    checkHeaders(response.headers, `${at}.response.headers`, need, problem);
    const content = response.content;
    if (need(content, `${at}.response.content`, 'object', false) && isObject(content)) {
      need(content.text, `${at}.response.content.text`, 'string', false);
      need(content.size, `${at}.response.content.size`, 'number', false);
      need(content.mimeType, `${at}.response.content.mimeType`, 'string', false);
      need(content.encoding, `${at}.response.content.encoding`, 'string', false);
    }
  }
  const timings = entry.timings;
  if (need(timings, `${at}.timings`, 'object', false) && isObject(timings)) {
    for (const phase of ['blocked', 'dns', 'connect', 'send', 'wait', 'receive', 'ssl']) {
      need(timings[phase], `${at}.timings.${phase}`, 'number', false);
    }
  }
  if (need(entry._redactions, `${at}._redactions`, 'array', false)) {
    (entry._redactions as unknown[]).forEach((r, i) => {
      const path = `${at}._redactions[${i}]`;
      if (!isObject(r)) return problem(path, 'is not an object');
      need(r.where, `${path}.where`, 'string', true);
      need(r.rule, `${path}.rule`, 'string', true);
      need(r.count, `${path}.count`, 'number', true);
    });
  }
}

function checkHeaders(
  headers: unknown,
  at: string,
  need: (value: unknown, path: string, kind: Kind, required: boolean) => boolean,
  problem: (path: string, message: string) => void,
): void {
  if (!need(headers, at, 'array', false)) return;
  (headers as unknown[]).forEach((h, i) => {
    if (!isObject(h)) return problem(`${at}[${i}]`, 'is not an object');
    need(h.name, `${at}[${i}].name`, 'string', true);
    need(h.value, `${at}[${i}].value`, 'string', true);
  });
}

function notHar(file: string, why: string): UnderstudyError {
  return new UnderstudyError('E_INPUT', `${file} is not a HAR file: ${why}`, {
    hint: 'pass a HAR 1.2 file, as saved by a browser ("Save all as HAR"), mitmproxy or k6',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}
