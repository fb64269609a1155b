import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, mod97 } from './format-preserving.js';
import { maskerFitProblem } from './index.js';
import { column, masker, otherKey } from './test-fixtures/masker-test-helpers.js';

const shapeOf = (s: string): string =>
  s.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9');
const luhnValid = (digits: string): boolean =>
  luhnCheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));

describe('determinism and keys', () => {
  it('masks a value the same way in every table and column, and differently under another key', async () => {
    const a = await masker('email', 'text', { table: 'public.customers', name: 'email' });
    const b = await masker('email', 'character varying(200)', {
      table: 'public.orders',
      name: 'customer_email',
      unique: true,
    });
    const other = await masker('email', 'text', {}, otherKey);
    expect(a('ann@shop.test')).toBe(b('ann@shop.test'));
    expect(a('ann@shop.test')).toBe(a('ann@shop.test'));
    expect(a('ann@shop.test')).not.toBe(other('ann@shop.test'));
    expect(a('ann@shop.test')).not.toBe(a('bob@shop.test'));
  });

  it.each(['phone', 'payment_card', 'national_id', 'date_shift'] as const)(
    '%s ignores uniqueness and column',
    async (name) => {
      const type = name === 'date_shift' ? 'date' : 'text';
      const input =
        name === 'date_shift'
          ? '2024-02-29'
          : name === 'phone'
            ? '+49 30 1234567'
            : '4111 1111 1111 1111';
      const plain = await masker(name, type);
      const unique = await masker(name, type, { unique: true, name: 'other', table: 'x.y' });
      expect(plain(input)).toBe(unique(input));
    },
  );
});

describe('format of each masker', () => {
  it('email: a valid address at a reserved domain without the original local part', async () => {
    const mask = await masker('email');
    const out = mask('jane.doe@bigcorp.com')!;
    expect(out).toMatch(/^[a-z]+\.[a-z]+\.[a-z0-9]{14}@example\.com$/);
    expect(out).not.toContain('jane.doe');
    expect(out).not.toContain('bigcorp');
  });

  it('email: fits a short varchar and keeps the token', async () => {
    const mask = await masker('email', 'character varying(30)');
    const out = mask('jane.doe@bigcorp.com')!;
    expect(out.length).toBeLessThanOrEqual(30);
    expect(out).toMatch(/^[a-z0-9]+@example\.com$/);
  });

  it('names, address, city, company come from the lists', async () => {
    expect((await masker('first_name'))('Jane')).toMatch(/^[A-Z][a-z]+$/);
    expect((await masker('last_name'))('Doe')).toMatch(/^[A-Z][a-z]+$/);
    expect((await masker('full_name'))('Jane Doe')).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect((await masker('street_address'))('1 Main St')).toMatch(
      /^\d{1,3} [A-Z][a-z]+ [A-Z][a-z]+$/,
    );
    expect((await masker('city'))('Berlin')).toMatch(/^[A-Z][a-z]+$/);
    expect((await masker('company'))('ACME Corp')).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+ [A-Za-z]+$/);
  });

  it.each([
    ['+49 30 1234567', '+49 30 '],
    ['+1 (415) 555-0100', '+1 (415) '],
    ['+442071234567', '+44'],
    ['030 12345678', '030 '],
    ['0049-89-1234567', '0049-89-'],
  ])('phone %s keeps %s, punctuation and length', async (input, prefix) => {
    const out = (await masker('phone'))(input)!;
    expect(out.startsWith(prefix)).toBe(true);
    expect(shapeOf(out)).toBe(shapeOf(input));
    expect(out).not.toBe(input);
  });

  it('payment_card keeps length, separators, network prefix and passes Luhn', async () => {
    const mask = await masker('payment_card');
    for (const card of [
      '4111 1111 1111 1111',
      '5500-0000-0000-0004',
      '340000000000009',
      '6011000990139424',
    ]) {
      const out = mask(card)!;
      expect(shapeOf(out)).toBe(shapeOf(card));
      expect(out.slice(0, 2)).toBe(card.slice(0, 2));
      expect(luhnValid(out.replace(/\D/g, ''))).toBe(true);
      expect(out).not.toBe(card);
    }
  });

  it('iban keeps country, length and spacing with valid check digits', async () => {
    const mask = await masker('iban');
    for (const iban of [
      'DE89 3704 0044 0532 0130 00',
      'GB82WEST12345698765432',
      'FR1420041010050500013M02606',
    ]) {
      const out = mask(iban)!;
      expect(shapeOf(out)).toBe(shapeOf(iban));
      expect(out.slice(0, 2)).toBe(iban.slice(0, 2));
      const compact = out.replace(/\s/g, '');
      expect(mod97(compact.slice(4) + compact.slice(0, 4))).toBe(1);
      expect(out).not.toBe(iban);
    }
  });

  it.each([
    ['national_id', '123-45-6789'],
    ['postal_code', 'SW1A 1AA'],
    ['postal_code', '10115'],
    ['username', 'jdoe_42'],
  ] as const)('%s keeps the shape of %s', async (name, input) => {
    const out = (await masker(name))(input)!;
    expect(shapeOf(out)).toBe(shapeOf(input));
    expect(out).not.toBe(input);
  });

  it('ip_address keeps the family and a prefix', async () => {
    const mask = await masker('ip_address', 'inet');
    expect(isIP(mask('192.168.1.20')!)).toBe(4);
    expect(mask('10.0.0.1/8')).toMatch(/^\d+\.\d+\.\d+\.\d+\/8$/);
    expect(isIP(mask('2001:db8::1')!)).toBe(6);
    const cidr = await masker('ip_address', 'cidr');
    const net = cidr('10.20.0.0/16')!;
    expect(net).toMatch(/^\d+\.\d+\.0\.0\/16$/);
  });

  it('date_shift moves dates within ±days and keeps time and offset', async () => {
    const mask = await masker({ masker: 'date_shift', days: 10 }, 'timestamp with time zone');
    for (const input of ['2024-02-29 12:34:56.789+01', '1999-12-31', '2024-01-01 00:00:00']) {
      const out = mask(input)!;
      const rest = input.slice(10);
      expect(out.endsWith(rest)).toBe(true);
      const delta = (Date.parse(out.slice(0, 10)) - Date.parse(input.slice(0, 10))) / 86_400_000;
      expect(Number.isNaN(delta)).toBe(false);
      expect(Math.abs(delta)).toBeLessThanOrEqual(10);
      expect(delta).not.toBe(0);
    }
    expect(mask('infinity')).toBe('infinity');
  });

  it('birth_date stays a valid date in the same 5-year block', async () => {
    const mask = await masker('birth_date', 'date');
    for (const input of ['1990-01-01', '1994-12-31', '1988-02-29', '2000-06-15']) {
      const out = mask(input)!;
      expect(Number.isNaN(Date.parse(out))).toBe(false);
      const year = Number(out.slice(0, 4));
      expect(Math.floor(year / 5)).toBe(Math.floor(Number(input.slice(0, 4)) / 5));
      expect(out).not.toBe(input);
    }
  });

  it('number_noise keeps sign, scale and range', async () => {
    const mask = await masker({ masker: 'number_noise', percent: 10 }, 'numeric(10,2)', {
      baseType: 'numeric',
    });
    const out = mask('-1234.50')!;
    expect(out).toMatch(/^-\d+\.\d{2}$/);
    expect(Math.abs(Number(out) / -1234.5 - 1)).toBeLessThanOrEqual(0.1);
    expect((await masker('number_noise', 'integer'))('2147483647')).toMatch(/^\d+$/);
    expect(Number((await masker('number_noise', 'integer'))('2147483647'))).toBeLessThanOrEqual(
      2147483647,
    );
    expect((await masker('number_noise', 'numeric'))('123456789012345678901234567890')).toMatch(
      /^\d{29,31}$/,
    );
    expect((await masker('number_noise', 'double precision'))('NaN')).toBe('NaN');
  });

  it('number_noise changes every non-zero value, even where the noise rounds away', async () => {
    const mask = await masker({ masker: 'number_noise', percent: 5 }, 'integer', {
      baseType: 'integer',
    });
    for (let n = -300; n <= 300; n++) {
      const out = mask(String(n))!;
      if (n === 0) expect(out).toBe('0');
      else expect(out, String(n)).not.toBe(String(n));
    }
    expect((await masker('number_noise', 'numeric'))('0.25')).not.toBe('0.25');
  });

  it('hash, uuid, redact_text, null, constant', async () => {
    expect((await masker('hash'))('x')).toMatch(/^[0-9a-f]{64}$/);
    expect((await masker('hash', 'character varying(20)'))('x')).toMatch(/^[0-9a-f]{20}$/);
    expect((await masker('hash', 'bytea'))('\\x0102')).toMatch(/^\\x[0-9a-f]{64}$/);
    expect((await masker('uuid', 'uuid'))('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const redacted = (await masker('redact_text'))('Hello, Wörld! Call 555-1234.')!;
    expect(Array.from(redacted)).toHaveLength(Array.from('Hello, Wörld! Call 555-1234.').length);
    expect(redacted).toMatch(/^[A-Z][a-z]{4}, [A-Z][a-z]{4}! [A-Z][a-z]{3} \d{3}-\d{4}\.$/);
    expect((await masker('null'))('anything')).toBeNull();
    expect((await masker({ masker: 'constant', value: 'redacted' }))('x')).toBe('redacted');
    expect((await masker({ masker: 'constant', value: 42 }, 'integer'))('7')).toBe('42');
  });

  it('regex keeps the capture groups and masks the rest by class', async () => {
    const mask = await masker({ masker: 'regex', pattern: '(\\d{4})$' });
    const out = mask('4111-1111-1111-1234')!;
    expect(out).toMatch(/^\d{4}-\d{4}-\d{4}-1234$/);
    expect(out.slice(0, 14)).not.toBe('4111-1111-1111');
    expect(mask('no digits here')).toMatch(/^[a-z]{2} [a-z]{6} [a-z]{4}$/);
  });
});

describe('arrays, lengths and padding', () => {
  it('masks arrays element by element, keeping NULLs, quoting and nesting', async () => {
    const mask = await masker('first_name', 'text[]');
    const single = await masker('first_name');
    const out = mask('{Ann,"Mary Jane",NULL,"NULL","a\\"b"}')!;
    expect(out).toBe(
      `{${single('Ann')},${single('Mary Jane')},NULL,${single('NULL')},${single('a"b')}}`,
    );
    const nested = (await masker('email', 'text[]'))('{{a@x.io,b@x.io},{c@x.io,NULL}}')!;
    expect(nested).toMatch(
      /^\{\{[^{},]+@example\.com,[^{},]+@example\.com\},\{[^{},]+@example\.com,NULL\}\}$/,
    );
    expect((await masker('redact_text', 'text[]'))('[0:1]={"a b",c}')).toMatch(
      /^\[0:1\]=\{"[a-z] [a-z]",[a-z]\}$/,
    );
  });

  it('respects varchar length and char padding', async () => {
    const out = (await masker('company', 'character varying(8)'))('ACME')!;
    expect(out.length).toBeLessThanOrEqual(8);
    const padded = (await masker('national_id', 'character(11)', { baseType: 'character' }))(
      '123-45-678 ',
    )!;
    expect(padded).toMatch(/^\d{3}-\d{2}-\d{3}$/);
  });
});

describe('json', () => {
  it('masks values at paths, with wildcards, and keeps everything else exactly', async () => {
    const mask = await masker(
      {
        masker: 'json',
        paths: {
          '$.email': { masker: 'email' },
          '$.items[*].card': { masker: 'payment_card' },
          "$['full name']": { masker: 'null' },
        },
      },
      'jsonb',
    );
    const email = (await masker('email'))('a@b.io');
    const doc =
      '{"email": "a@b.io", "id": 12345678901234567890, "items": [{"card": "4111111111111111", "n": 1.50}], "full name": "Ann"}';
    const out = JSON.parse(mask(doc)!) as {
      email: string;
      items: { card: string }[];
      'full name': null;
    };
    expect(out.email).toBe(email);
    expect(luhnValid(out.items[0]!.card)).toBe(true);
    expect(out.items[0]!.card).not.toBe('4111111111111111');
    expect(out['full name']).toBeNull();
    expect(mask(doc)).toContain('12345678901234567890');
    expect(mask(doc)).toContain('1.50');
  });

  it('masks a whole subtree leaf by leaf when a path points at an object', async () => {
    const mask = await masker(
      { masker: 'json', paths: { '$.person': { masker: 'redact_text' } } },
      'json',
    );
    expect(JSON.parse(mask('{"person": {"name": "Ann", "tags": ["x"]}, "keep": "me"}')!)).toEqual({
      person: {
        name: expect.stringMatching(/^[A-Z][a-z]{2}$/) as unknown,
        tags: [expect.stringMatching(/^[a-z]$/) as unknown],
      },
      keep: 'me',
    });
  });
});

describe('custom', () => {
  it('imports the module and passes a keyed hash and the column', async () => {
    const mask = await masker({ masker: 'custom', module: 'test-fixtures/mask-initials.js' });
    expect(mask('Jane')).toMatch(/^J-[0-9a-f]{8}-c$/);
    expect(mask('drop')).toBeNull();
  });

  it('fails with a clear error when the module has no mask function', async () => {
    await expect(masker({ masker: 'custom', module: 'test-fixtures/no-mask.js' })).rejects.toThrow(
      /does not export a mask function/,
    );
    await expect(masker({ masker: 'custom', module: 'test-fixtures/missing.js' })).rejects.toThrow(
      /could not be loaded/,
    );
  });
});

describe('maskerFitProblem', () => {
  it.each([
    [{ masker: 'phone' }, column('numeric'), /phone cannot mask a numeric column/],
    [{ masker: 'date_shift' }, column('text'), /date_shift cannot mask a text column/],
    [{ masker: 'json', paths: { '$.a': { masker: 'email' } } }, column('text'), /json cannot mask/],
    [{ masker: 'uuid' }, column('integer'), /uuid cannot mask/],
    [{ masker: 'first_name' }, column('text', { unique: true }), /must stay unique/],
    [{ masker: 'email' }, column('character varying(12)', { unique: true }), /needs at least 24/],
    [{ masker: 'regex', pattern: '(' }, column('text'), /regex pattern is invalid/],
    [{ masker: 'constant' }, column('text'), /constant needs a value/],
    [
      { masker: 'json', paths: { '$.a': { masker: 'regex' } } },
      column('jsonb'),
      /json path \$\.a: regex needs a pattern/,
    ],
  ] as const)('%o on %o', (spec, col, problem) => {
    expect(maskerFitProblem(spec, col)).toMatch(problem);
  });

  it.each([
    [{ masker: 'email' }, column('character varying(120)', { unique: true })],
    [{ masker: 'phone' }, column('text[]')],
    [{ masker: 'date_shift', days: 5 }, column('timestamp with time zone', { unique: true })],
    [{ masker: 'number_noise' }, column('numeric(10,2)', { baseType: 'numeric' })],
    [{ masker: 'ip_address' }, column('inet', { unique: true })],
    [{ masker: 'null' }, column('boolean')],
    [{ masker: 'json', paths: { '$.items[*].email': { masker: 'email' } } }, column('jsonb')],
  ] as const)('%o fits %o', (spec, col) => {
    expect(maskerFitProblem(spec, col)).toBeUndefined();
  });
});
