import { describe, expect, it } from 'vitest';
import { classifyCarriers, classifyColumn, reportThreshold, typeClassOf } from './scan-classify.js';
import {
  isBirthDate,
  isEmail,
  isIban,
  isIpAddress,
  isPaymentCard,
  isPhone,
  personalDataInside,
} from './scan-values.js';

const today = new Date('2025-06-01T00:00:00Z');
const kindOf = (column: string, type = 'text', samples: string[] = [], table = 'app.t'): string =>
  classifyColumn({ table, column, type, samples }, { today })?.kind ?? 'quiet';

const emails = ['ann@example.com', 'bob.smith@mail.example.org', 'c+tag@x.io'];
const phones = ['+49 30 1234567', '(206) 555-9857', '030-0074321', '555-1234'];
const cards = ['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005'];
const ibans = [
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  'FR1420041010050500013M02606',
];
const words = ['Beverages', 'Condiments', 'Confections', 'Dairy Products'];

describe('classifyColumn', () => {
  it.each([
    // name alone
    ['email', 'text', [], 'email'],
    ['e_mail', 'text', [], 'email'],
    ['eMail', 'character varying(80)', [], 'email'],
    ['contact_mail', 'text', [], 'email'],
    ['first_name', 'text', [], 'first_name'],
    ['fname', 'text', [], 'first_name'],
    ['givenName', 'text', [], 'first_name'],
    ['surname', 'text', [], 'last_name'],
    ['last_name', 'text', [], 'last_name'],
    ['full_name', 'text', [], 'full_name'],
    ['contact_name', 'text', [], 'full_name'],
    ['ship_name', 'text', [], 'full_name'],
    ['tel', 'text', [], 'phone'],
    ['mobile', 'text', [], 'phone'],
    ['home_phone', 'text', [], 'phone'],
    ['fax', 'text', [], 'phone'],
    ['zip', 'text', [], 'postal_code'],
    ['postcode', 'text', [], 'postal_code'],
    ['ship_postal_code', 'text', [], 'postal_code'],
    ['zip_code', 'integer', [], 'postal_code'],
    ['city', 'text', [], 'city'],
    ['address', 'text', [], 'street_address'],
    ['address_line1', 'text', [], 'street_address'],
    ['street', 'text', [], 'street_address'],
    ['dob', 'date', [], 'birth_date'],
    ['birth_date', 'date', [], 'birth_date'],
    ['DateOfBirth', 'timestamp without time zone', [], 'birth_date'],
    ['ssn', 'text', [], 'national_id'],
    ['passport_number', 'text', [], 'national_id'],
    ['card_number', 'text', [], 'payment_card'],
    ['iban', 'text', [], 'iban'],
    ['last_login_ip', 'text', [], 'ip_address'],
    ['username', 'text', [], 'username'],
    ['login', 'text', [], 'username'],
    ['company_name', 'text', [], 'company'],
    ['notes', 'text', [], 'free_text'],
    ['comment', 'text', [], 'free_text'],
    ['password_hash', 'text', [], 'credential'],
    ['api_key', 'text', [], 'credential'],
    ['reset_token', 'text', [], 'credential'],
    ['photo', 'bytea', [], 'photo'],
    ['avatar', 'bytea', [], 'photo'],
    // type alone
    ['client', 'inet', [], 'ip_address'],
    // values alone
    ['contact', 'text', emails, 'email'],
    ['reachable', 'text', phones, 'phone'],
    ['payload', 'text', cards, 'payment_card'],
    ['account', 'text', ibans, 'iban'],
    ['origin', 'text', ['10.0.0.1', '192.168.1.20', '2001:db8::1'], 'ip_address'],
    ['ident', 'text', ['123-45-6789', '234-56-7890'], 'national_id'],
    ['digest', 'text', ['$2b$12$abcdefghijklmnopqrstuv', '$argon2id$v=19$m=65536'], 'credential'],
    [
      'remarks_x',
      'text',
      ['call me at +1 415 555 0100 please', 'nothing here at all'],
      'free_text',
    ],
    ['body_text', 'text', ['write to ann@example.com', 'ok'], 'free_text'],
    ['details', 'jsonb', ['{"contact": "ann@example.com"}'], 'free_text'],
    ['name', 'text', ['Ann Smith', 'Bob Jones', 'Carla de Vries'], 'full_name'],
    ['name', 'text', [], 'full_name', 'public.users'],
  ])('%s %s %j → %s', (column, type, samples, expected, table = 'app.t') => {
    expect(kindOf(column, type, samples, table)).toBe(expected);
  });

  it.each([
    ['id', 'integer', []],
    ['customer_id', 'character varying(5)', ['ALFKI', 'ANATR']],
    ['order_id', 'text', ['123-4567', '234-5678']],
    ['amount', 'numeric(10,2)', []],
    ['unit_price', 'real', []],
    ['status', 'text', ['paid', 'open']],
    ['created_at', 'timestamp with time zone', ['2024-01-01 10:00:00+00']],
    ['hire_date', 'date', ['1992-05-01']],
    ['order_date', 'date', ['1996-07-04']],
    ['product_name', 'text', ['Chai', 'Chang', 'Outback Lager']],
    ['category_name', 'text', words],
    ['description', 'text', ['Soft drinks, coffees, teas, beers, and ales']],
    ['country', 'text', ['Germany', 'USA']],
    ['region', 'text', ['WA', 'OR']],
    ['email_verified', 'boolean', []],
    ['email_verified_at', 'timestamp with time zone', []],
    ['password_changed_at', 'timestamp with time zone', []],
    ['last_login', 'timestamp with time zone', []],
    ['session_uuid', 'uuid', []],
    ['photo_path', 'character varying(255)', ['http://accweb/employees/davolio.bmp']],
    ['quantity_per_unit', 'text', ['10 boxes x 20 bags', '24 - 12 oz bottles']],
    ['sku', 'text', ['AB-1234567', 'CD-7654321']],
    ['version', 'text', ['1.2.3', '2.0.0']],
    ['picture', 'bytea', []],
    ['address_id', 'integer', []],
    ['city_id', 'integer', []],
    ['title', 'text', ['Sales Representative', 'Vice President, Sales']],
    ['territory_description', 'text', ['Westboro', 'Bedford', 'Georgetow']],
  ])('%s %s %j → quiet', (column, type, samples) => {
    expect(kindOf(column, type, samples)).toBe('quiet');
  });

  it('keeps a name-only finding when no value matches, with lower confidence and a reason', () => {
    const samples = Array.from({ length: 12 }, (_, i) => `user${i}`);
    const finding = classifyColumn(
      { table: 'a.b', column: 'email', type: 'text', samples },
      { today },
    );
    expect(finding?.kind).toBe('email');
    expect(finding!.confidence).toBeGreaterThanOrEqual(reportThreshold);
    expect(finding!.confidence).toBeLessThan(0.85);
    expect(finding!.evidence.join(' ')).toMatch(/none of 12/);
  });

  it('combines agreeing name and value evidence above either alone', () => {
    const byName = classifyColumn({ table: 'a.b', column: 'email', type: 'text', samples: [] });
    const both = classifyColumn({ table: 'a.b', column: 'email', type: 'text', samples: emails });
    expect(both!.confidence).toBeGreaterThan(byName!.confidence);
    expect(both!.suggested).toBe('email');
  });

  it('birth dates: ages 0–120 confirm, future dates weaken', () => {
    const good = classifyColumn(
      { table: 'a.b', column: 'dob', type: 'date', samples: ['1980-02-29', '2001-12-31'] },
      { today },
    );
    const future = Array.from({ length: 10 }, () => '2090-01-01');
    const bad = classifyColumn(
      { table: 'a.b', column: 'dob', type: 'date', samples: future },
      { today },
    );
    expect(good!.confidence).toBeGreaterThan(bad!.confidence);
  });

  it('never quotes a sampled value in the evidence', () => {
    const finding = classifyColumn({ table: 'a.b', column: 'x', type: 'text', samples: emails });
    expect(JSON.stringify(finding)).not.toContain('example.com');
  });

  it('maps kinds to maskers', () => {
    expect(
      classifyColumn({ table: 'a.b', column: 'notes', type: 'text', samples: [] })?.suggested,
    ).toBe('redact_text');
    expect(
      classifyColumn({ table: 'a.b', column: 'token', type: 'text', samples: [] })?.suggested,
    ).toBe('hash');
  });
});

describe('value checks', () => {
  it('Luhn, IBAN mod-97, IP parse, phone, e-mail', () => {
    expect(cards.every(isPaymentCard)).toBe(true);
    expect(isPaymentCard('4111 1111 1111 1112')).toBe(false);
    expect(isPaymentCard('1234567890123')).toBe(false);
    expect(ibans.every(isIban)).toBe(true);
    expect(isIban('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(
      ['1.2.3.4', '::1', 'fe80::1%eth0', '::ffff:10.0.0.1', '10.0.0.0/8'].every(isIpAddress),
    ).toBe(true);
    expect(['256.1.1.1', '1.2.3', ':::', '1::2::3', 'g::1'].some(isIpAddress)).toBe(false);
    expect(phones.every(isPhone)).toBe(true);
    expect(['2024-01-31', '12/31/2020', '12345', '1234567.89', '10.0.0.1'].some(isPhone)).toBe(
      false,
    );
    expect(emails.every(isEmail)).toBe(true);
    expect(isEmail('not an @ email')).toBe(false);
  });

  it('birth dates are real calendar dates with ages 0–120', () => {
    expect(isBirthDate('1948-12-08', today)).toBe(true);
    expect(isBirthDate('2023-02-30', today)).toBe(false);
    expect(isBirthDate('1890-01-01', today)).toBe(false);
    expect(isBirthDate('2030-01-01', today)).toBe(false);
  });

  it('finds personal data inside free text', () => {
    expect(personalDataInside('mail ann@example.com today')).toEqual(['email']);
    expect(personalDataInside('call (206) 555-9857 after 5')).toEqual(['phone']);
    expect(personalDataInside('card 4111 1111 1111 1111 expired')).toContain('card');
    expect(personalDataInside('pay to DE89 3704 0044 0532 0130 00')).toContain('iban');
    expect(personalDataInside('BA in psychology from Colorado State University in 1970.')).toEqual(
      [],
    );
    expect(personalDataInside('shipped 2024-01-31 12:30, 3 boxes')).toEqual([]);
  });

  it('classifies types', () => {
    expect(typeClassOf('character varying(40)')).toBe('text');
    expect(typeClassOf('text[]')).toBe('text');
    expect(typeClassOf('timestamp with time zone')).toBe('date');
    expect(typeClassOf('boolean')).toBe('never');
    expect(typeClassOf('app.mood')).toBe('text');
  });
});

describe('classifyCarriers', () => {
  const finding = (kind: 'last_name' | 'company' | 'city') => ({
    kind,
    confidence: 0.8,
    evidence: [],
    suggested: kind,
  });
  const columns = [
    { column: 'last_name', type: 'text', finding: finding('last_name') },
    { column: 'city', type: 'text', finding: finding('city') },
    { column: 'photo_path', type: 'text', finding: undefined },
    { column: 'region', type: 'text', finding: undefined },
    { column: 'display', type: 'text', finding: undefined, generated: true },
    { column: 'code', type: 'text', finding: undefined },
  ];

  it("flags a text column that repeats the row's personal data, naming the column, not the value", () => {
    const rows = [
      ['Davolio', 'Seattle', 'http://intranet/davolio.bmp', 'WA', 'Davolio N', 'DAVOL'],
      ['Fuller', 'Tacoma', 'http://intranet/fuller.bmp', 'WA', 'Fuller A', 'FULLE'],
      ['King', 'London', 'http://intranet/kingston.bmp', 'London', 'King R', 'KINGS'],
    ];
    const found = classifyCarriers('hr.employees', columns, rows);
    expect([...found.keys()]).toEqual(['photo_path']);
    expect(found.get('photo_path')).toMatchObject({
      kind: 'free_text',
      suggested: 'redact_text',
      evidence: ["2 of 3 sampled rows repeat the row's hr.employees.last_name"],
    });
    expect(JSON.stringify(found.get('photo_path'))).not.toMatch(/davolio|fuller/i);
  });

  it('ignores places, short values and columns already flagged', () => {
    const rows = [['Li', 'Cork', '/photos/li.bmp', 'Co. Cork', null, 'x']];
    expect(classifyCarriers('hr.employees', columns, rows).size).toBe(0);
  });
});
