/**
 * The live view of a running `data sync` on a terminal, pure: fed the engine's progress events,
 * it returns the lines to draw — one summary line (phase, tables done, rows, rows/s, ETA, time
 * so far) and one per table being copied (rows of about how many, rows/s, ETA).
 *
 * ETAs come from the source's row statistics (`reltuples`) and the rate so far; a table never
 * analysed has no estimate and shows none. A subset or `where` copies fewer rows than its
 * table's estimate, so an ETA there errs long, never short. A table past its estimate shows none.
 */
import type { SyncProgressEvent } from '../../data/sync-plan-types.js';
import { formatDuration } from '../../shared/duration.js';

interface TableState {
  rows: number;
  estimated: number;
  started: number;
  done: boolean;
}

const count = (n: number): string => Math.round(n).toLocaleString('en');

/** Seconds left at `rate` rows/s for `left` rows, as text; '' when unknown. */
function eta(left: number, rate: number): string {
  if (!(left > 0) || !(rate > 0)) return '';
  return `ETA ${formatDuration((left / rate) * 1000)}`;
}

export class SyncProgressView {
  private phase = 'snapshot';
  private estimatedTotal = 0;
  private loadStarted: number;
  private readonly tables = new Map<string, TableState>();

  constructor(
    private readonly tableCount: number,
    private readonly started: number,
  ) {
    this.loadStarted = started;
  }

  /** Takes one event; `now` in milliseconds. */
  update(event: SyncProgressEvent, now: number): void {
    if (event.type === 'phase') {
      this.phase = event.phase;
      if (event.phase === 'load') this.loadStarted = now;
      if (event.estimatedRows !== undefined) this.estimatedTotal = event.estimatedRows;
      return;
    }
    const state = this.tables.get(event.table) ?? {
      rows: 0,
      estimated: event.estimatedRows,
      // First seen with rows already copied: it started no later than the load did.
      started: event.rows === 0 ? now : this.loadStarted,
      done: false,
    };
    state.rows = event.rows;
    state.done = event.done;
    this.tables.set(event.table, state);
  }

  /** The lines to draw at `now`: the summary, then the tables being copied (at most `max`). */
  lines(now: number, max = 8): string[] {
    const elapsed = Math.max(0.001, (now - this.started) / 1000);
    let rows = 0;
    let done = 0;
    for (const t of this.tables.values()) {
      rows += t.rows;
      if (t.done) done++;
    }
    const rate = rows / elapsed;
    const summary = [
      `${this.phase}`,
      `${done}/${this.tableCount} tables`,
      `${count(rows)} rows`,
      `${count(rate)} rows/s`,
      this.phase === 'load' ? eta(this.estimatedTotal - rows, rate) : '',
      formatDuration(now - this.started),
    ].filter((part) => part !== '');
    const out = [summary.join(' · ')];
    if (this.phase !== 'load') return out;
    const active = [...this.tables.entries()].filter(([, t]) => !t.done);
    const width = Math.max(0, ...active.map(([name]) => name.length));
    for (const [name, t] of active.slice(0, max)) {
      const seconds = Math.max(0.001, (now - t.started) / 1000);
      const tableRate = t.rows / seconds;
      const of = t.estimated > t.rows ? ` of ~${count(t.estimated)}` : '';
      const parts = [
        `  ${name.padEnd(width)}`,
        `${count(t.rows)}${of} rows`,
        `${count(tableRate)} rows/s`,
        eta(t.estimated - t.rows, tableRate),
      ].filter((part) => part !== '');
      out.push(parts.join('  '));
    }
    if (active.length > max) out.push(`  … and ${active.length - max} more`);
    return out;
  }
}
