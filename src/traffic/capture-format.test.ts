import { describe, expect, it } from 'vitest';
import { CAPTURE_FILE_PATTERN, captureFileName, isCaptureRecord } from './capture-format.js';

describe('capture format', () => {
  it('names files by UTC start and sequence, sortable and matching the pattern', () => {
    const name = captureFileName(new Date('2026-11-21T10:15:00.123Z'), 7);
    expect(name).toBe('capture-20261121T101500Z-0007.ndjson.gz');
    expect(CAPTURE_FILE_PATTERN.test(name)).toBe(true);
    expect(captureFileName(new Date('2026-11-21T10:15:00Z'), 12) > name).toBe(true);
  });

  it('tells a record from other JSON', () => {
    const record = {
      type: 'exchange',
      id: '1',
      session: 's',
      startedAt: '2026-11-21T10:15:00.000Z',
      durationMs: 3,
      request: { method: 'GET', url: '/', httpVersion: '1.1', headers: [] },
      redactions: [],
    };
    expect(isCaptureRecord(record)).toBe(true);
    expect(isCaptureRecord({ ...record, type: 'header' })).toBe(false);
    expect(isCaptureRecord({ ...record, request: { method: 'GET' } })).toBe(false);
    expect(isCaptureRecord(null)).toBe(false);
  });
});
