import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import { connect, describeUrl } from './connection.js';
import { freePort } from './local-server.js';

describe('describeUrl', () => {
  it('never shows the password', () => {
    expect(describeUrl('postgres://app:s3cret@db.internal:5432/shop')).toBe(
      'postgres://app@db.internal:5432/shop',
    );
    expect(describeUrl('not a url')).not.toContain('not a url');
  });
});

describe('connect', () => {
  it('reports an unreachable server as E_UNREACHABLE naming it without the password', async () => {
    const port = await freePort();
    const error = await connect(`postgres://app:s3cret@127.0.0.1:${port}/shop`).catch(
      (e: unknown) => e,
    );
    expect(isUnderstudyError(error, 'E_UNREACHABLE')).toBe(true);
    expect(String((error as Error).message)).toContain(`127.0.0.1:${port}/shop`);
    expect(String((error as Error).message)).not.toContain('s3cret');
  });

  it('refuses a URL that is not a PostgreSQL URL', async () => {
    const error = await connect('mysql://x@y/z').catch((e: unknown) => e);
    expect(isUnderstudyError(error, 'E_INPUT')).toBe(true);
  });
});
