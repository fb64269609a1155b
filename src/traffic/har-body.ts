/**
 * Bodies between HAR and the capture format. HAR keeps text bodies as text and binary ones in
 * base64 (responses only); a capture keeps text as `utf8` and everything else as `base64`, cut at
 * the body cap. Which one a body is follows its content type, so the same body always lands the
 * same way whichever tool wrote the HAR.
 */
import { isUtf8 } from 'node:buffer';
import type { CapturedBody } from './capture-format.js';
import type { HarPostData } from './har-types.js';

const textTypes =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|csv)\b)|^multipart\/form-data\b/;

/** Whether a content type is text a person (and the differ) can read. */
export function isTextType(contentType: string | undefined): boolean {
  return textTypes.test((contentType ?? '').trim().toLowerCase());
}

/** A body as HAR gives it: text, maybe base64, the size it had on the wire, and a cut flag. */
export interface HarBodyInput {
  readonly text: string | undefined;
  readonly base64: boolean;
  readonly contentType: string | undefined;
  /** Bytes on the wire; 0 or less when the HAR does not say. */
  readonly wireSize: number;
  /** The HAR itself says the text is incomplete (Understudy's `_truncated`). */
  readonly truncated: boolean;
}

/** The captured body for a HAR body, whole (see {@link capBody}); undefined for no body at all. */
export function toCapturedBody(input: HarBodyInput): CapturedBody | undefined {
  const bytes = Buffer.from(input.text ?? '', input.base64 ? 'base64' : 'utf8');
  // A HAR that left the content out (browsers do for some responses) still says a body was there:
  // kept as truncated, so the replayer never compares it.
  const missing = input.text === undefined && input.wireSize > 0;
  const truncated = input.truncated || missing;
  if (bytes.length === 0 && !truncated) return undefined;
  const textual =
    (input.contentType === undefined || input.contentType === ''
      ? bytes.length > 0
      : isTextType(input.contentType)) && isUtf8(bytes);
  return {
    encoding: textual ? 'utf8' : 'base64',
    data: bytes.toString(textual ? 'utf8' : 'base64'),
    size: input.wireSize > 0 ? input.wireSize : bytes.length,
    truncated,
  };
}

/**
 * A body cut to at most `maxBodyBytes` (text at a character boundary) and marked truncated.
 * Applied after redaction: a secret cut in half before it would no longer be recognised.
 */
export function capBody(body: CapturedBody, maxBodyBytes: number): CapturedBody {
  const encoding = body.encoding === 'base64' ? 'base64' : 'utf8';
  if (encoding === 'utf8' && Buffer.byteLength(body.data) <= maxBodyBytes) return body;
  const bytes = Buffer.from(body.data, encoding);
  if (bytes.length <= maxBodyBytes) return body;
  let end = maxBodyBytes;
  // UTF-8 continuation bytes look like 10xxxxxx: step back to the start of their character.
  while (encoding === 'utf8' && end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { ...body, data: bytes.subarray(0, end).toString(encoding), truncated: true };
}

/**
 * A request body rebuilt from HAR `params` when the HAR kept no `text` (some tools do this for
 * forms): URL-encoded, or multipart with the boundary from the content type.
 */
export function formText(postData: HarPostData): string | undefined {
  const params = postData.params ?? [];
  if (params.length === 0) return undefined;
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(postData.mimeType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (/^multipart\/form-data/i.test(postData.mimeType) && mark !== undefined) {
    const parts = params.map((p) => {
      const file = p.fileName === undefined ? '' : `; filename="${p.fileName}"`;
      const type = p.contentType === undefined ? '' : `\r\nContent-Type: ${p.contentType}`;
      return `--${mark}\r\nContent-Disposition: form-data; name="${p.name}"${file}${type}\r\n\r\n${p.value}\r\n`;
    });
    return `${parts.join('')}--${mark}--\r\n`;
  }
  return new URLSearchParams(params.map((p): [string, string] => [p.name, p.value])).toString();
}
