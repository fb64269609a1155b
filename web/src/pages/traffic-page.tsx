/**
 * Recorded traffic: the captures on the server's disk and the replay reports, newest first.
 */
import type { ReactNode } from 'react';
import type { Capture, ReportSummary } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Command, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { formatBytes, formatCount, formatMs } from '../format.js';
import { ReportTable } from '../components/report-table.js';
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
    <ReportTable
      reports={props.reports}
      caption="Replay reports"
      heading="Report"
      name="Replay"
      href={links.replayReport}
      subjectTitle="Target"
      columns={[
        { title: 'Requests', cell: (r) => formatCount(r.counts?.total) },
        {
          title: 'Regressions',
          className: (r) => ((r.counts?.regression ?? 0) > 0 ? 'text-bad' : ''),
          cell: (r) => formatCount(r.counts?.regression),
        },
        { title: 'Noise', cell: (r) => formatCount(r.counts?.noise) },
        { title: 'p95', cell: (r) => formatMs(r.p95) },
      ]}
    />
  );
}
