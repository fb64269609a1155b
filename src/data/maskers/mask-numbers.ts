/**
 * Maskers for numbers people are identified by: phone, payment card, IBAN, IP address. All are
 * keyed bijections on the digits they change, so a unique column stays unique and the same
 * number masks the same way wherever it appears (joins still join).
 */
import { luhnCheckDigit, mod97, permuteIndex, permuteShape } from './format-preserving.js';
import type { MaskerContext, TextMasker } from './masker-context.js';

// Two-digit country calling codes; +1 and +7 are the one-digit ones, everything else has three.
const twoDigitCountryCodes = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

/** Length of the country code at `digits` (the digits after `+` or `00`). */
function countryCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1;
  return twoDigitCountryCodes.has(digits.slice(0, 2)) ? 2 : 3;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Index where the masked part of a phone number starts: after the country code and, when the
 * number is written in groups and enough digits remain, after the area code too
 * (`+49 30 1234567` keeps `+49 30 `).
 */
export function phoneKeptPrefix(text: string): number {
  let i = 0;
  while (i < text.length && !isDigit(text.charCodeAt(i)) && text[i] !== '+') i++;
  let kept = i;
  if (text[i] === '+' || text.startsWith('00', i)) {
    const start = text[i] === '+' ? i + 1 : i + 2;
    let end = start;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    const grouped = end < text.length;
    kept = start + (grouped ? end - start : countryCodeLength(text.slice(start, end)));
    if (grouped && end - start > 3) kept = start + countryCodeLength(text.slice(start, end));
  }
  // Area code: the next digit group, when it is followed by a separator and ≥ 6 digits remain.
  let a = kept;
  while (a < text.length && !isDigit(text.charCodeAt(a))) a++;
  let b = a;
  while (b < text.length && isDigit(text.charCodeAt(b))) b++;
  if (b > a && b < text.length && b - a <= 5) {
    let rest = 0;
    for (let j = b; j < text.length; j++) if (isDigit(text.charCodeAt(j))) rest++;
    if (rest >= 6) kept = b;
  }
  return kept;
}

/** Same country and area code, same length and punctuation; the subscriber digits permuted. */
export function createPhoneMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('phone');
  return (text) => {
    const kept = phoneKeptPrefix(text);
    return permuteShape(prf, text, prf.words(text.length, kept, 0), kept, text.length, (i) => {
      const c = text.charCodeAt(i);
      return !isDigit(c);
    });
  };
}

/**
 * Keeps the length, separators and first two digits (the card network: 4 Visa, 51–55 Mastercard,
 * 34/37 Amex…), permutes the account digits and recomputes the Luhn check digit.
 */
export function createPaymentCardMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('payment_card');
  return (text) => {
    let digits = '';
    for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) digits += text[i];
    if (digits.length < 4) return permuteShape(prf, text, 0);
    const body = permuteShape(prf, digits.slice(2, -1), digits.length);
    const payload = digits.slice(0, 2) + body;
    const masked = payload + String(luhnCheckDigit(payload));
    let out = '';
    let d = 0;
    for (let i = 0; i < text.length; i++)
      out += isDigit(text.charCodeAt(i)) ? masked[d++] : text[i];
    return out;
  };
}

/** Keeps the country and the spacing, permutes the account part (BBAN), fixes the mod-97 check. */
export function createIbanMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('iban');
  return (text) => {
    const compact = text.replace(/\s+/g, '');
    if (compact.length < 5 || !/^[A-Za-z]{2}/.test(compact)) return permuteShape(prf, text, 1);
    const country = compact.slice(0, 2).toUpperCase();
    const tweak = (country.charCodeAt(0) << 8) | country.charCodeAt(1);
    const bban = permuteShape(prf, compact.slice(4), tweak);
    const check = String(98 - mod97(bban + country + '00')).padStart(2, '0');
    const masked = compact.slice(0, 2) + check + bban;
    let out = '';
    let m = 0;
    for (let i = 0; i < text.length; i++) out += /\s/.test(text[i]!) ? text[i] : masked[m++];
    return out;
  };
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/**
 * IPv4 stays IPv4 (a bijection on the 32 bits, or on the network bits of a `cidr`), IPv6 stays
 * IPv6 (128 keyed bits); a `/prefix` suffix is kept.
 */
export function createIpAddressMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('ip_address');
  const isCidr = ctx.column.baseType === 'cidr';
  const words = new Uint32Array(4);
  return (text) => {
    const v4 = ipv4.exec(text);
    if (v4 !== null) {
      const address = ((+v4[1]! << 24) | (+v4[2]! << 16) | (+v4[3]! << 8) | +v4[4]!) >>> 0;
      const prefix = v4[5] === undefined ? 32 : Number(v4[5]);
      let masked: number;
      if (isCidr) {
        const hostBits = 32 - prefix;
        const network = Math.floor(address / 2 ** hostBits);
        masked = permuteIndex(prf, 2 ** prefix, network, 4) * 2 ** hostBits;
      } else masked = permuteIndex(prf, 2 ** 32, address, 4);
      const dotted = [masked >>> 24, (masked >>> 16) & 255, (masked >>> 8) & 255, masked & 255];
      return dotted.join('.') + (v4[5] === undefined ? '' : `/${v4[5]}`);
    }
    const slash = text.indexOf('/');
    const prefix = slash < 0 ? 128 : Number(text.slice(slash + 1));
    const address = slash < 0 ? text : text.slice(0, slash);
    prf.textWords(address, 6, words, 0);
    prf.textWords(address, 7, words, 2);
    const groups: string[] = [];
    for (let g = 0; g < 8; g++) {
      let value = (words[g >> 1]! >>> (g % 2 === 0 ? 16 : 0)) & 0xffff;
      // A cidr must have no bits set after its prefix.
      if (isCidr) {
        const keep = Math.min(16, Math.max(0, prefix - g * 16));
        value = keep === 0 ? 0 : value & ~((1 << (16 - keep)) - 1) & 0xffff;
      }
      groups.push(value.toString(16));
    }
    return groups.join(':') + (slash < 0 ? '' : text.slice(slash));
  };
}
