/**
 * Redaction of bodies, by what they are: JSON (on the text, see redact-json.ts), form bodies
 * (as parameters), multipart forms (part by part), anything else as free text. Binary bodies are
 * searched too, byte for byte through a latin1 view, so a token in an octet stream is found.
 */
import type { CapturedBody } from './capture-format.js';
import { isSecretName, tokenize, type RedactContext } from './redact-context.js';
import { redactJson, type JsonPathSteps } from './redact-json.js';
import { redactParams, type NameSet } from './redact-params.js';
import { redactFreeText, redactText } from './redact-text.js';

/** What the configuration adds for bodies. */
export interface BodyRules {
  readonly json: readonly JsonPathSteps[];
  /** Parameter names (lower-case) redacted in query strings and in form bodies alike. */
  readonly query: NameSet;
}

/**
 * Redacts one body; `side` is `request` (reported as `body:$.password`, `form:password`,
 * `body:text`) or `response` (`response.body:…`, `response.form:…`).
 */
export function redactBody(
  body: CapturedBody,
  contentType: string | undefined,
  ctx: RedactContext,
  side: 'request' | 'response',
  rules: BodyRules,
): CapturedBody {
  if (body.data === '') return body;
  const prefix = side === 'response' ? 'response.' : '';
  const type = contentType ?? '';
  if (body.encoding === 'base64') {
    const view = Buffer.from(body.data, 'base64').toString('latin1');
    const redacted = redactString(view, type, ctx, prefix, rules);
    return redacted === view
      ? body
      : { ...body, data: Buffer.from(redacted, 'latin1').toString('base64') };
  }
  const redacted = redactString(body.data, type, ctx, prefix, rules);
  return redacted === body.data ? body : { ...body, data: redacted };
}

function redactString(
  text: string,
  type: string,
  ctx: RedactContext,
  prefix: string,
  rules: BodyRules,
): string {
  // The type's name is case-insensitive, a multipart boundary is not.
  const lower = type.toLowerCase();
  if (lower.includes('json') || (type === '' && /^\s*[[{]/.test(text))) {
    const json = redactJson(text, ctx, `${prefix}body`, rules.json);
    if (json !== undefined) return json;
  }
  if (lower.startsWith('application/x-www-form-urlencoded')) {
    return redactParams(text, ctx, rules.query, 'config:query', (name) => `${prefix}form:${name}`);
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (lower.startsWith('multipart/') && boundary !== null) {
    return redactMultipart(text, boundary[1] ?? boundary[2]!, ctx, prefix, rules);
  }
  return redactFreeText(text, ctx, `${prefix}body:text`);
}

/** Multipart forms: a field with a secret-sounding name becomes a token, any other part is searched. */
function redactMultipart(
  text: string,
  boundary: string,
  ctx: RedactContext,
  prefix: string,
  rules: BodyRules,
): string {
  const delimiter = `--${boundary}`;
  return text
    .split(delimiter)
    .map((part, i) => {
      if (i === 0) return redactFreeText(part, ctx, `${prefix}body:text`);
      const headerEnd = part.indexOf('\r\n\r\n');
      if (headerEnd < 0) return redactFreeText(part, ctx, `${prefix}body:text`);
      const rawHead = part.slice(0, headerEnd + 4);
      const name = /\bname="([^"]*)"/i.exec(rawHead)?.[1];
      const isFile = /\bfilename\*?=/i.test(rawHead);
      let content = part.slice(headerEnd + 4);
      const ending = /\r\n$/.exec(content)?.[0] ?? '';
      content = content.slice(0, content.length - ending.length);
      const where = name === undefined ? `${prefix}body:text` : `${prefix}form:${name}`;
      // A file name can be an e-mail address too.
      const head = redactText(rawHead, ctx, where);
      if (
        name !== undefined &&
        !isFile &&
        (rules.query.has(name.toLowerCase()) || isSecretName(name))
      ) {
        const token = tokenize(content, ctx);
        if (token !== content)
          ctx.note(
            where,
            rules.query.has(name.toLowerCase()) ? 'config:query' : 'default:secret-field',
          );
        return `${head}${token}${ending}`;
      }
      return `${head}${redactFreeText(content, ctx, where)}${ending}`;
    })
    .join(delimiter);
}
