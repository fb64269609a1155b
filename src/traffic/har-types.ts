/**
 * HAR 1.2 (the HTTP Archive format browsers, mitmproxy and k6 read and write), as far as
 * Understudy reads and writes it. Fields starting with `_` are custom fields, which the spec
 * allows anywhere: Understudy adds `_id`, `_session`, `_redactions`, `_error`, `_truncated` and
 * `_encoding` (of a request body) so a capture survives a trip through HAR unchanged.
 */

export interface HarNameValue {
  readonly name: string;
  readonly value: string;
}

export interface HarCookie extends HarNameValue {
  readonly path?: string;
  readonly domain?: string;
  readonly expires?: string;
  readonly httpOnly?: boolean;
  readonly secure?: boolean;
}

export interface HarPostData {
  readonly mimeType: string;
  readonly text?: string;
  readonly params?: readonly (HarNameValue & { fileName?: string; contentType?: string })[];
  /** Understudy: `base64` when `text` holds a binary body in base64 (HAR has no field for it). */
  readonly _encoding?: string;
  readonly _truncated?: boolean;
}

export interface HarContent {
  readonly size: number;
  readonly compression?: number;
  readonly mimeType: string;
  readonly text?: string;
  readonly encoding?: string;
  readonly _truncated?: boolean;
}

export interface HarRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly cookies: readonly HarCookie[];
  readonly headers: readonly HarNameValue[];
  readonly queryString: readonly HarNameValue[];
  readonly postData?: HarPostData;
  readonly headersSize: number;
  readonly bodySize: number;
}

export interface HarResponse {
  readonly status: number;
  readonly statusText: string;
  readonly httpVersion: string;
  readonly cookies: readonly HarCookie[];
  readonly headers: readonly HarNameValue[];
  readonly content: HarContent;
  readonly redirectURL: string;
  readonly headersSize: number;
  readonly bodySize: number;
  /** A request that got no answer (as browsers write it, with status 0). */
  readonly _error?: string;
}

export interface HarTimings {
  readonly blocked?: number;
  readonly dns?: number;
  readonly connect?: number;
  readonly send: number;
  readonly wait: number;
  readonly receive: number;
  readonly ssl?: number;
}

export interface HarEntry {
  readonly pageref?: string;
  readonly startedDateTime: string;
  readonly time: number;
  readonly request: HarRequest;
  readonly response: HarResponse;
  readonly cache: Record<string, never>;
  readonly timings: HarTimings;
  readonly _id?: string;
  readonly _session?: string;
  readonly _redactions?: readonly { where: string; rule: string; count: number }[];
}

export interface HarPage {
  readonly startedDateTime: string;
  readonly id: string;
  readonly title: string;
  readonly pageTimings: { readonly onContentLoad?: number; readonly onLoad?: number };
}

export interface HarLog {
  readonly version: string;
  readonly creator: { readonly name: string; readonly version: string };
  readonly browser?: { readonly name: string; readonly version: string };
  readonly pages?: readonly HarPage[];
  readonly entries: readonly HarEntry[];
}

export interface Har {
  readonly log: HarLog;
}
