/**
 * One release: what it is, the pipeline with each stage's gates, Promote / Approve / Reject for
 * the selected stage, the live deploy log of a promotion, CI checks and deployments with logs.
 */
import { useCallback, useState } from 'react';
import type { ReactNode } from 'react';
import { segment } from '../api/api-client.js';
import type { CheckResult, Deployment, Job, Release, Stage } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import {
  Badge,
  EmptyState,
  Loaded,
  PageHeader,
  TimeAgo,
  VisuallyHidden,
} from '../components/common.js';
import { formatTime } from '../format.js';
import { useJobs } from '../live/live-context.js';
import { DeploymentLog, PromotionActivity } from '../release/deploy-activity.js';
import { PipelineView } from '../release/pipeline-view.js';
import { StagePanel } from '../release/stage-panel.js';
import { nextStage } from '../release/stage-state.js';
import { links } from '../router.js';

interface ReleaseDetail {
  readonly release: Release;
  readonly checks: readonly CheckResult[];
  readonly deployments: readonly Deployment[];
  readonly stages: readonly Stage[];
}

export function ReleasePage(props: { version: string }): ReactNode {
  const detail = useResource<ReleaseDetail>(`/releases/${segment(props.version)}`);
  return (
    <Loaded resource={detail} what={`release ${props.version}`}>
      {(data) => <ReleaseView key={data.release.version} detail={data} reload={detail.reload} />}
    </Loaded>
  );
}

function ReleaseView(props: { detail: ReleaseDetail; reload: () => void }): ReactNode {
  const { release, stages, checks, deployments } = props.detail;
  const { reload } = props;
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [jobId, setJobId] = useState<string | undefined>(undefined);
  const jobs = useJobs();
  const selected = stages.find((s) => s.env === chosen) ?? nextStage(stages);
  const job = jobs.find((j) => j.id === jobId);
  const inProgress = deployments.filter(
    (d) => d.status === 'deploying' || d.status === 'verifying',
  );
  const elsewhere = inProgress.filter((d) => d.id !== job?.deploymentId);
  const onFinished = useCallback(() => reload(), [reload]);

  return (
    <>
      <PageHeader
        title={`Release ${release.version}`}
        subtitle={
          <>
            created by {release.createdBy} <TimeAgo at={release.createdAt} /> ·{' '}
            <a href={links.releases}>all releases</a>
          </>
        }
      />
      <dl className="facts facts-inline">
        {release.commit === undefined ? null : (
          <>
            <dt>Commit</dt>
            <dd>
              <code>{release.commit}</code>
            </dd>
          </>
        )}
        {release.artifact === undefined ? null : (
          <>
            <dt>Artifact</dt>
            <dd>
              <code className="path">{release.artifact}</code>
            </dd>
          </>
        )}
        <dt>Digest</dt>
        <dd>
          <code className="path" title={release.digest}>
            {release.digest.slice(0, 19)}…
          </code>
        </dd>
      </dl>
      {release.notes === undefined ? null : <p className="release-notes">{release.notes}</p>}

      <section className="section" aria-labelledby="pipeline-title">
        <h2 id="pipeline-title">Pipeline</h2>
        {stages.length === 0 ? (
          <EmptyState>
            No release stages — list them under <code>release.stages</code> in{' '}
            <code>understudy.yaml</code>.
          </EmptyState>
        ) : (
          <PipelineView stages={stages} selected={selected?.env} onSelect={setChosen} />
        )}
      </section>
      {selected === undefined ? null : (
        <StagePanel
          key={selected.env}
          version={release.version}
          stage={selected}
          busy={job?.status === 'running' || inProgress.some((d) => d.env === selected.env)}
          onPromotion={(j: Job) => setJobId(j.id)}
          onDecision={reload}
        />
      )}
      {jobId === undefined ? null : <PromotionActivity jobId={jobId} onFinished={onFinished} />}
      {elsewhere.map((d) => (
        <section key={d.id} className="section" aria-labelledby={`live-${d.id}`}>
          <h2 id={`live-${d.id}`}>
            Deploying to {d.env} now{' '}
            <span className="muted small">— started by {d.requestedBy}</span>
          </h2>
          <DeploymentLog deployment={d} onDone={reload} />
        </section>
      ))}
      <ChecksSection checks={checks} />
      <DeploymentsSection deployments={deployments} />
    </>
  );
}

function ChecksSection(props: { checks: readonly CheckResult[] }): ReactNode {
  return (
    <section className="section" aria-labelledby="checks-title">
      <h2 id="checks-title">CI checks</h2>
      {props.checks.length === 0 ? (
        <EmptyState>
          No check reported — CI reports with{' '}
          <code>understudy check report NAME --version VERSION --status pass</code>.
        </EmptyState>
      ) : (
        <table className="table compact">
          <caption className="visually-hidden">CI checks of this release</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Reported</th>
            </tr>
          </thead>
          <tbody>
            {props.checks.map((c) => (
              <tr key={c.id}>
                <td>
                  {c.url === undefined ? (
                    c.name
                  ) : (
                    <a href={c.url} rel="noreferrer noopener" target="_blank">
                      {c.name}
                    </a>
                  )}
                </td>
                <td>
                  <Badge>{c.status}</Badge>
                </td>
                <td className="small">
                  {c.reportedBy}, <TimeAgo at={c.reportedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DeploymentsSection(props: { deployments: readonly Deployment[] }): ReactNode {
  const [open, setOpen] = useState<number | undefined>(undefined);
  return (
    <section className="section" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments</h2>
      {props.deployments.length === 0 ? (
        <EmptyState>Not deployed anywhere yet — select a stage above and press Promote.</EmptyState>
      ) : (
        <table className="table compact">
          <caption className="visually-hidden">Deployments of this release</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Environment</th>
              <th scope="col">Status</th>
              <th scope="col">By</th>
              <th scope="col">Started</th>
              <th scope="col">Why</th>
              <th scope="col">
                <VisuallyHidden>Log</VisuallyHidden>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.deployments.map((d) => (
              <DeploymentRow
                key={d.id}
                deployment={d}
                open={open === d.id}
                onToggle={() => setOpen((o) => (o === d.id ? undefined : d.id))}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DeploymentRow(props: {
  deployment: Deployment;
  open: boolean;
  onToggle: () => void;
}): ReactNode {
  const d = props.deployment;
  return (
    <>
      <tr>
        <td>{d.id}</td>
        <td>
          {d.env}
          {d.kind === 'rollback' ? <span className="muted small"> (rollback)</span> : null}
        </td>
        <td>
          <Badge>{d.status}</Badge>
        </td>
        <td>{d.requestedBy}</td>
        <td className="small" title={formatTime(d.startedAt)}>
          <TimeAgo at={d.startedAt} />
        </td>
        <td className="small">{d.reason ?? ''}</td>
        <td>
          <button
            type="button"
            className="button button-small button-quiet"
            aria-expanded={props.open}
            onClick={props.onToggle}
          >
            {props.open ? 'Hide log' : 'Show log'}
            <VisuallyHidden>{` of deployment ${d.id}`}</VisuallyHidden>
          </button>
        </td>
      </tr>
      {props.open ? (
        <tr className="log-row">
          <td colSpan={7}>
            <DeploymentLog deployment={d} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
