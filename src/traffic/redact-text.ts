/**
 * Redaction inside free text: JWTs, well-known API keys, e-mail addresses and payment card
 * numbers wherever they occur (header values, URL parts, JSON strings, text bodies), and
 * `password=…`-style assignments in text that is not a structure Understudy parses.
 */
import { isEmail, isPaymentCard } from '../data/scan-values.js';
import { tokenize, type RedactContext } from './redact-context.js';
import { isToken, TOKEN_EMAIL_DOMAIN } from './redact-token.js';

// One pass finds every candidate; each alternative has its own boundaries.
const candidates = new RegExp(
  [
    /(?<![\w-])(eyJ[\w-]{8,}\.[\w-]{4,}\.[\w-]*)/.source,
    /(?<![\w-])((?:sk|pk|rk)_(?:live|test)_\w{8,}|gh[pousr]_\w{20,}|github_pat_\w{20,}|xox[abprs]-[\w-]{10,}|AKIA[0-9A-Z]{16})(?![\w-])/
      .source,
    // The look-behind makes each run of local-part characters one attempt, not one per character.
    /(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]*[A-Za-z0-9_%+-](?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/
      .source,
    // Whole runs only: digits inside a UUID or another hex or word token are never a card.
    /(?<![\w-])(\d(?:[ -]?\d){12,})(?![\w-])/.source,
  ].join('|'),
  'g',
);

/** Where a redaction happened, or how to say it when one does (computed only then). */
export type Where = string | (() => string);

/** Redacts JWTs, API keys, e-mails and Luhn-valid card numbers inside `text`. */
export function redactText(text: string, ctx: RedactContext, at: Where): string {
  if (text.length < 6) return text;
  // Most text holds nothing to redact: one test is cheaper than a replace with a callback.
  candidates.lastIndex = 0;
  if (!candidates.test(text)) return text;
  candidates.lastIndex = 0;
  let named: string | undefined;
  const where = (): string => (named ??= typeof at === 'string' ? at : at());
  return text.replace(
    candidates,
    (whole, jwt?: string, apiKey?: string, email?: string, digits?: string) => {
      if (jwt !== undefined) {
        ctx.note(where(), 'default:jwt');
        return ctx.token(jwt);
      }
      if (apiKey !== undefined) {
        ctx.note(where(), 'default:api-key');
        return ctx.token(apiKey);
      }
      if (email !== undefined) {
        if (isToken(email) || email.endsWith(`@${TOKEN_EMAIL_DOMAIN}`)) return whole;
        const plain = email.replace('%40', '@');
        if (!isEmail(plain)) return whole;
        ctx.note(where(), 'default:email');
        return ctx.token(plain);
      }
      if (digits !== undefined) return redactCards(digits, ctx, where);
      return whole;
    },
  );
}

/**
 * Finds card numbers in a run of digit groups (`2 4111 1111 1111 1111` holds one that starts at
 * the second group): every span of whole groups with 13–19 digits is checked, longest first.
 */
function redactCards(run: string, ctx: RedactContext, where: () => string): string {
  const groups = run.split(/([ -])/);
  // groups: digits, separator, digits, … — work on the digit groups' indexes.
  const out: string[] = [];
  let i = 0;
  while (i < groups.length) {
    let found = -1;
    let digits = 0;
    for (let j = i; j < groups.length; j += 2) {
      digits += groups[j]!.length;
      if (digits > 19) break;
      if (digits >= 13 && isPaymentCard(groups.slice(i, j + 1).join(''))) found = j;
    }
    if (found >= 0) {
      ctx.note(where(), 'default:card');
      out.push(ctx.token(groups.slice(i, found + 1).join('')));
      i = found + 1;
    } else {
      out.push(groups[i]!);
      i += 1;
    }
    if (i < groups.length && i % 2 === 1) out.push(groups[i++]!);
  }
  return out.join('');
}

const secretWord =
  '(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential)';
// A name, then `=` or `:` (maybe quoted around), then a quoted value (perhaps cut off by the
// body cap: no closing quote) or a bare one.
const assignment = new RegExp(
  `(?<![\\w.-])([\\w.-]*${secretWord}[\\w.-]*)(["']?\\s*[:=]\\s*)(?:"([^"]*)("|$)|'([^']*)('|$)|([^\\s"'&,;<>{}\\[\\]]+))`,
  'gi',
);
const element = new RegExp(`<([\\w:.-]*${secretWord}[\\w:.-]*)(\\s[^>]*)?>([^<]+)</\\1>`, 'gi');

/**
 * Redacts values assigned to secret-sounding names in unstructured text: `password=…`,
 * `"api_key": "…"`, `token: …`, `<password>…</password>`; then everything {@link redactText} finds.
 */
export function redactFreeText(text: string, ctx: RedactContext, where: string): string {
  const assigned = text
    .replace(
      assignment,
      (
        whole,
        name: string,
        between: string,
        dq?: string,
        dqEnd?: string,
        sq?: string,
        sqEnd?: string,
        bare?: string,
      ) => {
        const value = dq ?? sq ?? bare ?? '';
        if (value === '' || isToken(value)) return whole;
        ctx.note(where, 'default:secret-field');
        const open = dq !== undefined ? '"' : sq !== undefined ? "'" : '';
        return `${name}${between}${open}${tokenize(value, ctx)}${dqEnd ?? sqEnd ?? ''}`;
      },
    )
    .replace(element, (whole, name: string, attributes: string | undefined, value: string) => {
      if (isToken(value.trim())) return whole;
      ctx.note(where, 'default:secret-field');
      return `<${name}${attributes ?? ''}>${tokenize(value, ctx)}</${name}>`;
    });
  return redactText(assigned, ctx, where);
}
