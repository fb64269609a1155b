/**
 * Recorded traffic: the captures on the server's disk and the replay reports, newest first.
 */
import type { ReactNode } from 'react';
import type { Capture, ReportSummary } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Badge, Command, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { formatBytes, formatCount, formatMs } from '../format.js';
import { links } from '../router.js';

export function TrafficPage(): ReactNode {
  const captures = useResource<{ captures: Capture[] }>('/captures');
  const replays = useResource<{ reports: ReportSummary[] }>('/reports?kind=replay&limit=100');
  return (
    <>
      <PageHeader
        title="Traffic"
        subtitle="Production requests recorded, then replayed against staging"
      />
      <section className="section" aria-labelledby="replays-title">
        <h2 id="replays-title">Replay reports</h2>
        <Loaded resource={replays} what="replay reports">
          {(data) =>
            data.reports.length === 0 ? (
              <EmptyState>
                No replay report yet — run{' '}
                <Command>understudy replay CAPTURE --target staging</Command>.
              </EmptyState>
            ) : (
              <ReplayTable reports={data.reports} />
            )
          }
        </Loaded>
      </section>
      <section className="section" aria-labelledby="captures-title">
        <h2 id="captures-title">Captures</h2>
        <Loaded resource={captures} what="captures">
          {(data) =>
            data.captures.length === 0 ? (
              <EmptyState>
                No capture yet — record production traffic with <Command>understudy record</Command>
                , or import a HAR file.
              </EmptyState>
            ) : (
              <table className="table">
                <caption className="visually-hidden">Captures</caption>
                <thead>
                  <tr>
                    <th scope="col">Capture</th>
                    <th scope="col" className="num">
                      Size
                    </th>
                    <th scope="col">Last written</th>
                  </tr>
                </thead>
                <tbody>
                  {data.captures.map((c) => (
                    <tr key={c.name}>
                      <td>
                        <code>{c.name}</code>
                      </td>
                      <td className="num">{formatBytes(c.bytes)}</td>
                      <td>
                        <TimeAgo at={c.modifiedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </section>
    </>
  );
}

function ReplayTable(props: { reports: readonly ReportSummary[] }): ReactNode {
  return (
    <table className="table">
      <caption className="visually-hidden">Replay reports, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Report</th>
          <th scope="col">Target</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Requests
          </th>
          <th scope="col" className="num">
            Regressions
          </th>
          <th scope="col" className="num">
            Noise
          </th>
          <th scope="col" className="num">
            p95
          </th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {props.reports.map((r) => (
          <tr key={r.id}>
            <td>
              <a href={links.replayReport(r.id)}>Replay {r.id}</a>
            </td>
            <td>{r.subject}</td>
            <td>
              <Badge>{r.status}</Badge>
            </td>
            <td className="num">{formatCount(r.counts?.total)}</td>
            <td className={`num${(r.counts?.regression ?? 0) > 0 ? ' text-bad' : ''}`}>
              {formatCount(r.counts?.regression)}
            </td>
            <td className="num">{formatCount(r.counts?.noise)}</td>
            <td className="num">{formatMs(r.p95)}</td>
            <td>
              <TimeAgo at={r.createdAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
