/**
 * Password hashing for dashboard sign-in: scrypt (memory-hard, in Node's own crypto), a random
 * salt per password, parameters stored with the hash so they can be raised later. Comparison is
 * constant-time, and an unknown name costs the same hash as a known one.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { UnderstudyError } from '../shared/errors.js';

const params = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
/** Below this, a password is refused: the dashboard approves production deploys. */
export const MIN_PASSWORD_LENGTH = 12;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { ...options, maxmem: 128 * (options.N ?? 0) * (options.r ?? 8) * 2 },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    );
  });
}

/** Refuses a password too short or too plain to guard production deploys. */
export function checkPasswordStrength(password: string, name: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new UnderstudyError(
      'E_INPUT',
      `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      { hint: 'a few unrelated words make a long password that is easy to type' },
    );
  if (password.toLowerCase().includes(name.toLowerCase()))
    throw new UnderstudyError('E_INPUT', 'a password must not contain the name it belongs to');
  if (new Set(password).size < 5)
    throw new UnderstudyError('E_INPUT', 'a password needs more than a few different characters');
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

const dummy = hashPassword(randomBytes(18).toString('base64url'));

/** True when `password` matches `stored`; an undefined `stored` costs a hash and is false. */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const parts = (stored ?? (await dummy)).split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
}
