import { describe, expect, it } from 'vitest';
import { SyncProgressView } from './sync-progress.js';

describe('SyncProgressView', () => {
  it('shows rows, rate and ETA overall and per table while loading', () => {
    const view = new SyncProgressView(3, 0);
    view.update({ type: 'phase', phase: 'load', estimatedRows: 30_000 }, 0);
    view.update(
      {
        type: 'table',
        table: 'public.orders',
        rows: 0,
        bytes: 0,
        done: false,
        estimatedRows: 20_000,
      },
      0,
    );
    view.update(
      {
        type: 'table',
        table: 'public.orders',
        rows: 5_000,
        bytes: 1,
        done: false,
        estimatedRows: 20_000,
      },
      1_000,
    );
    view.update(
      {
        type: 'table',
        table: 'public.customers',
        rows: 10_000,
        bytes: 1,
        done: true,
        estimatedRows: 10_000,
      },
      2_000,
    );
    expect(view.lines(2_000)).toEqual([
      'load · 1/3 tables · 15,000 rows · 7,500 rows/s · ETA 2s · 2s',
      '  public.orders  5,000 of ~20,000 rows  2,500 rows/s  ETA 6s',
    ]);
  });

  it('shows no ETA without statistics, and only the summary outside the load', () => {
    const view = new SyncProgressView(1, 0);
    view.update({ type: 'phase', phase: 'load', estimatedRows: 0 }, 0);
    view.update(
      { type: 'table', table: 'app.t', rows: 100, bytes: 1, done: false, estimatedRows: 0 },
      1_000,
    );
    expect(view.lines(1_000)).toEqual([
      'load · 0/1 tables · 100 rows · 100 rows/s · 1s',
      '  app.t  100 rows  100 rows/s',
    ]);
    view.update({ type: 'phase', phase: 'post-data' }, 2_000);
    expect(view.lines(2_000)).toEqual(['post-data · 0/1 tables · 100 rows · 50 rows/s · 2s']);
  });
});
