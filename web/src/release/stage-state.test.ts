import { describe, expect, it } from 'vitest';
import type { Deployment, Stage } from '../api/api-types.js';
import { needsApprovals, nextStage, stageState } from './stage-state.js';

const deployment = (status: Deployment['status']): Deployment => ({
  id: 1,
  env: 'staging',
  version: 'v2',
  kind: 'deploy',
  status,
  requestedBy: 'ana',
  holder: 'host:1',
  startedAt: '2026-11-21T08:00:00.000Z',
  heartbeatAt: '2026-11-21T08:00:00.000Z',
});

const stage = (over: Partial<Stage>): Stage => ({
  env: 'staging',
  protected: false,
  gates: [],
  deployed: null,
  current: false,
  ...over,
});

describe('stageState', () => {
  it('says current before anything else, then deploying, blocked, waiting, ready', () => {
    const fail = { gate: 'parity', status: 'fail' as const, reason: 'drift' };
    const pending = { gate: 'approvals', status: 'pending' as const, reason: '0 of 1' };
    expect(stageState(stage({ current: true, gates: [fail] })).label).toBe('current');
    expect(stageState(stage({ deployed: deployment('verifying') })).label).toBe('deploying');
    expect(stageState(stage({ gates: [pending, fail] }))).toMatchObject({
      label: 'blocked',
      detail: 'parity failed',
    });
    expect(stageState(stage({ gates: [pending] })).label).toBe('waiting');
    expect(stageState(stage({ deployed: deployment('succeeded') })).label).toBe('deployed');
    expect(stageState(stage({})).label).toBe('ready');
  });
});

describe('nextStage and needsApprovals', () => {
  it('picks the first stage not running the release, and sees an approvals gate', () => {
    const stages = [
      stage({ env: 'staging', current: true }),
      stage({ env: 'production', gates: [{ gate: 'approvals', status: 'pending', reason: '' }] }),
    ];
    expect(nextStage(stages)?.env).toBe('production');
    expect(stages.map(needsApprovals)).toEqual([false, true]);
  });
});
