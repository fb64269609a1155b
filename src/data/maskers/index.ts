/**
 * Entry point of the maskers: builds the ValueMasker of one column from its MaskerSpec, and
 * says ahead of time whether a masker fits a column. Outputs depend only on (key, masker name,
 * options, value) — never on the table or column — so a value masks the same way in every
 * column it appears in, and joins still join.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnderstudyError } from '../../shared/errors.js';
import { innerSpec, type ColumnInfo, type MaskerSpec, type ValueMasker } from '../data-types.js';
import { deriveSubkey, prfFor, type KeyedPrf } from './keyed-prf.js';
import { createBirthDateMasker, createDateShiftMasker } from './mask-dates.js';
import {
  createCityMasker,
  createCompanyMasker,
  createEmailMasker,
  createFirstNameMasker,
  createFullNameMasker,
  createLastNameMasker,
  createShapeMasker,
  createStreetAddressMasker,
} from './mask-identity.js';
import { createJsonMasker, parseJsonPath } from './mask-json.js';
import {
  createIbanMasker,
  createIpAddressMasker,
  createPaymentCardMasker,
  createPhoneMasker,
} from './mask-numbers.js';
import {
  constantText,
  createHashMasker,
  createNumberNoiseMasker,
  createRedactTextMasker,
  createRegexMasker,
  createUuidMasker,
} from './mask-values.js';
import { fitLength, type MaskerContext, type TextMasker } from './masker-context.js';
import { mapArrayLiteral } from './pg-array.js';

export { maskerFitProblem } from './masker-fit.js';

/** Options of `createValueMasker`: the masking key and the directory custom modules resolve from. */
export interface MaskerOptions {
  readonly key: Buffer;
  readonly dir: string;
}

/** The column a masker inside a JSON document sees. */
const jsonLeafColumn: ColumnInfo = {
  table: '',
  name: '',
  type: 'text',
  baseType: 'text',
  isArray: false,
  unique: false,
};

/** Builds the masker of one column; async only because `custom` imports a module. */
export async function createValueMasker(
  spec: MaskerSpec,
  column: ColumnInfo,
  options: MaskerOptions,
): Promise<ValueMasker> {
  const element: ColumnInfo = column.isArray ? { ...column, isArray: false } : column;
  const mask = await createElementMasker(spec, element, options);
  // char(n) arrives blank-padded; mask the value, PostgreSQL pads again on the way in.
  const padded = column.baseType === 'character' || column.baseType === 'bpchar';
  const fitted: TextMasker = padded
    ? (text) => limit(mask(text.replace(/ +$/, '')), column.maxLength)
    : (text) => limit(mask(text), column.maxLength);
  return column.isArray ? (text) => mapArrayLiteral(text, fitted) : fitted;
}

function limit(text: string | null, max: number | undefined): string | null {
  return text === null ? null : fitLength(text, max);
}

async function createElementMasker(
  spec: MaskerSpec,
  column: ColumnInfo,
  options: MaskerOptions,
): Promise<TextMasker> {
  const prfs = new Map<string, KeyedPrf>();
  const ctx: MaskerContext = {
    spec,
    column,
    key: options.key,
    dir: options.dir,
    prf(label) {
      let prf = prfs.get(label);
      if (prf === undefined) {
        prf = prfFor(options.key, label);
        prfs.set(label, prf);
      }
      return prf;
    },
  };
  switch (spec.masker) {
    case 'email':
      return createEmailMasker(ctx);
    case 'first_name':
      return createFirstNameMasker(ctx);
    case 'last_name':
      return createLastNameMasker(ctx);
    case 'full_name':
      return createFullNameMasker(ctx);
    case 'phone':
      return createPhoneMasker(ctx);
    case 'street_address':
      return createStreetAddressMasker(ctx);
    case 'city':
      return createCityMasker(ctx);
    case 'postal_code':
    case 'username':
    case 'national_id':
      return createShapeMasker(ctx, spec.masker);
    case 'company':
      return createCompanyMasker(ctx);
    case 'ip_address':
      return createIpAddressMasker(ctx);
    case 'payment_card':
      return createPaymentCardMasker(ctx);
    case 'iban':
      return createIbanMasker(ctx);
    case 'date_shift':
      return createDateShiftMasker(ctx);
    case 'birth_date':
      return createBirthDateMasker(ctx);
    case 'number_noise':
      return createNumberNoiseMasker(ctx);
    case 'hash':
      return createHashMasker(ctx);
    case 'uuid':
      return createUuidMasker(ctx);
    case 'redact_text':
      return createRedactTextMasker(ctx);
    case 'null':
      return () => null;
    case 'constant': {
      const value = constantText(spec.value);
      return () => value;
    }
    case 'regex':
      return createRegexMasker(ctx);
    case 'json':
      return createJsonPathsMasker(spec, options);
    case 'custom':
      return createCustomMasker(spec, column, options);
  }
}

async function createJsonPathsMasker(
  spec: MaskerSpec,
  options: MaskerOptions,
): Promise<TextMasker> {
  const paths = [];
  for (const [jsonPath, inner] of Object.entries(spec.paths ?? {})) {
    const steps = parseJsonPath(jsonPath);
    if (steps === undefined)
      throw new UnderstudyError('E_CONFIG', `json path ${jsonPath} is not understood`);
    paths.push({
      steps,
      mask: await createElementMasker(innerSpec(inner), jsonLeafColumn, options),
    });
  }
  return createJsonMasker(paths);
}

/** What a custom module's `mask` receives besides the value. */
export interface CustomMaskContext {
  readonly column: ColumnInfo;
  /** Hex of a keyed HMAC-SHA256 of `text`: deterministic per key, useless without it. */
  hash(text: string): string;
}

type CustomMask = (value: string, context: CustomMaskContext) => unknown;

async function createCustomMasker(
  spec: MaskerSpec,
  column: ColumnInfo,
  options: MaskerOptions,
): Promise<TextMasker> {
  const file = path.resolve(options.dir, spec.module ?? '');
  let mod: { mask?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { mask?: unknown };
  } catch (error) {
    throw new UnderstudyError(
      'E_CONFIG',
      `custom masker ${spec.module ?? ''} could not be loaded`,
      {
        hint: 'Check the module path (relative to understudy.yaml) and that it is valid JavaScript.',
        cause: error,
      },
    );
  }
  if (typeof mod.mask !== 'function')
    throw new UnderstudyError(
      'E_CONFIG',
      `custom masker ${spec.module ?? ''} does not export a mask function`,
      {
        hint: 'Export `function mask(value, context)` returning a string or null.',
      },
    );
  const mask = mod.mask as CustomMask;
  const subkey = deriveSubkey(options.key, 'custom');
  const context: CustomMaskContext = {
    column,
    hash: (text) => createHmac('sha256', subkey).update(text).digest('hex'),
  };
  return (text) => {
    const out = mask(text, context);
    if (out === null || typeof out === 'string') return out;
    throw new UnderstudyError(
      'E_OPERATION',
      `custom masker ${spec.module ?? ''} returned ${typeof out}, not a string or null`,
    );
  };
}
