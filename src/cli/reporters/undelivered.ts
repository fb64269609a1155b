/** Says on stderr which webhooks could not be told of something (the action itself stands). */
import type { NotifyFailure } from '../../notify/notify.js';
import type { Output } from '../cli-output.js';

export function warnUndelivered(output: Output, failures: readonly NotifyFailure[]): void {
  for (const f of failures)
    output.note(`${output.color.yellow('!')} could not notify ${f.url} of ${f.event}: ${f.reason}`);
}
