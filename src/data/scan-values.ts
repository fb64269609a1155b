/**
 * Value checks for the PII scan, pure: each says whether one sampled value (COPY text) has the
 * shape of a kind of personal or secret data. Checks with a checksum (Luhn, IBAN mod-97) or a
 * real parse (IPv4/IPv6, calendar dates) are preferred over bare patterns, because a value-only
 * finding rests on them alone.
 */

const emailPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const emailInside = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

/** A whole value that is one e-mail address. */
export function isEmail(value: string): boolean {
  return value.length <= 320 && emailPattern.test(value.trim());
}

/** Only phone characters, 7–15 digits, and at least one separator, `+` or parenthesis. */
export function isPhone(value: string): boolean {
  const v = value.trim();
  if (!/^\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?)\s*\d{1,5})?$/i.test(v)) return false;
  const digits = v.replace(/(?:x|ext\.?)\s*\d+$/i, '').replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  // A bare ISO date (2024-01-31) or a decimal is not a phone number.
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d+\.\d+$/.test(v)) return false;
  if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(v) || isIpv4(v)) return false;
  return /[\s().\-/+]/.test(v);
}

/** The Luhn checksum over the digits of `digits`. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** 13–19 digits (spaces or dashes allowed), a card network's first digit, Luhn-valid. */
export function isPaymentCard(value: string): boolean {
  const v = value.trim();
  if (!/^\d(?:[ -]?\d){12,18}$/.test(v)) return false;
  const digits = v.replace(/\D/g, '');
  return /^[2-6]/.test(digits) && !/^(\d)\1+$/.test(digits) && luhnValid(digits);
}

/** An IBAN (spaces allowed) whose mod-97 check is 1. */
export function isIban(value: string): boolean {
  const v = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(v)) return false;
  const moved = v.slice(4) + v.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const digit of part) rest = (rest * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

/** A dotted-quad IPv4 address, optionally with a CIDR suffix (as `inet` prints it). */
export function isIpv4(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value.trim());
  if (m === null) return false;
  const prefix = m[5] === undefined ? 0 : Number(m[5]);
  return m.slice(1, 5).every((o) => Number(o) <= 255) && prefix <= 32;
}

/** An IPv6 address: up to eight hex groups, at most one `::`, optional IPv4 tail and prefix. */
export function isIpv6(value: string): boolean {
  let v = value.trim().replace(/%[\w.]+$/, '');
  const slash = v.indexOf('/');
  if (slash >= 0) {
    if (!/^\d{1,3}$/.test(v.slice(slash + 1)) || Number(v.slice(slash + 1)) > 128) return false;
    v = v.slice(0, slash);
  }
  if (!v.includes(':') || v.split('::').length > 2) return false;
  let groups = 8;
  const lastColon = v.lastIndexOf(':');
  if (v.slice(lastColon + 1).includes('.')) {
    if (!isIpv4(v.slice(lastColon + 1))) return false;
    v = v.slice(0, lastColon + 1) + '0';
    groups = 7;
  }
  const [head = '', tail] = v.split('::');
  const parts = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const all = [...parts(head), ...(tail === undefined ? [] : parts(tail))];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return tail === undefined ? all.length === groups : all.length < groups;
}

/** IPv4 or IPv6. */
export function isIpAddress(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}

/** A US social security number (not 000, 666 or 9xx) or a UK national insurance number. */
export function isNationalId(value: string): boolean {
  const v = value.trim().toUpperCase();
  const ssn = /^(\d{3})-(\d{2})-(\d{4})$/.exec(v);
  if (ssn !== null)
    return ssn[1] !== '000' && ssn[1] !== '666' && !ssn[1]!.startsWith('9') && ssn[2] !== '00';
  return /^[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]$/.test(v);
}

/**
 * A calendar date (ISO `YYYY-MM-DD`, optionally followed by a time) that is a plausible birth
 * date on `today`: an age between 0 and 120 years.
 */
export function isBirthDate(value: string, today: Date): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[ T])/.exec(value.trim());
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  const ageYears = (today.getTime() - date.getTime()) / (365.25 * 86_400_000);
  return ageYears >= 0 && ageYears <= 120;
}

/** A password hash or a token of a well-known shape (bcrypt, argon2, PBKDF2, JWT, API keys, long hex). */
export function isCredential(value: string): boolean {
  const v = value.trim();
  return (
    /^\$(?:2[abxy]?|argon2(?:id|i|d)|scrypt|[156])\$/.test(v) ||
    /^(?:pbkdf2_sha(?:1|256|512)|bcrypt_sha256|sha1|md5)\$/.test(v) ||
    /^eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*$/.test(v) ||
    /^(?:sk|pk|rk)_(?:live|test)_[\w]{8,}$/.test(v) ||
    /^(?:ghp|gho|ghu|ghs|github_pat)_\w{20,}$/.test(v) ||
    /^xox[abprs]-[\w-]{10,}$/.test(v) ||
    /^AKIA[0-9A-Z]{16}$/.test(v) ||
    /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i.test(v)
  );
}

/** Two or three capitalised words, as a person's full name is usually written. */
export function looksLikeFullName(value: string): boolean {
  return /^\p{Lu}[\p{L}'’-]+(?: \p{Lu}\.?)?(?: (?:(?:van|von|de|da|di|del|der|la|le) )?\p{Lu}[\p{L}'’-]+){1,2}$/u.test(
    value.trim(),
  );
}

/** Which kinds of personal data occur inside a longer text (e-mails, phones, cards, IBANs). */
export function personalDataInside(text: string): readonly ('email' | 'phone' | 'card' | 'iban')[] {
  const found: ('email' | 'phone' | 'card' | 'iban')[] = [];
  if (emailInside.test(text)) found.push('email');
  const phone =
    /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?|\b\d{2,5}[\s.-])\d{3,4}[\s.-]?\d{3,4}\b/.exec(text);
  if (phone !== null && isPhone(phone[0]) && !/^\d{4}-\d{2}-\d{2}/.test(phone[0]))
    found.push('phone');
  for (const m of text.matchAll(/\b\d(?:[ -]?\d){12,18}\b/g)) {
    if (isPaymentCard(m[0])) {
      found.push('card');
      break;
    }
  }
  for (const m of text.matchAll(/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g)) {
    if (isIban(m[0])) {
      found.push('iban');
      break;
    }
  }
  return found;
}
