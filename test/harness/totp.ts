/** TOTP codes for tests: the code of the time step `offset` steps from now. */
import { generateSync } from 'otplib';

/** Each code is accepted once, in order; offsets ±1 are accepted now. */
export const totpCode = (secret: string, offset = 0): string =>
  generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * offset });
