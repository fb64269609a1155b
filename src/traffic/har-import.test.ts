import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnderstudyError, type UnderstudyError } from '../shared/errors.js';
import type { CaptureRecord } from './capture-format.js';
import { importHar } from './har-import.js';
import { createRedactor } from './redact.js';

const fixture = path.join(import.meta.dirname, '../../test/fixtures/traffic/har/shop-browser.har');
const text = readFileSync(fixture, 'utf8');
const redact = createRedactor({ key: Buffer.from('a test redaction key, 32 bytes!!') });
const keep = (r: CaptureRecord): CaptureRecord => r;

function refused(input: string): UnderstudyError {
  try {
    importHar(input, 'input.har', { redact: keep, maxBodyBytes: 1024 });
  } catch (error) {
    if (isUnderstudyError(error, 'E_INPUT')) return error;
    throw error;
  }
  throw new Error('the import was not refused');
}

describe('HAR import', () => {
  it('turns a browser HAR into capture records', () => {
    const { records, skipped, upstream, creator, notes } = importHar(text, 'shop.har', {
      redact: keep,
      maxBodyBytes: 1024 * 1024,
    });
    expect(records).toHaveLength(9);
    expect(skipped).toBe(0);
    expect(upstream).toBeUndefined();
    expect(creator).toBe('WebInspector 537.36');
    expect(records.map((r) => r.id)).toEqual(records.map((_, i) => `har-${i + 1}`));
    expect(new Set(records.map((r) => r.session))).toEqual(new Set(['har']));
    const [home, , logo, font, products, login, checkout, order, blocked] = records;

    expect(home).toMatchObject({
      startedAt: '2026-11-21T10:15:01.204Z',
      request: { method: 'GET', url: '/', httpVersion: '1.1' },
      response: { status: 200, statusText: 'OK', body: { encoding: 'utf8', size: 128 } },
    });
    // Time to first byte is every phase before the body arrives; the duration is HAR's `time`.
    expect(home?.ttfbMs).toBeCloseTo(1.2 + 12.5 + 30.1 + 0.2 + 48.3);
    expect(home?.durationMs).toBeCloseTo(94.4);
    expect(home?.request.headers[0]).toEqual(['host', 'shop.example.com']);
    expect(logo?.response?.body).toMatchObject({ encoding: 'base64', size: 70, truncated: false });
    expect(Buffer.from(logo!.response!.body!.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
    // The HAR left the font out: kept as truncated, so a replay never compares it.
    expect(font?.response?.body).toEqual({
      encoding: 'base64',
      data: '',
      size: 48256,
      truncated: true,
    });
    expect(notes).toEqual([expect.stringMatching(/^1 bodies were left out/)]);
    expect(products?.request.url).toBe('/api/products?page=1');
    expect(login?.request.body).toMatchObject({ encoding: 'utf8', truncated: false });
    expect(checkout?.request.body?.data).toBe(
      'email=ada.lovelace%40example.org&card=4111+1111+1111+1111&cvc=737&total=63.50',
    );
    // HTTP/2: pseudo-headers dropped, the authority kept as Host.
    expect(order?.request.httpVersion).toBe('2');
    expect(order?.request.headers.map(([n]) => n)).toEqual([
      'host',
      'user-agent',
      'accept',
      'cookie',
    ]);
    expect(blocked?.response).toBeUndefined();
    expect(blocked?.error).toBe('net::ERR_BLOCKED_BY_CLIENT');
  });

  it('redacts every record: no credential of the HAR survives the import', () => {
    const { records } = importHar(text, 'shop.har', { redact, maxBodyBytes: 1024 * 1024 });
    const all = JSON.stringify(records);
    for (const secret of [
      'correct horse battery staple',
      'ada.lovelace@example.org',
      '4111 1111 1111 1111',
      '3f9a1c2e7b5d4e6f8a0b',
      '9c8b7a6f5e4d3c2b1a00',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    ]) {
      expect(all).not.toContain(secret);
    }
    const login = records.find((r) => r.request.url === '/api/login');
    expect(login?.redactions.map((r) => r.where)).toContain('body:$.password');
    // Equal values give equal tokens: the session cookie still correlates across requests.
    const sid = (r: CaptureRecord | undefined): string | undefined =>
      r?.request.headers.find(([n]) => n === 'cookie')?.[1];
    expect(sid(records[0])).toBe(sid(records[1]));
  });

  it('cuts bodies only after redaction, so a secret across the cap is never kept in part', () => {
    const har = {
      log: {
        entries: [
          {
            startedDateTime: '2026-11-21T10:15:01.204Z',
            request: {
              method: 'POST',
              url: 'https://shop.example.com/pay',
              postData: { mimeType: 'application/json', text: '{"card":"4111111111111111"}' },
            },
            response: { status: 204 },
          },
        ],
      },
    };
    const [record] = importHar(JSON.stringify(har), 'pay.har', {
      redact,
      maxBodyBytes: 18,
    }).records;
    expect(record?.request.body).toMatchObject({ truncated: true, data: '{"card":"us_tok_ca' });
    expect(record?.redactions).toEqual([{ where: 'body:$.card', rule: 'default:card', count: 1 }]);
  });

  it('keeps only the asked-for origins, and can make each page a session', () => {
    const { records, skipped, upstream } = importHar(text, 'shop.har', {
      redact: keep,
      maxBodyBytes: 1024,
      origins: ['https://shop.example.com/'],
      sessions: 'page',
    });
    expect(records).toHaveLength(7);
    expect(skipped).toBe(2);
    expect(upstream).toBe('https://shop.example.com');
    expect(records.map((r) => r.session)).toEqual([
      'page_1',
      'page_1',
      'page_1',
      'page_1',
      'page_2',
      'page_2',
      'page_2',
    ]);
  });

  it('cuts bodies at the cap, at a character boundary, and says so', () => {
    const { records, notes } = importHar(text, 'shop.har', { redact: keep, maxBodyBytes: 40 });
    const home = records[0]!.response!.body!;
    expect(home).toMatchObject({ truncated: true, size: 128 });
    expect(Buffer.byteLength(home.data)).toBeLessThanOrEqual(40);
    expect(notes[0]).toMatch(/bodies longer than 40 bytes were cut/);
    const euro = JSON.stringify({
      log: {
        entries: [
          {
            startedDateTime: '2026-11-21T10:15:01.204Z',
            request: { method: 'GET', url: 'http://x/' },
            response: { status: 200, content: { text: 'ab€€€', mimeType: 'text/plain' } },
          },
        ],
      },
    });
    const cut = importHar(euro, 'euro.har', { redact: keep, maxBodyBytes: 4 }).records[0];
    expect(cut?.response?.body?.data).toBe('ab');
  });

  it('refuses what is not HAR, saying what is wrong and where', () => {
    expect(refused('<html>').message).toMatch(/input\.har is not a HAR file: it is not JSON/);
    expect(refused('{"entries": []}').message).toMatch(/it has no "log" object/);
    expect(refused('{"log": {"entries": {}}}').message).toMatch(/no "log.entries" array/);
    const entry = {
      startedDateTime: '2026-11-21T10:15:01.204Z',
      request: { method: 'GET', url: 'https://shop.example.com/' },
      response: { status: 200 },
    };
    const bad = refused(
      JSON.stringify({
        log: {
          entries: [
            entry,
            { ...entry, request: { method: 'GET', url: '/relative' } },
            { ...entry, startedDateTime: 'yesterday', response: { status: '200', headers: [{}] } },
            'an entry',
          ],
        },
      }),
    );
    expect(bad.message).toMatch(/6 problems in its entries/);
    expect(bad.problems).toEqual([
      { path: 'log.entries[1].request.url', message: 'is not an absolute URL' },
      { path: 'log.entries[2].startedDateTime', message: 'is not an ISO 8601 date-time' },
      { path: 'log.entries[2].response.status', message: 'must be a number, not string' },
      { path: 'log.entries[2].response.headers[0].name', message: 'is missing' },
      { path: 'log.entries[2].response.headers[0].value', message: 'is missing' },
      { path: 'log.entries[3]', message: 'is not an object' },
    ]);
  });

  it('rebuilds a multipart form kept only as params', () => {
    const har = {
      log: {
        entries: [
          {
            startedDateTime: '2026-11-21T10:15:01.204Z',
            request: {
              method: 'POST',
              url: 'https://shop.example.com/upload',
              postData: {
                mimeType: 'multipart/form-data; boundary=----b1',
                params: [
                  { name: 'title', value: 'Teapot' },
                  {
                    name: 'photo',
                    value: 'PNG…',
                    fileName: 'teapot.png',
                    contentType: 'image/png',
                  },
                ],
              },
            },
            response: { status: 201 },
          },
        ],
      },
    };
    const [record] = importHar(JSON.stringify(har), 'upload.har', {
      redact: keep,
      maxBodyBytes: 1024,
    }).records;
    expect(record?.request.body?.data).toBe(
      '------b1\r\nContent-Disposition: form-data; name="title"\r\n\r\nTeapot\r\n' +
        '------b1\r\nContent-Disposition: form-data; name="photo"; filename="teapot.png"\r\nContent-Type: image/png\r\n\r\nPNG…\r\n' +
        '------b1--\r\n',
    );
  });
});
