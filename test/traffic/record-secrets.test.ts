/**
 * Done means: "No secret sent in a header, cookie, query or body during a test appears anywhere
 * in the capture files." Secrets of every kind go through the built recorder — in requests and
 * in the upstream's answers, plain and gzip-encoded — then every capture file is decompressed and
 * its raw bytes searched for each secret and for its URL-encoded, base64 and JSON-escaped forms.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/traffic/capture-read.js';
import type { CaptureRecord } from '../../src/traffic/capture-format.js';
import { startRecorder, until } from './record-process.js';

const secret = (prefix = ''): string => `${prefix}${randomBytes(12).toString('hex')}`;

/** A Luhn-valid 16-digit Visa-like number, random each run. */
function cardNumber(): string {
  const digits = [4, ...Array.from({ length: 14 }, () => randomInt(10))];
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = digits[14 - i]!;
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return [...digits, (10 - (sum % 10)) % 10].join('');
}

function jwt(): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: secret(), iat: 1 })}.${randomBytes(32).toString('base64url')}`;
}

const s = {
  bearer: jwt(),
  basicUser: secret('user-'),
  basicPassword: secret('pw-'),
  proxyAuth: secret('proxy-'),
  sessionCookie: secret('sid-'),
  csrfCookie: secret('csrf-'),
  apiKey: secret('key-'),
  authToken: secret('tok-'),
  tenant: secret('tenant-'),
  queryToken: secret('qt-'),
  queryPassword: secret('qp-'),
  queryRef: secret('ref-'),
  queryEmail: `${secret('q')}@example.com`,
  queryJwt: jwt(),
  jsonPassword: secret('jp-'),
  jsonSecret: secret('js-'),
  jsonDob: secret('dob-'),
  jsonNoteJwt: jwt(),
  jsonCard: cardNumber(),
  jsonEmail: `${secret('j')}@example.org`,
  formPassword: secret('fp-'),
  formCard: cardNumber(),
  multipartPassword: secret('mp-'),
  upstreamCookie: secret('set-'),
  upstreamToken: secret('at-'),
  upstreamEmail: `${secret('u')}@example.net`,
  gzipToken: secret('gz-'),
};

/** Every form a secret could take in a capture file. */
function forms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1),
  ];
}

let upstream: http.Server;
let upstreamUrl: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'understudy-record-secrets-'));
  await writeFile(
    path.join(work, 'understudy.yaml'),
    [
      'project: secrets',
      'environments:',
      '  production: { url: http://127.0.0.1:1 }',
      'traffic:',
      '  key: ${UNDERSTUDY_REDACT_KEY}',
      '  record:',
      '    sample: { by: "cookie:sid" }',
      '    redact:',
      '      headers: [x-tenant]',
      '      query: [ref]',
      '      json: ["$.customer.dob"]',
      '',
    ].join('\n'),
  );
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('set-cookie', [`session=${s.upstreamCookie}; Path=/; HttpOnly`, 'theme=dark']);
      if (req.url === '/gzip') {
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-encoding', 'gzip');
        return void res.end(gzipSync(JSON.stringify({ refresh_token: s.gzipToken })));
      }
      res.setHeader('content-type', 'application/json');
      // A JSON request comes back as the resource it created, at the same paths (so the
      // configured `$.customer.dob` is where the configuration says, in both directions).
      const created = req.headers['content-type']?.includes('json')
        ? (JSON.parse(Buffer.concat(chunks).toString()) as object)
        : {};
      res.end(
        JSON.stringify({ ...created, access_token: s.upstreamToken, owner: s.upstreamEmail }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
  await rm(work, { recursive: true, force: true });
});

describe('understudy record redacts before anything reaches the disk', () => {
  it('leaves no secret of any kind, in any encoding, in the capture files', async () => {
    const out = path.join(work, 'captures');
    const recorder = await startRecorder(
      ['--upstream', upstreamUrl, '--listen', '127.0.0.1:0', '--out', out],
      { cwd: work, env: { UNDERSTUDY_REDACT_KEY: 'secrets test key, long enough' } },
    );
    const common = {
      authorization: `Bearer ${s.bearer}`,
      cookie: `sid=${s.sessionCookie}; csrftoken=${s.csrfCookie}`,
      'x-api-key': s.apiKey,
      'x-auth-token': s.authToken,
      'x-tenant': s.tenant,
      'proxy-authorization': `Basic ${Buffer.from(s.proxyAuth).toString('base64')}`,
    };
    const query = new URLSearchParams({
      token: s.queryToken,
      password: s.queryPassword,
      ref: s.queryRef,
      email: s.queryEmail,
      id_token: s.queryJwt,
      page: '2',
    });
    const requests: [string, RequestInit][] = [
      [`/search?${query.toString()}`, { headers: common }],
      [
        '/login',
        {
          method: 'POST',
          headers: {
            ...common,
            authorization: `Basic ${Buffer.from(`${s.basicUser}:${s.basicPassword}`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            user: { name: 'Ann', password: s.jsonPassword, client_secret: s.jsonSecret },
            customer: { dob: s.jsonDob },
            note: `forwarded ${s.jsonNoteJwt}`,
            payment: { number: Number(s.jsonCard), text: `card ${s.jsonCard}` },
            contact: s.jsonEmail,
          }),
        },
      ],
      [
        '/form',
        {
          method: 'POST',
          headers: { ...common, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            user: 'ann',
            password: s.formPassword,
            pan: s.formCard,
          }).toString(),
        },
      ],
      [
        '/upload',
        {
          method: 'POST',
          headers: { ...common, 'content-type': 'multipart/form-data; boundary=B0und' },
          body: `--B0und\r\nContent-Disposition: form-data; name="password"\r\n\r\n${s.multipartPassword}\r\n--B0und--\r\n`,
        },
      ],
      ['/gzip', { headers: { ...common, 'accept-encoding': 'gzip' } }],
    ];
    for (const [url, init] of requests) {
      const response = await fetch(`${recorder.url}${url}`, init);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    await until(async () => (await recorder.health()).queued === 0);
    const { code } = await recorder.stop();
    expect(code).toBe(0);

    // Every exchange was recorded, with its redaction report…
    const records: CaptureRecord[] = [];
    for await (const record of readCapture(out)) records.push(record);
    expect(records.map((r) => r.request.url.split('?')[0])).toEqual(
      requests.map(([u]) => u.split('?')[0]),
    );
    expect(records.every((r) => r.redactions.length > 0)).toBe(true);
    expect(new Set(records.map((r) => r.session)).size).toBe(1);
    // …the bodies are there (decoded), only their secrets are not…
    expect(records[4]!.response!.body!.data).toMatch(/^\{"refresh_token":"us_tok_\w+"\}$/);
    expect(records[1]!.request.body!.data).toContain('"name":"Ann"');

    // …and no file holds any secret, in any form.
    const files = (await readdir(out)).filter((f) => f.endsWith('.ndjson.gz'));
    expect(files.length).toBeGreaterThan(0);
    const text = (
      await Promise.all(
        files.map(async (f) => gunzipSync(await readFile(path.join(out, f))).toString('latin1')),
      )
    ).join('\n');
    const leaks: string[] = [];
    for (const [name, value] of Object.entries(s))
      for (const form of forms(value)) if (text.includes(form)) leaks.push(`${name} as ${form}`);
    expect(leaks).toEqual([]);
  });
});
