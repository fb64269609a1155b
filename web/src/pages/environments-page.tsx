/**
 * Home: one card per environment (parity, what runs there, how old its data is, who holds it)
 * and parity over time. All from GET /overview.
 */
import type { ReactNode } from 'react';
import type { EnvironmentCard, Overview } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { ParityChart } from '../charts/parity-chart.js';
import { Badge, Command, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { JobCard } from '../components/job-view.js';
import { formatScore, formatShortTime, scoreTone } from '../format.js';
import { useJobs } from '../live/live-context.js';
import { links } from '../router.js';

export function EnvironmentsPage(): ReactNode {
  const overview = useResource<Overview>('/overview');
  const running = useJobs().filter((j) => j.status === 'running');
  return (
    <>
      <PageHeader
        title="Environments"
        subtitle="How faithfully each environment mirrors production"
      />
      <Loaded resource={overview} what="environments">
        {(data) => (
          <>
            {data.environments.length === 0 ? (
              <EmptyState>
                No environment yet — declare them under <code>environments:</code> in{' '}
                <code>understudy.yaml</code>.
              </EmptyState>
            ) : (
              <ul className="env-grid" aria-label="Environments">
                {byStage(data.environments).map((env) => (
                  <li key={env.name}>
                    <EnvCard env={env} />
                  </li>
                ))}
              </ul>
            )}
            {running.length === 0 ? null : (
              <section className="section" aria-labelledby="running-title">
                <h2 id="running-title">Running now</h2>
                <div className="job-list">
                  {running.map((job) => (
                    <JobCard key={job.id} job={job} />
                  ))}
                </div>
              </section>
            )}
            <section className="section" aria-labelledby="history-title">
              <h2 id="history-title">Parity over time</h2>
              {data.parityHistory.some((p) => p.score !== null) ? (
                <ParityChart points={data.parityHistory} />
              ) : (
                <EmptyState>
                  No parity report yet — run <Command>understudy parity</Command> or use{' '}
                  <a href={links.parity}>Run parity now</a>.
                </EmptyState>
              )}
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}

/** Cards in pipeline order (release stages first, in order), then the other environments. */
function byStage(envs: readonly EnvironmentCard[]): EnvironmentCard[] {
  const rank = (e: EnvironmentCard): number => e.stage ?? Number.MAX_SAFE_INTEGER;
  return [...envs].sort((a, b) => rank(a) - rank(b));
}

function EnvCard(props: { env: EnvironmentCard }): ReactNode {
  const { env } = props;
  const titleId = `env-${env.name}`;
  return (
    <article className="card env-card" aria-labelledby={titleId}>
      <header className="env-card-head">
        <h2 id={titleId}>{env.name}</h2>
        {env.protected ? <Badge tone="info">protected</Badge> : null}
        {env.stage === null ? null : <span className="muted small">stage {env.stage + 1}</span>}
      </header>
      <div className="env-parity">
        {env.parity === null ? (
          <p className="muted small">
            No parity report — run <Command>{`understudy parity --env ${env.name}`}</Command>
          </p>
        ) : (
          <a className="env-score-link" href={links.parityReport(env.parity.reportId)}>
            <span className={`score score-${scoreTone(env.parity.score)}`}>
              {formatScore(env.parity.score)}
            </span>
            <span className="small">
              parity vs {env.parity.against} · <Badge>{env.parity.status}</Badge>
            </span>
          </a>
        )}
      </div>
      <dl className="facts">
        <dt>Deployed</dt>
        <dd>
          {env.deployed === null ? (
            <span className="muted">nothing deployed by Understudy</span>
          ) : (
            <>
              <a href={links.release(env.deployed.version)}>{env.deployed.version}</a>{' '}
              <Badge>{env.deployed.status}</Badge>{' '}
              <span className="muted small">
                <TimeAgo at={env.deployed.finishedAt ?? env.deployed.startedAt} />
              </span>
            </>
          )}
        </dd>
        <dt>Data</dt>
        <dd>
          {env.lastSync === null ? (
            <span className="muted">never synced</span>
          ) : (
            <>
              <a href={links.syncReport(env.lastSync.reportId)}>
                <TimeAgo at={env.lastSync.createdAt} prefix="synced" />
              </a>{' '}
              {env.lastSync.status === 'pass' ? null : <Badge>{env.lastSync.status}</Badge>}
            </>
          )}
        </dd>
        <dt>Reserved</dt>
        <dd>
          {env.reservation === null ? (
            <span className="muted">free</span>
          ) : (
            <>
              <strong>{env.reservation.holder}</strong>
              {env.reservation.expiresAt === null
                ? null
                : ` until ${formatShortTime(env.reservation.expiresAt)}`}
              {env.reservation.reason === '' ? null : (
                <span className="muted"> — {env.reservation.reason}</span>
              )}
              {env.reservation.queued > 0 ? (
                <span className="small"> · {env.reservation.queued} waiting</span>
              ) : null}
            </>
          )}
        </dd>
      </dl>
    </article>
  );
}
