import { describe, expect, it } from 'vitest';
import { ExitCode, UnderstudyError, isUnderstudyError } from './errors.js';

describe('UnderstudyError', () => {
  it('maps each code to the documented exit code', () => {
    expect(new UnderstudyError('E_CONFIG', 'bad').exitCode).toBe(ExitCode.badInput);
    expect(new UnderstudyError('E_BLOCKED', 'drift').exitCode).toBe(ExitCode.blocking);
    expect(new UnderstudyError('E_PENDING', 'wait').exitCode).toBe(ExitCode.pending);
    expect(new UnderstudyError('E_UNREACHABLE', 'down').exitCode).toBe(ExitCode.operational);
  });

  it('serialises to JSON without empty fields', () => {
    const error = new UnderstudyError('E_USAGE', 'unknown flag --x', { hint: 'see --help' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'E_USAGE',
      message: 'unknown flag --x',
      hint: 'see --help',
    });
    expect(isUnderstudyError(error, 'E_USAGE')).toBe(true);
    expect(isUnderstudyError(new Error('x'))).toBe(false);
  });
});
