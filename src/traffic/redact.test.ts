import { describe, expect, it } from 'vitest';
import type { CaptureRecord, CapturedBody, HeaderList } from './capture-format.js';
import { createRedactor, createResponseRedactor, redactionToken } from './redact.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';

function text(data: string): CapturedBody {
  return { encoding: 'utf8', data, size: data.length, truncated: false };
}

function record(parts: {
  url?: string;
  headers?: HeaderList;
  body?: CapturedBody;
  responseHeaders?: HeaderList;
  responseBody?: CapturedBody;
  error?: string;
}): CaptureRecord {
  return {
    type: 'exchange',
    id: 'r1',
    session: 'us_tok_session',
    startedAt: '2026-11-21T10:15:00.000Z',
    durationMs: 3,
    request: {
      method: 'POST',
      url: parts.url ?? '/',
      httpVersion: '1.1',
      headers: parts.headers ?? [],
      ...(parts.body === undefined ? {} : { body: parts.body }),
    },
    response: {
      status: 200,
      headers: parts.responseHeaders ?? [],
      ...(parts.responseBody === undefined ? {} : { body: parts.responseBody }),
    },
    ...(parts.error === undefined ? {} : { error: parts.error }),
    redactions: [],
  };
}

const redact = createRedactor({ key });
const tok = (value: string): string => redactionToken(key, 'secret', value);

describe('createRedactor, default rules', () => {
  it('credential headers keep their scheme; cookies their names; Set-Cookie its attributes', () => {
    const out = redact(
      record({
        headers: [
          ['authorization', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
          ['proxy-authorization', 'Bearer abc.def'],
          ['cookie', 'sid=s1; theme=dark'],
          ['x-api-key', 'key-1'],
          ['api-key', 'key-2'],
          ['x-auth-token', 'key-3'],
          ['x-functions-key', 'key-4'],
          ['accept', 'application/json'],
        ],
        responseHeaders: [['set-cookie', 'sid=s2; Path=/; HttpOnly; Secure']],
      }),
    );
    expect(out.request.headers).toEqual([
      ['authorization', `Basic ${tok('YWxhZGRpbjpvcGVuc2VzYW1l')}`],
      ['proxy-authorization', `Bearer ${tok('abc.def')}`],
      ['cookie', `sid=${tok('s1')}; theme=${tok('dark')}`],
      ['x-api-key', tok('key-1')],
      ['api-key', tok('key-2')],
      ['x-auth-token', tok('key-3')],
      ['x-functions-key', tok('key-4')],
      ['accept', 'application/json'],
    ]);
    expect(out.response!.headers).toEqual([
      ['set-cookie', `sid=${tok('s2')}; Path=/; HttpOnly; Secure`],
    ]);
    expect(out.redactions.map((r) => `${r.where} ${r.rule}`)).toEqual([
      'cookie:sid default:cookie',
      'cookie:theme default:cookie',
      'header:api-key default:secret-header',
      'header:authorization default:authorization',
      'header:proxy-authorization default:authorization',
      'header:x-api-key default:secret-header',
      'header:x-auth-token default:secret-header',
      'header:x-functions-key default:secret-header',
      'response.cookie:sid default:set-cookie',
    ]);
  });

  it('JWTs in any header, the URL path, the query and the body become the same token', () => {
    const out = redact(
      record({
        url: `/s/${jwt}?id_hint=${jwt}&page=2`,
        headers: [['x-forwarded-jwt-ish', `v=${jwt}`]],
        body: text(`{"nested": "${jwt}"}`),
        responseHeaders: [['location', `/done#access_token=${jwt}&state=1`]],
      }),
    );
    const token = redactionToken(key, 'jwt', jwt);
    expect(JSON.stringify(out)).not.toContain(jwt);
    expect(out.request.url).toBe(`/s/${token}?id_hint=${token}&page=2`);
    expect(out.request.headers[0]![1]).toBe(`v=${token}`);
    expect(out.request.body!.data).toBe(`{"nested": "${token}"}`);
    expect(out.response!.headers[0]![1]).toBe(`/done#access_token=${token}&state=1`);
  });

  it('password, secret, token and api_key fields in JSON, form bodies and query strings', () => {
    const out = redact(
      record({
        url: '/login?api_key=q1&client_secret=q2&q=shoes',
        headers: [['content-type', 'application/x-www-form-urlencoded']],
        body: text('user=ann&password=p%40ss+word&remember=1'),
        responseHeaders: [['content-type', 'application/json; charset=utf-8']],
        responseBody: text('{"access_token":"a1","refresh_token":"r1","expires_in":3600}'),
      }),
    );
    expect(out.request.url).toBe(`/login?api_key=${tok('q1')}&client_secret=${tok('q2')}&q=shoes`);
    expect(out.request.body!.data).toBe(`user=ann&password=${tok('p@ss word')}&remember=1`);
    expect(JSON.parse(out.response!.body!.data)).toEqual({
      access_token: tok('a1'),
      refresh_token: tok('r1'),
      expires_in: 3600,
    });
  });

  it('card numbers (Luhn-valid only) and e-mail addresses wherever they are', () => {
    const out = redact(
      record({
        url: '/users/ann%40example.com?notify=bob@example.org',
        headers: [['content-type', 'text/plain']],
        body: text('pay 4242 4242 4242 4242, not 4242 4242 4242 4241; mail carol@example.net'),
      }),
    );
    const all = JSON.stringify(out);
    for (const secret of ['ann', 'bob@', 'carol', '4242 4242 4242 4242'])
      expect(all).not.toContain(secret);
    expect(all).toContain('4242 4242 4242 4241');
    expect(out.request.url).toMatch(
      /^\/users\/us_tok_email_\w+%40redacted\.invalid\?notify=us_tok_email_\w+%40redacted\.invalid$/,
    );
  });

  it('multipart fields, binary bodies and error messages too', () => {
    const multipart = [
      '--XyZ',
      'Content-Disposition: form-data; name="password"',
      '',
      'hunter2',
      '--XyZ',
      'Content-Disposition: form-data; name="note"',
      '',
      'from dave@example.com',
      '--XyZ--',
      '',
    ].join('\r\n');
    const binary = Buffer.concat([
      Buffer.from([0, 1, 2]),
      Buffer.from(` ${jwt} `),
      Buffer.from([255]),
    ]);
    const out = redact(
      record({
        headers: [['content-type', 'multipart/form-data; boundary=XyZ']],
        body: text(multipart),
        responseHeaders: [['content-type', 'application/octet-stream']],
        responseBody: {
          encoding: 'base64',
          data: binary.toString('base64'),
          size: binary.length,
          truncated: false,
        },
        error: 'upstream said no to erin@example.com',
      }),
    );
    expect(out.request.body!.data).toContain(`name="password"\r\n\r\n${tok('hunter2')}\r\n--XyZ`);
    expect(out.request.body!.data).not.toContain('dave@');
    const decoded = Buffer.from(out.response!.body!.data, 'base64');
    expect(decoded.includes(jwt)).toBe(false);
    expect([...decoded.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect(decoded.at(-1)).toBe(255);
    expect(out.error).not.toContain('erin');
  });
});

describe('createRedactor, configured rules and properties', () => {
  it('redacts the configured headers, query parameters and JSON paths', () => {
    const custom = createRedactor({
      key,
      headers: ['X-Tenant'],
      query: ['ref'],
      json: ['$.customer.dob', '$.lines[*].note'],
    });
    const out = custom(
      record({
        url: '/o?ref=abc&page=1',
        headers: [
          ['x-tenant', 'acme'],
          ['content-type', 'application/json'],
        ],
        body: text(
          '{"customer":{"dob":"1990-01-01","name":"Ann"},"lines":[{"note":"a"},{"note":"b"}]}',
        ),
      }),
    );
    expect(out.request.url).toBe(`/o?ref=${tok('abc')}&page=1`);
    expect(out.request.headers[0]).toEqual(['x-tenant', tok('acme')]);
    expect(JSON.parse(out.request.body!.data)).toEqual({
      customer: { dob: tok('1990-01-01'), name: 'Ann' },
      lines: [{ note: tok('a') }, { note: tok('b') }],
    });
    expect(out.redactions).toEqual([
      { where: 'body:$.customer.dob', rule: 'config:json', count: 1 },
      { where: 'body:$.lines[*].note', rule: 'config:json', count: 2 },
      { where: 'header:x-tenant', rule: 'config:header', count: 1 },
      { where: 'query:ref', rule: 'config:query', count: 1 },
    ]);
  });

  it('gives equal tokens for equal values under one key, and other tokens under another key', () => {
    const input = record({ headers: [['authorization', 'Bearer same']], url: '/?token=same' });
    const a = redact(input);
    const b = createRedactor({ key: Buffer.from('another key of at least 16 chars') })(input);
    expect(a.request.headers[0]![1]).toBe(`Bearer ${tok('same')}`);
    expect(a.request.url).toBe(`/?token=${tok('same')}`);
    expect(b.request.headers[0]![1]).not.toBe(a.request.headers[0]![1]);
  });

  it('is pure and idempotent: the input is not changed, and redacting again changes nothing', () => {
    const input = record({
      url: '/?password=x',
      headers: [['cookie', 'a=b']],
      body: text('{"email":"ann@example.com"}'),
    });
    const copy = structuredClone(input);
    const once = redact(input);
    expect(input).toEqual(copy);
    const twice = redact({ ...once, redactions: [] });
    expect(twice.request).toEqual(once.request);
    expect(twice.redactions).toEqual([]);
  });

  it('redacts a lone answer exactly as the same answer inside a record', () => {
    const headers: HeaderList = [
      ['set-cookie', 'sid=abc123def456; Path=/'],
      ['content-type', 'application/json'],
    ];
    const body = text('{"email":"ann@example.com","token":"t0k3n","note":"kept"}');
    const answer = createResponseRedactor({ key, json: ['$.note'] })({
      status: 200,
      headers,
      body,
    });
    const inRecord = createRedactor({ key, json: ['$.note'] })(
      record({ responseHeaders: headers, responseBody: body }),
    ).response!;
    expect(answer).toEqual({ status: 200, headers: inRecord.headers, body: inRecord.body });
    expect(JSON.stringify(answer)).not.toMatch(/ann@|t0k3n|abc123|kept/);
  });

  it('refuses a JSON path it does not understand', () => {
    expect(() => createRedactor({ key, json: ['user.ssn'] })).toThrow(/not a JSON path/);
  });
});
