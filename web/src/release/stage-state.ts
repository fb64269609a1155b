/**
 * What one stage of the pipeline shows for a release: running it now, deploying, deployed once
 * (something else runs now), blocked by a failed gate, waiting on a pending one, or ready. Pure.
 */
import type { Stage } from '../api/api-types.js';
import type { Tone } from '../format.js';

export interface StageState {
  readonly label: 'current' | 'deploying' | 'deployed' | 'failed' | 'blocked' | 'waiting' | 'ready';
  readonly tone: Tone;
  readonly detail: string;
}

export function stageState(stage: Stage): StageState {
  const deployed = stage.deployed;
  if (stage.current) return { label: 'current', tone: 'good', detail: 'runs this release' };
  if (deployed !== null && (deployed.status === 'deploying' || deployed.status === 'verifying'))
    return { label: 'deploying', tone: 'warn', detail: `${deployed.status} now` };
  const failed = stage.gates.filter((g) => g.status === 'fail');
  const pending = stage.gates.filter((g) => g.status === 'pending');
  if (failed.length > 0)
    return {
      label: 'blocked',
      tone: 'bad',
      detail: `${failed.map((g) => g.gate).join(', ')} failed`,
    };
  if (pending.length > 0)
    return {
      label: 'waiting',
      tone: 'warn',
      detail: `waiting on ${pending.map((g) => g.gate).join(', ')}`,
    };
  if (deployed !== null && deployed.status === 'succeeded')
    return {
      label: 'deployed',
      tone: 'neutral',
      detail: 'deployed before; another version runs now',
    };
  if (deployed !== null && deployed.status !== 'succeeded')
    return { label: 'failed', tone: 'bad', detail: `last deploy ${deployed.status}` };
  return { label: 'ready', tone: 'info', detail: 'every gate passes' };
}

/** The stage a person most likely acts on: the first that does not run this release yet. */
export function nextStage(stages: readonly Stage[]): Stage | undefined {
  return stages.find((s) => !s.current) ?? stages[stages.length - 1];
}

/** Whether the stage asks for approvals (it has an approvals gate). */
export function needsApprovals(stage: Stage): boolean {
  return stage.gates.some((g) => g.gate === 'approvals');
}
