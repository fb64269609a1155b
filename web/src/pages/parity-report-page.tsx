/**
 * One parity report: the score and counts, one section per probe with its findings (severity,
 * what each side holds, the verdict), and the allowances that hid drift, with reason and expiry.
 */
import type { ReactNode } from 'react';
import { segment } from '../api/api-client.js';
import type {
  AllowanceUse,
  AssessedDifference,
  ParityReport,
  ProbeSummary,
  StoredReport,
} from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Badge, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { formatScore, formatTime, scoreTone, showJson } from '../format.js';
import { links } from '../router.js';

export function ParityReportPage(props: { id: string }): ReactNode {
  const report = useResource<{ report: StoredReport<ParityReport> }>(
    `/reports/${segment(props.id)}`,
    {
      live: false,
    },
  );
  return (
    <Loaded resource={report} what="the parity report">
      {({ report: stored }) => <ParityReportView stored={stored} />}
    </Loaded>
  );
}

function ParityReportView(props: { stored: StoredReport<ParityReport> }): ReactNode {
  const { stored } = props;
  const r = stored.body;
  return (
    <>
      <PageHeader
        title={`Parity report ${stored.id}`}
        subtitle={
          <>
            {r.env} compared with {r.against} · <TimeAgo at={stored.createdAt} /> ·{' '}
            <a href={links.parity}>all parity reports</a>
          </>
        }
      />
      <section className="summary-row" aria-label="Summary">
        <div className="stat">
          <span className={`score score-${scoreTone(r.score)}`}>{formatScore(r.score)}</span>
          <span className="stat-label">score</span>
        </div>
        <div className="stat">
          <Badge>{r.status}</Badge>
          <span className="stat-label">status (fails on {r.failOn})</span>
        </div>
        <Stat value={r.counts.compared} label="compared" />
        <Stat value={r.counts.drift} label="drift" tone={r.counts.drift > 0 ? 'bad' : undefined} />
        <Stat
          value={r.counts.blocking}
          label="blocking"
          tone={r.counts.blocking > 0 ? 'bad' : undefined}
        />
        <Stat value={r.counts.allowed} label="allowed" />
        <Stat value={r.counts.explained} label="explained" />
      </section>
      <p className="muted small">
        Ran {formatTime(r.startedAt)} to {formatTime(r.finishedAt)}.
      </p>
      {r.probes.map((probe) => (
        <ProbeSection
          key={probe.probe}
          probe={probe}
          differences={r.differences.filter((d) => d.probe === probe.probe)}
          env={r.env}
          against={r.against}
        />
      ))}
      <AllowancesSection allowances={r.allowances} />
    </>
  );
}

function Stat(props: { value: number; label: string; tone?: 'bad' | undefined }): ReactNode {
  return (
    <div className="stat">
      <span className={`stat-value${props.tone === 'bad' ? ' stat-bad' : ''}`}>{props.value}</span>
      <span className="stat-label">{props.label}</span>
    </div>
  );
}

function ProbeSection(props: {
  probe: ProbeSummary;
  differences: readonly AssessedDifference[];
  env: string;
  against: string;
}): ReactNode {
  const { probe, differences } = props;
  const id = `probe-${probe.probe}`;
  const status = probe.status === 'compared' ? (probe.drift > 0 ? 'drift' : 'pass') : probe.status;
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        <span className="probe-name">{probe.probe}</span>{' '}
        <Badge tone={status === 'skipped' ? 'neutral' : undefined}>{status}</Badge>
      </h2>
      <p className="small muted">
        {probe.compared} compared · {probe.drift} drift · {probe.allowed} allowed ·{' '}
        {probe.explained} explained
        {probe.reason === undefined ? null : <> — {probe.reason}</>}
      </p>
      {probe.facts === undefined || Object.keys(probe.facts).length === 0 ? null : (
        <details className="facts-details">
          <summary>Facts</summary>
          <dl className="facts">
            {Object.entries(probe.facts).map(([key, value]) => (
              <FactRow key={key} name={key} value={value} />
            ))}
          </dl>
        </details>
      )}
      {differences.length === 0 ? null : (
        <table className="table compact">
          <caption className="visually-hidden">Findings of the {probe.probe} probe</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Path</th>
              <th scope="col">Kind</th>
              <th scope="col">In {props.env}</th>
              <th scope="col">In {props.against}</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {differences.map((d) => (
              <tr key={d.path} className={d.verdict === 'drift' ? 'row-drift' : 'row-muted'}>
                <td>
                  <Badge tone={d.severity === 'breaking' ? 'bad' : 'warn'}>{d.severity}</Badge>
                </td>
                <td>
                  <code className="path">{d.path}</code>
                  {d.note === undefined ? null : <div className="small muted">{d.note}</div>}
                </td>
                <td>{d.kind}</td>
                <td>
                  <Value value={d.envValue} secret={d.secret} />
                </td>
                <td>
                  <Value value={d.againstValue} secret={d.secret} />
                </td>
                <td>
                  <Badge tone={d.verdict === 'drift' ? 'bad' : 'neutral'}>{d.verdict}</Badge>
                  <Because difference={d} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function FactRow(props: { name: string; value: unknown }): ReactNode {
  return (
    <>
      <dt>{props.name}</dt>
      <dd>
        <code>{showJson(props.value, 200)}</code>
      </dd>
    </>
  );
}

function Value(props: { value: unknown; secret: boolean | undefined }): ReactNode {
  if (props.secret === true) return <span className="muted">secret (compared by hash)</span>;
  if (props.value === undefined) return <span className="muted">absent</span>;
  const text = showJson(props.value, 80);
  return (
    <code className="value" title={showJson(props.value, 2000)}>
      {text}
    </code>
  );
}

function Because(props: { difference: AssessedDifference }): ReactNode {
  const d = props.difference;
  if (d.allowance !== undefined)
    return (
      <div className="small muted">
        {d.allowanceExpired === true ? 'allowance expired: ' : 'allowed: '}
        {d.allowance.reason}
      </div>
    );
  if (d.explainedBy !== undefined) return <div className="small muted">{d.explainedBy}</div>;
  return null;
}

function AllowancesSection(props: { allowances: readonly AllowanceUse[] }): ReactNode {
  return (
    <section className="section" aria-labelledby="allowances-title">
      <h2 id="allowances-title">Allowances</h2>
      {props.allowances.length === 0 ? (
        <EmptyState>
          No allowance applied — documented, expected differences go under <code>parity.allow</code>{' '}
          in <code>understudy.yaml</code>.
        </EmptyState>
      ) : (
        <table className="table compact">
          <caption className="visually-hidden">Allowances and the drift they hid</caption>
          <thead>
            <tr>
              <th scope="col">Matches</th>
              <th scope="col">Reason</th>
              <th scope="col">Owner</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Hid
              </th>
            </tr>
          </thead>
          <tbody>
            {props.allowances.map((a) => (
              <tr key={a.match}>
                <td>
                  <code className="path">{a.match}</code>
                </td>
                <td>{a.reason}</td>
                <td>{a.owner ?? <span className="muted">—</span>}</td>
                <td>{a.expires ?? <span className="muted">never</span>}</td>
                <td>
                  <Badge>{a.state}</Badge>
                </td>
                <td className="num">{a.matched}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
