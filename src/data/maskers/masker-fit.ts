/**
 * Whether a masker fits a column: checked for every masked column before anything is written,
 * so a sync never fails half way on a value the masker cannot produce.
 */
import { innerSpec, type ColumnInfo, type MaskerName, type MaskerSpec } from '../data-types.js';
import { parseJsonPath } from './mask-json.js';

type TypeClass =
  'text' | 'integer' | 'number' | 'date' | 'json' | 'uuid' | 'inet' | 'bytea' | 'other';

const typeClasses: Readonly<Record<string, TypeClass>> = {
  text: 'text',
  'character varying': 'text',
  varchar: 'text',
  character: 'text',
  bpchar: 'text',
  citext: 'text',
  name: 'text',
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'number',
  decimal: 'number',
  real: 'number',
  'double precision': 'number',
  date: 'date',
  'timestamp without time zone': 'date',
  'timestamp with time zone': 'date',
  timestamp: 'date',
  timestamptz: 'date',
  json: 'json',
  jsonb: 'json',
  uuid: 'uuid',
  inet: 'inet',
  cidr: 'inet',
  bytea: 'bytea',
};

/** The type classes each masker can write; `null`, `constant` and `custom` fit any column. */
const fits: Readonly<Record<MaskerName, readonly TypeClass[] | 'any'>> = {
  email: ['text'],
  first_name: ['text'],
  last_name: ['text'],
  full_name: ['text'],
  phone: ['text'],
  street_address: ['text'],
  city: ['text'],
  postal_code: ['text'],
  company: ['text'],
  username: ['text'],
  ip_address: ['text', 'inet'],
  payment_card: ['text'],
  iban: ['text'],
  national_id: ['text'],
  date_shift: ['date'],
  birth_date: ['date'],
  number_noise: ['integer', 'number'],
  hash: ['text', 'bytea'],
  uuid: ['uuid', 'text'],
  redact_text: ['text'],
  null: 'any',
  constant: 'any',
  json: ['json'],
  regex: ['text'],
  custom: 'any',
};

/** Maskers that can map two distinct values to one (picked from lists, noise, constants). */
const merging = new Set<MaskerName>([
  'first_name',
  'last_name',
  'full_name',
  'street_address',
  'city',
  'company',
  'number_noise',
  'redact_text',
  'constant',
]);

/** Shortest column that still holds enough keyed bits to keep values distinct. */
const minUniqueLength: Partial<Record<MaskerName, number>> = { email: 24, hash: 16, uuid: 36 };

/** The class of a base type; an extension's type may come schema-qualified (`public.citext`). */
function typeClass(baseType: string): TypeClass {
  const plain = baseType.replace(/\(.*\)$/, '').trim();
  return typeClasses[plain] ?? typeClasses[plain.slice(plain.lastIndexOf('.') + 1)] ?? 'other';
}

/** A one-line reason when `spec` cannot mask `column`, else undefined. */
export function maskerFitProblem(spec: MaskerSpec, column: ColumnInfo): string | undefined {
  const name = spec.masker;
  const cls = typeClass(column.baseType);
  const allowed = fits[name];
  if (allowed !== 'any' && !allowed.includes(cls))
    return `${name} cannot mask a ${column.type} column (it writes ${allowed.join(' or ')} values)`;
  if (column.unique && merging.has(name))
    return `${name} can give two rows the same value, but ${column.name} must stay unique; use hash, uuid or keep`;
  const min = minUniqueLength[name];
  if (
    column.unique &&
    min !== undefined &&
    column.maxLength !== undefined &&
    column.maxLength < min
  )
    return `${name} needs at least ${min} characters to keep ${column.name} unique, but it holds ${column.maxLength}`;
  return optionProblem(spec);
}

function optionProblem(spec: MaskerSpec): string | undefined {
  switch (spec.masker) {
    case 'constant':
      return spec.value === undefined ? 'constant needs a value' : undefined;
    case 'custom':
      return spec.module === undefined ? 'custom needs a module' : undefined;
    case 'regex':
      if (spec.pattern === undefined) return 'regex needs a pattern';
      try {
        new RegExp(spec.pattern, 'd');
      } catch (error) {
        return `regex pattern is invalid: ${(error as Error).message}`;
      }
      return undefined;
    case 'json': {
      const paths = Object.entries(spec.paths ?? {});
      if (paths.length === 0) return 'json needs paths';
      for (const [path, raw] of paths) {
        const inner = innerSpec(raw);
        if (parseJsonPath(path) === undefined) return `json path ${path} is not understood`;
        if (inner.masker === 'json') return `json path ${path}: json cannot nest inside json`;
        const problem = optionProblem(inner);
        if (problem !== undefined) return `json path ${path}: ${problem}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
