/**
 * The pipeline drawn: one box per stage in order, arrows between, each saying whether the
 * release runs there, is blocked, waits, or is ready. A box is a button that selects the stage.
 */
import type { ReactNode } from 'react';
import type { Stage } from '../api/api-types.js';
import { Badge, TimeAgo } from '../components/common.js';
import { stageState } from './stage-state.js';

export function PipelineView(props: {
  stages: readonly Stage[];
  selected: string | undefined;
  onSelect: (env: string) => void;
}): ReactNode {
  return (
    <ol className="pipeline" aria-label="Pipeline">
      {props.stages.map((stage, i) => {
        const state = stageState(stage);
        const selected = stage.env === props.selected;
        return (
          <li key={stage.env} className="pipeline-item">
            <button
              type="button"
              className={`stage-box stage-${state.tone}${selected ? ' stage-selected' : ''}`}
              aria-pressed={selected}
              onClick={() => props.onSelect(stage.env)}
            >
              <span className="stage-name">
                <span className="visually-hidden">Stage {i + 1}: </span>
                {stage.env}
              </span>
              {stage.protected ? <span className="stage-protected">protected</span> : null}
              <span className="stage-state">
                <Badge tone={state.tone}>{state.label}</Badge>
              </span>
              <span className="stage-detail">{state.detail}</span>
              {stage.current || stage.running === undefined || stage.running === null ? null : (
                <span className="stage-detail">runs {stage.running}</span>
              )}
              {stage.deployed === null ? null : (
                <span className="stage-detail">
                  {stage.deployed.kind === 'rollback' ? 'rolled back ' : 'deployed '}
                  <TimeAgo at={stage.deployed.finishedAt ?? stage.deployed.startedAt} />
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ol>
  );
}
