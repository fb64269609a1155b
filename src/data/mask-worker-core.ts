/**
 * Masks blocks of COPY rows with maskers made from an injected module: used inside each masking
 * thread and, with no threads, in the main one. Maskers are made once per field set and reused.
 */
import { pathToFileURL } from 'node:url';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { maskCopyBlock, type FieldMaskers } from './copy-text.js';
import type { ValueMasker } from './data-types.js';
import type { MaskedField, MaskerModule } from './mask-worker-types.js';

/** Masks COPY blocks for many field sets with one masker module, key and directory. */
export class BlockMasker {
  readonly #sets = new Map<string, Promise<FieldMaskers>>();
  #module: Promise<MaskerModule> | undefined;

  constructor(
    private readonly maskerModule: string,
    private readonly key: Buffer,
    private readonly dir: string,
  ) {}

  /** Masks every complete row of `block`. */
  async mask(
    setId: string,
    fields: readonly MaskedField[],
    block: Buffer,
  ): Promise<{ readonly data: Buffer; readonly rows: number }> {
    let maskers = this.#sets.get(setId);
    if (maskers === undefined) {
      maskers = this.#makeMaskers(fields);
      this.#sets.set(setId, maskers);
    }
    return maskCopyBlock(block, await maskers);
  }

  async #makeMaskers(fields: readonly MaskedField[]): Promise<FieldMaskers> {
    this.#module ??= loadMaskerModule(this.maskerModule);
    const module = await this.#module;
    const out = new Map<number, ValueMasker>();
    for (const field of fields) {
      out.set(
        field.index,
        await module.createValueMasker(field.spec, field.column, { key: this.key, dir: this.dir }),
      );
    }
    return out;
  }
}

/** Imports the masker module (a path or file URL) and checks it exports `createValueMasker`. */
export async function loadMaskerModule(specifier: string): Promise<MaskerModule> {
  const url = /^[a-z]+:/.test(specifier) ? specifier : pathToFileURL(specifier).href;
  let module: Partial<MaskerModule>;
  try {
    module = (await import(url)) as Partial<MaskerModule>;
  } catch (error) {
    throw new UnderstudyError(
      'E_INPUT',
      `cannot load the masker module ${specifier}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  if (typeof module.createValueMasker !== 'function') {
    throw new UnderstudyError(
      'E_INPUT',
      `the masker module ${specifier} does not export createValueMasker`,
    );
  }
  return module as MaskerModule;
}
