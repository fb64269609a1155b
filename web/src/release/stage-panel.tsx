/**
 * The selected stage: each gate with its status and reason, and the actions — Promote (POST
 * /promotions, a job), Roll back where this release runs (POST /rollbacks, a job), Approve and
 * Reject (POST /approvals) — asking for a TOTP code where the
 * environment is protected, for every approval, and whenever the server asks for one.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, apiRequest } from '../api/api-client.js';
import type { Job, Stage } from '../api/api-types.js';
import { Badge, ErrorNotice } from '../components/common.js';
import { useStepUp } from '../components/totp-dialog.js';
import { useLiveStore } from '../live/live-context.js';
import { links } from '../router.js';
import { needsApprovals } from './stage-state.js';

export function StagePanel(props: {
  version: string;
  stage: Stage;
  /** A promotion into this stage runs now (from here or elsewhere). */
  busy: boolean;
  onPromotion: (job: Job) => void;
  onDecision: () => void;
}): ReactNode {
  const { version, stage } = props;
  const live = useLiveStore();
  const stepUp = useStepUp();
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const titleId = `stage-${stage.env}-title`;

  const act = async (run: () => Promise<boolean>): Promise<void> => {
    setError(undefined);
    setMessage(undefined);
    try {
      await run();
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) }),
      );
    }
  };

  const promote = (): Promise<void> =>
    act(() =>
      stepUp.run({
        title: `Promote ${version} to ${stage.env}`,
        confirmLabel: 'Promote',
        description: `${stage.env} is protected: confirm with a current code.`,
        askFirst: stage.protected,
        send: async (totp) => {
          const answer = await apiRequest<{ job: Job }>('POST', '/promotions', {
            version,
            env: stage.env,
            ...(totp === undefined ? {} : { totp }),
          });
          live.putJobs([answer.job]);
          props.onPromotion(answer.job);
        },
      }),
    );

  /** Deploys, by hand, the version that ran here before this one (POST /rollbacks, a job). */
  const rollBack = (): Promise<void> =>
    act(() =>
      stepUp.run({
        title: `Roll ${stage.env} back from ${version}`,
        confirmLabel: 'Roll back',
        description: `${stage.env} is protected: confirm with a current code.`,
        askFirst: stage.protected,
        send: async (totp) => {
          const answer = await apiRequest<{ job: Job }>('POST', '/rollbacks', {
            env: stage.env,
            ...(totp === undefined ? {} : { totp }),
          });
          live.putJobs([answer.job]);
          props.onPromotion(answer.job);
        },
      }),
    );

  /** An admin's request to deploy through the freeze, with the reason (a second person agrees). */
  const breakGlass = (): Promise<void> =>
    act(() =>
      stepUp.run({
        title: `Break the glass: deploy ${version} to ${stage.env} through the freeze`,
        confirmLabel: 'Break glass',
        description:
          'Admins only, with a current code. A second person must agree before it deploys; the override is used once.',
        withReason: true,
        askFirst: true,
        send: async (totp, reason) => {
          const answer = await apiRequest<{ job: Job }>('POST', '/promotions', {
            version,
            env: stage.env,
            breakGlass: reason ?? 'break-glass from the dashboard',
            ...(totp === undefined ? {} : { totp }),
          });
          live.putJobs([answer.job]);
          props.onPromotion(answer.job);
        },
      }),
    );

  /** A second person agrees to an admin's break-glass request (POST /approvals). */
  const agree = (): Promise<void> =>
    act(() =>
      stepUp.run({
        title: `Agree to deploy ${version} to ${stage.env} through the freeze`,
        confirmLabel: 'Agree to break glass',
        description: 'You, not the admin who asked; with a current code.',
        askFirst: true,
        send: async (totp) => {
          await apiRequest('POST', '/approvals', {
            version,
            env: stage.env,
            decision: 'approve',
            breakGlass: true,
            totp,
          });
          setMessage(`You agreed to break the glass for ${version} in ${stage.env}.`);
          props.onDecision();
        },
      }),
    );

  const frozen = stage.gates.some((g) => g.gate === 'freeze' && g.status !== 'pass');

  const decide = (decision: 'approve' | 'reject'): Promise<void> =>
    act(() =>
      stepUp.run({
        title: `${decision === 'approve' ? 'Approve' : 'Reject'} ${version} for ${stage.env}`,
        confirmLabel: decision === 'approve' ? 'Approve' : 'Reject',
        description:
          decision === 'approve'
            ? 'Your approval binds to this release and the evidence as it stands now.'
            : 'A rejection blocks this promotion until you approve again.',
        withReason: true,
        askFirst: true,
        send: async (totp, reason) => {
          await apiRequest('POST', '/approvals', {
            version,
            env: stage.env,
            decision,
            totp,
            // The server takes `comment` (the contract wrote `reason`).
            ...(reason === undefined ? {} : { comment: reason }),
          });
          setMessage(
            decision === 'approve'
              ? `You approved ${version} for ${stage.env}.`
              : `You rejected ${version} for ${stage.env}.`,
          );
          props.onDecision();
        },
      }),
    );

  return (
    <section className="card stage-panel" aria-labelledby={titleId}>
      <div className="stage-panel-head">
        <h2 id={titleId}>
          Gates for {stage.env} {stage.protected ? <Badge tone="info">protected</Badge> : null}
        </h2>
        <div className="button-row">
          <button
            type="button"
            className="button button-primary"
            disabled={props.busy}
            onClick={() => void promote()}
          >
            Promote
          </button>
          {stage.current ? (
            <button
              type="button"
              className="button"
              disabled={props.busy}
              onClick={() => void rollBack()}
            >
              Roll back
            </button>
          ) : null}
          {frozen ? (
            <>
              <button type="button" className="button" onClick={() => void breakGlass()}>
                Break glass
              </button>
              <button type="button" className="button" onClick={() => void agree()}>
                Agree to break glass
              </button>
            </>
          ) : null}
          {needsApprovals(stage) ? (
            <>
              <button type="button" className="button" onClick={() => void decide('approve')}>
                Approve
              </button>
              <button
                type="button"
                className="button button-danger"
                onClick={() => void decide('reject')}
              >
                Reject
              </button>
            </>
          ) : null}
        </div>
      </div>
      {stepUp.dialog}
      {stage.gates.length === 0 ? (
        <p className="muted">No gate guards {stage.env}.</p>
      ) : (
        <ul className="gates">
          {stage.gates.map((g) => (
            <li key={g.gate} className={`gate gate-${g.status}`}>
              <span className="gate-status">
                <Badge>{g.status}</Badge>
              </span>
              <span className="gate-name">{g.gate}</span>
              <span className="gate-reason">
                {g.reason} <EvidenceLink gate={g.gate} evidence={g.evidence} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <div aria-live="polite">
        {message === undefined ? null : <p className="notice notice-good">{message}</p>}
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}

/** A link to the report a gate rests on (`report:12` of the parity, replay or data gate). */
function EvidenceLink(props: { gate: string; evidence: string | undefined }): ReactNode {
  const id = /^report:(\d+)$/.exec(props.evidence ?? '')?.[1];
  if (id === undefined) return null;
  const href =
    props.gate === 'parity'
      ? links.parityReport(id)
      : props.gate === 'replay'
        ? links.replayReport(id)
        : props.gate === 'data'
          ? links.syncReport(id)
          : undefined;
  if (href === undefined) return null;
  return (
    <a href={href} className="small">
      see report {id}
    </a>
  );
}
