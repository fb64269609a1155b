/** Parsers for command-line values, shared by every command so one mistake reads the same everywhere. */
import { InvalidArgumentError } from 'commander';

/** A commander parser for whole numbers in a range, with a message that says which. */
export function wholeNumber(
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < minimum || n > maximum) {
      const range =
        maximum === Number.MAX_SAFE_INTEGER
          ? `of at least ${minimum}`
          : `from ${minimum} to ${maximum}`;
      throw new InvalidArgumentError(`must be a whole number ${range}`);
    }
    return n;
  };
}
