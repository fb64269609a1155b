/**
 * One replay: where every request ended (buckets), latency per route, the regressions grouped
 * by route with production's and staging's answers side by side, and what was noise.
 */
import type { ReactNode } from 'react';
import { segment } from '../api/api-client.js';
import type { RegressionGroup, ReplayReport, StoredReport } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { LatencyChart } from '../charts/latency-chart.js';
import { Badge, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { formatCount, formatMs, formatSeconds } from '../format.js';
import { links } from '../router.js';
import { RegressionExampleView } from '../traffic/regression-example.js';

export function ReplayReportPage(props: { id: string }): ReactNode {
  const report = useResource<{ report: StoredReport<ReplayReport> }>(
    `/reports/${segment(props.id)}`,
    {
      live: false,
    },
  );
  return (
    <Loaded resource={report} what="the replay report">
      {({ report: stored }) => <ReplayView stored={stored} />}
    </Loaded>
  );
}

const buckets = ['match', 'regression', 'noise', 'skipped', 'error'] as const;

function ReplayView(props: { stored: StoredReport<ReplayReport> }): ReactNode {
  const { stored } = props;
  const r = stored.body;
  const byRoute = new Map<string, RegressionGroup[]>();
  for (const g of r.regressions) byRoute.set(g.route, [...(byRoute.get(g.route) ?? []), g]);
  return (
    <>
      <PageHeader
        title={`Replay report ${stored.id}`}
        subtitle={
          <>
            <code>{r.capture}</code> against {r.target.name} ({r.target.url}) ·{' '}
            <TimeAgo at={stored.createdAt} /> · <a href={links.traffic}>all traffic</a>
          </>
        }
      />
      <p className={`notice notice-${r.status === 'pass' ? 'good' : 'bad'}`}>
        <Badge>{r.status}</Badge> {r.summary}
      </p>
      <section className="section" aria-labelledby="buckets-title">
        <h2 id="buckets-title">Requests</h2>
        <ul className="bucket-row">
          <li className="stat">
            <span className="stat-value">{formatCount(r.counts.total)}</span>
            <span className="stat-label">total</span>
          </li>
          {buckets.map((b) => (
            <li key={b} className={`stat bucket-${b}`}>
              <span className="stat-value">{formatCount(r.counts[b])}</span>
              <span className="stat-label">{b}</span>
            </li>
          ))}
        </ul>
        <p className="small muted">
          {formatSeconds(r.durationMs / 1000)} at {r.rate} requests/s · at most {r.maxRegressions}{' '}
          regressions tolerated
          {r.baseline === undefined
            ? ''
            : ` · baseline ${r.baseline.url} (${r.baseline.pairs} pairs)`}
        </p>
      </section>
      <section className="section" aria-labelledby="latency-title">
        <h2 id="latency-title">Latency by route</h2>
        {r.routes.some(
          (route) => route.latency.recorded !== undefined || route.latency.target !== undefined,
        ) ? (
          <LatencyChart routes={r.routes} />
        ) : (
          <EmptyState>No latency was measured in this replay.</EmptyState>
        )}
        {r.slowRoutes.length === 0 ? null : (
          <p className="notice notice-warn">
            Slower on staging (p95 more than {r.latency.slowerBy} % and {formatMs(r.latency.minMs)}
            ): {r.slowRoutes.join(', ')}
          </p>
        )}
      </section>
      <section className="section" aria-labelledby="regressions-title">
        <h2 id="regressions-title">Regressions</h2>
        {r.regressions.length === 0 ? (
          <EmptyState>No regression: staging answered as production did, noise aside.</EmptyState>
        ) : (
          [...byRoute.entries()].map(([route, groups]) => (
            <div key={route} className="route-group">
              <h3 className="route-title">
                <code>{route}</code>
              </h3>
              {groups.map((g) => (
                <div key={`${g.path}-${g.kind}`} className="regression-group">
                  <p>
                    <code className="path">{g.path}</code> <Badge tone="bad">{g.kind}</Badge>{' '}
                    <span className="small muted">
                      {g.count} difference{g.count === 1 ? '' : 's'} in {g.requests} request
                      {g.requests === 1 ? '' : 's'}
                    </span>
                  </p>
                  {g.examples.map((e) => (
                    <RegressionExampleView key={e.id} example={e} />
                  ))}
                </div>
              ))}
            </div>
          ))
        )}
      </section>
      <NoiseSection report={r} />
    </>
  );
}

function NoiseSection(props: { report: ReplayReport }): ReactNode {
  const r = props.report;
  const reasons = [
    ...r.skipped.map((s) => ({ ...s, what: 'skipped' })),
    ...r.errors.map((e) => ({ ...e, what: 'error' })),
  ];
  return (
    <section className="section" aria-labelledby="noise-title">
      <h2 id="noise-title">Noise, skipped and errors</h2>
      {r.noise.length === 0 && reasons.length === 0 && r.notes.length === 0 ? (
        <EmptyState>Nothing was suppressed as noise, skipped or failed.</EmptyState>
      ) : null}
      {r.noise.length === 0 ? null : (
        <table className="table compact">
          <caption className="visually-hidden">Differences explained as noise</caption>
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Path</th>
              <th scope="col">Why noise</th>
              <th scope="col" className="num">
                Differences
              </th>
              <th scope="col" className="num">
                Requests
              </th>
            </tr>
          </thead>
          <tbody>
            {r.noise.map((n) => (
              <tr key={`${n.route}-${n.path}-${n.reason}`}>
                <td>
                  <code>{n.route}</code>
                </td>
                <td>
                  <code className="path">{n.path}</code>
                </td>
                <td>
                  {n.reason}
                  {n.rule === undefined ? null : <span className="muted"> ({n.rule})</span>}
                </td>
                <td className="num">{n.count}</td>
                <td className="num">{n.requests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reasons.length === 0 ? null : (
        <ul className="notes">
          {reasons.map((x) => (
            <li key={`${x.what}-${x.reason}`}>
              <Badge>{x.what}</Badge> {x.count} × {x.reason}
            </li>
          ))}
        </ul>
      )}
      {r.notes.length === 0 ? null : (
        <ul className="notes">
          {r.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {r.captureProblems.count === 0 ? null : (
        <p className="small muted">
          {r.captureProblems.count} part{r.captureProblems.count === 1 ? '' : 's'} of the capture
          could not be read.
        </p>
      )}
    </section>
  );
}
