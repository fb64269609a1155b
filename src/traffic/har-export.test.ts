import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from './capture-format.js';
import { writeHar } from './har-export.js';
import { importHar, type HarImportOptions } from './har-import.js';
import type { Har } from './har-types.js';
import { createRedactor } from './redact.js';

const fixture = path.join(import.meta.dirname, '../../test/fixtures/traffic/har/shop-browser.har');
const text = readFileSync(fixture, 'utf8');
const redact = createRedactor({ key: Buffer.from('a test redaction key, 32 bytes!!') });

async function exported(records: readonly CaptureRecord[], origin?: string): Promise<string> {
  const parts: string[] = [];
  await writeHar(
    records,
    (t) => void parts.push(t),
    () => origin,
    { version: '9.9.9' },
  );
  return parts.join('');
}

describe('HAR export', () => {
  it('writes valid HAR 1.2 with every required field', async () => {
    const { records } = importHar(text, 'shop.har', { redact, maxBodyBytes: 1 << 20 });
    const har = JSON.parse(await exported(records, 'https://shop.example.com')) as Har;
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'Understudy', version: '9.9.9' });
    expect(har.log.entries).toHaveLength(records.length);
    for (const entry of har.log.entries) {
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining([
          'startedDateTime',
          'time',
          'request',
          'response',
          'cache',
          'timings',
        ]),
      );
      expect(Object.keys(entry.request)).toEqual(
        expect.arrayContaining([
          'method',
          'url',
          'httpVersion',
          'cookies',
          'headers',
          'queryString',
          'headersSize',
          'bodySize',
        ]),
      );
      expect(Object.keys(entry.response)).toEqual(
        expect.arrayContaining([
          'status',
          'statusText',
          'httpVersion',
          'cookies',
          'headers',
          'content',
          'redirectURL',
          'headersSize',
          'bodySize',
        ]),
      );
      expect(typeof entry.response.content.size).toBe('number');
      expect(typeof entry.response.content.mimeType).toBe('string');
      expect(entry.cache).toEqual({});
      const { send, wait, receive } = entry.timings;
      for (const t of [send, wait, receive]) expect(t).toBeGreaterThanOrEqual(0);
      expect(send + wait + receive).toBeCloseTo(entry.time);
      expect(new Date(entry.startedDateTime).toISOString()).toBe(entry.startedDateTime);
      expect(() => new URL(entry.request.url)).not.toThrow();
    }
    const products = har.log.entries[4]!;
    expect(products.request.url).toBe('https://shop.example.com/api/products?page=1');
    expect(products.request.queryString).toEqual([{ name: 'page', value: '1' }]);
    const login = har.log.entries[5]!;
    expect(login.request.postData?.mimeType).toBe('application/json');
    expect(login.response.cookies[0]).toMatchObject({
      name: 'sid',
      path: '/',
      httpOnly: true,
      secure: true,
    });
    const logo = har.log.entries[2]!;
    expect(logo.response.content).toMatchObject({
      encoding: 'base64',
      size: 70,
      mimeType: 'image/png',
    });
    const blocked = har.log.entries[8]!;
    expect(blocked.response).toMatchObject({ status: 0, _error: 'net::ERR_BLOCKED_BY_CLIENT' });
  });

  it.each<HarImportOptions['sessions']>(['file', 'page'])(
    'round-trips: import, export, import again gives the same records (sessions: %s)',
    async (sessions) => {
      const options = { redact, maxBodyBytes: 1 << 20, sessions };
      const first = importHar(text, 'shop.har', options).records;
      const again = importHar(
        await exported(first, 'https://shop.example.com'),
        'again.har',
        options,
      );
      expect(again.records).toEqual(first);
      // Also with bodies cut at a small cap: the cut survives as `_truncated`.
      const small = importHar(text, 'shop.har', { ...options, maxBodyBytes: 32 }).records;
      const smallAgain = importHar(await exported(small), 'again.har', {
        ...options,
        maxBodyBytes: 32,
      });
      expect(smallAgain.records).toEqual(small);
    },
  );

  it('writes an empty capture as a HAR without entries', async () => {
    const har = JSON.parse(await exported([])) as Har;
    expect(har.log.entries).toEqual([]);
  });

  it('uses the origin for records without a Host header', async () => {
    const record: CaptureRecord = {
      type: 'exchange',
      id: 'r1',
      session: 's',
      startedAt: '2026-11-21T10:15:00.000Z',
      durationMs: 5,
      request: { method: 'GET', url: '/health?deep=1', httpVersion: '1.1', headers: [] },
      error: 'connect ECONNREFUSED 127.0.0.1:3000',
      redactions: [],
    };
    const har = JSON.parse(await exported([record], 'http://127.0.0.1:3000')) as Har;
    expect(har.log.entries[0]?.request.url).toBe('http://127.0.0.1:3000/health?deep=1');
    expect(har.log.entries[0]?.response._error).toBe('connect ECONNREFUSED 127.0.0.1:3000');
  });
});
