/** One gate of a promotion as a line of text: its mark (pass, fail, pending), name and reason. */
import type { GateResult } from '../../release/promotion-gates.js';
import type { Colors } from '../cli-output.js';

export function gateLine(gate: Pick<GateResult, 'gate' | 'status' | 'reason'>, c: Colors): string {
  const mark =
    gate.status === 'pass'
      ? c.green('✓ pass   ')
      : gate.status === 'fail'
        ? c.red('✗ fail   ')
        : c.yellow('… pending');
  return `  ${mark}  ${gate.gate.padEnd(12)}  ${gate.reason}`;
}
