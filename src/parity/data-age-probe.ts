/**
 * The data-age probe: how long ago staging last received a masked copy of production's data,
 * against the configured maximum. Pure: the runner looks up the last sync in the store.
 */
import { formatDuration } from '../shared/duration.js';
import { driftPath, type ProbeResult } from './drift.js';

/** Kind of the stored report a data sync leaves behind; its subject is the target environment. */
export const DATA_SYNC_REPORT_KIND = 'data-sync';

export interface DataAgeInput {
  readonly env: string;
  /** The configured maximum in milliseconds; undefined when none is set. */
  readonly maxAgeMs: number | undefined;
  /** When the last successful sync into `env` finished; undefined when none is recorded. */
  readonly lastSync: Date | undefined;
  readonly now: Date;
}

/** Judges the data age of `env`. */
export function judgeDataAge(input: DataAgeInput): ProbeResult {
  if (input.maxAgeMs === undefined) {
    return {
      probe: 'data-age',
      status: 'skipped',
      reason: 'no maximum data age is set (parity.maxDataAge)',
      compared: 0,
      differences: [],
    };
  }
  const path = driftPath('data-age', input.env);
  const limit = formatDuration(input.maxAgeMs);
  if (input.lastSync === undefined) {
    return {
      probe: 'data-age',
      status: 'compared',
      compared: 1,
      facts: { lastSync: null, maxAge: limit },
      differences: [
        {
          probe: 'data-age',
          path,
          kind: 'missing',
          severity: 'breaking',
          againstValue: `at most ${limit} old`,
          note: `no masked sync into ${input.env} has been recorded`,
        },
      ],
    };
  }
  const age = input.now.getTime() - input.lastSync.getTime();
  const facts = { lastSync: input.lastSync.toISOString(), age: formatDuration(age), maxAge: limit };
  if (age <= input.maxAgeMs)
    return { probe: 'data-age', status: 'compared', compared: 1, facts, differences: [] };
  return {
    probe: 'data-age',
    status: 'compared',
    compared: 1,
    facts,
    differences: [
      {
        probe: 'data-age',
        path,
        kind: 'changed',
        severity: 'breaking',
        envValue: `${formatDuration(age)} old`,
        againstValue: `at most ${limit} old`,
        note: `${input.env}'s data was last synced ${input.lastSync.toISOString()}`,
      },
    ],
  };
}
