/**
 * Maskers for who someone is: email, names, address parts, company, username, postal code.
 * Names come from the built-in lists by keyed hash; identifiers that must stay unique are
 * permuted shape by shape (a bijection) or carry a token too long to collide.
 */
import { permuteShape } from './format-preserving.js';
import { fitLength, pick, type MaskerContext, type TextMasker } from './masker-context.js';
import {
  cities,
  companySuffixes,
  companyTrades,
  companyWords,
  firstNames,
  lastNames,
  streetNames,
  streetSuffixes,
} from './word-lists.js';

/** Masked emails use a reserved domain (RFC 2606), so staging can never mail a real person. */
export const MASKED_EMAIL_DOMAIN = 'example.com';
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `first.last.token@example.com`; the token carries ~72 keyed bits so distinct inputs never meet. */
export function createEmailMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('email');
  const words = new Uint32Array(4);
  const max = ctx.column.maxLength;
  const suffix = `@${MASKED_EMAIL_DOMAIN}`;
  return (text) => {
    prf.textWords(text, 0, words, 0);
    prf.textWords(text, 1, words, 2);
    let token = '';
    // 14 base-36 characters, one from each of 14 distinct bytes of the 128-bit hash (~72 bits).
    for (let i = 0; i < 14; i++) {
      const w = words[i % 4]!;
      token += TOKEN_ALPHABET[(w >>> ((i >> 2) * 8)) % 36];
    }
    const h = words[0]!;
    const first = pick(firstNames, h & 0xffff).toLowerCase();
    const last = pick(lastNames, h >>> 16).toLowerCase();
    const full = `${first}.${last}.${token}${suffix}`;
    if (max === undefined || full.length <= max) return full;
    // A short column keeps the token (uniqueness) before the names (realism).
    return `${token.slice(0, Math.max(1, max - suffix.length))}${suffix}`.slice(0, max);
  };
}

/** A given name from the built-in list. */
export function createFirstNameMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('first_name');
  return (text) => fitLength(pick(firstNames, prf.text(text)), ctx.column.maxLength);
}

/** A surname from the built-in list. */
export function createLastNameMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('last_name');
  return (text) => fitLength(pick(lastNames, prf.text(text)), ctx.column.maxLength);
}

/** `First Last` from the built-in lists. */
export function createFullNameMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('full_name');
  return (text) => {
    const h = prf.text(text);
    const name = `${pick(firstNames, h % 65536)} ${pick(lastNames, Math.floor(h / 65536))}`;
    return fitLength(name, ctx.column.maxLength);
  };
}

/** `123 Maple Street`. */
export function createStreetAddressMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('street_address');
  return (text) => {
    const h = prf.text(text);
    const street = `${1 + (h % 199)} ${pick(streetNames, Math.floor(h / 256) % 65536)} ${pick(streetSuffixes, Math.floor(h / 2 ** 24))}`;
    return fitLength(street, ctx.column.maxLength);
  };
}

/** A city from the built-in list. */
export function createCityMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('city');
  return (text) => fitLength(pick(cities, prf.text(text)), ctx.column.maxLength);
}

/** `Summit Logistics GmbH`. */
export function createCompanyMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('company');
  return (text) => {
    const h = prf.text(text);
    const name = `${pick(companyWords, h % 4096)} ${pick(companyTrades, Math.floor(h / 4096) % 4096)} ${pick(companySuffixes, Math.floor(h / 2 ** 24))}`;
    return fitLength(name, ctx.column.maxLength);
  };
}

/**
 * Letters stay letters (same case), digits stay digits, the rest in place: a keyed bijection, so
 * usernames, postal codes and national ids stay unique and keep their look (`SW1A 1AA`).
 */
export function createShapeMasker(ctx: MaskerContext, label: string): TextMasker {
  const prf = ctx.prf(label);
  return (text) => permuteShape(prf, text, text.length);
}
