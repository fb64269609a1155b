/**
 * Masked data syncs: "Sync now" (POST /data/syncs → a job whose progress arrives as `job`
 * events), running syncs with their progress, how long past syncs took, and the history.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, apiRequest } from '../api/api-client.js';
import type { Job, ReportSummary } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { BarChart, type Bar } from '../charts/bar-chart.js';
import { Command, EmptyState, ErrorNotice, Loaded, PageHeader } from '../components/common.js';
import { JobCard } from '../components/job-view.js';
import { ReportTable } from '../components/report-table.js';
import { useStepUp } from '../components/totp-dialog.js';
import { formatCount, formatSeconds, formatShortTime, formatTime, statusTone } from '../format.js';
import { useJobs, useLiveStore } from '../live/live-context.js';
import { links } from '../router.js';

/** Syncs drawn in the duration chart: the newest thirty. */
const CHARTED = 30;

export function DataPage(): ReactNode {
  const reports = useResource<{ reports: ReportSummary[] }>('/reports?kind=data-sync&limit=100');
  const live = useLiveStore();
  const jobs = useJobs().filter((j) => j.kind === 'data-sync');
  const [started, setStarted] = useState<readonly string[]>([]);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const stepUp = useStepUp();
  const shown = jobs.filter((j) => j.status === 'running' || started.includes(j.id));

  const syncNow = async (): Promise<void> => {
    setError(undefined);
    try {
      await stepUp.run({
        title: 'Sync production data into staging',
        confirmLabel: 'Sync now',
        askFirst: false,
        send: async (totp) => {
          const answer = await apiRequest<{ job: Job }>(
            'POST',
            '/data/syncs',
            totp === undefined ? {} : { totp },
          );
          live.putJobs([answer.job]);
          setStarted((ids) => [answer.job.id, ...ids]);
        },
      });
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) }),
      );
    }
  };

  return (
    <>
      <PageHeader
        title="Data"
        subtitle="Production data copied into staging, masked, atomically"
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => void syncNow()}
            disabled={jobs.some((j) => j.status === 'running')}
          >
            Sync now
          </button>
        }
      />
      {stepUp.dialog}
      <ErrorNotice error={error} title="The sync did not start" />
      {shown.length === 0 ? null : (
        <section className="section" aria-labelledby="sync-jobs-title">
          <h2 id="sync-jobs-title">Syncs from this dashboard</h2>
          <div className="job-list">
            {shown.map((job) => (
              <JobCard key={job.id} job={job} link={reportLink(job)} />
            ))}
          </div>
        </section>
      )}
      <Loaded resource={reports} what="data syncs">
        {(data) =>
          data.reports.length === 0 ? (
            <EmptyState>
              No data sync yet — run <Command>understudy data sync</Command> or press{' '}
              <em>Sync now</em>.
            </EmptyState>
          ) : (
            <>
              <section className="section" aria-labelledby="sync-duration-title">
                <h2 id="sync-duration-title">Sync duration</h2>
                <SyncDurationChart reports={data.reports} />
              </section>
              <section className="section" aria-labelledby="sync-history-title">
                <h2 id="sync-history-title">History</h2>
                <SyncTable reports={data.reports} />
              </section>
            </>
          )
        }
      </Loaded>
    </>
  );
}

/** The finished sync's report: the job's result names it. */
function reportLink(job: Job): { href: string; label: string } | undefined {
  const id = (job.result as { reportId?: unknown } | undefined)?.reportId;
  return typeof id === 'number'
    ? { href: links.syncReport(id), label: `See sync ${id}` }
    : undefined;
}

function SyncDurationChart(props: { reports: readonly ReportSummary[] }): ReactNode {
  const timed = props.reports
    .filter((r) => typeof r.seconds === 'number')
    .slice(0, CHARTED)
    .reverse();
  if (timed.length === 0)
    return <EmptyState>These syncs did not record how long they took.</EmptyState>;
  const bars: Bar[] = timed.map((r) => ({
    key: r.id,
    value: r.seconds ?? 0,
    tone: statusTone(r.status),
    label: formatShortTime(r.createdAt),
    title: `${formatTime(r.createdAt)}: ${formatSeconds(r.seconds)}, ${formatCount(r.rows)} rows, ${r.status}`,
  }));
  const seconds = timed.map((r) => r.seconds ?? 0);
  const latest = seconds[seconds.length - 1] ?? 0;
  const summary = `Duration of the last ${timed.length} data syncs, oldest first: between ${formatSeconds(Math.min(...seconds))} and ${formatSeconds(Math.max(...seconds))}; the latest took ${formatSeconds(latest)}.`;
  return <BarChart bars={bars} summary={summary} format={formatAxisSeconds} />;
}

/** Axis labels: tenths of a second while the scale is short, else `1m 30s`. */
function formatAxisSeconds(seconds: number): string {
  return seconds < 60 ? `${Math.round(seconds * 10) / 10} s` : formatSeconds(seconds);
}

function SyncTable(props: { reports: readonly ReportSummary[] }): ReactNode {
  return (
    <ReportTable
      reports={props.reports}
      caption="Data syncs"
      heading="Sync"
      name="Sync"
      href={links.syncReport}
      subjectTitle="Into"
      columns={[
        { title: 'Rows', cell: (r) => formatCount(r.rows) },
        { title: 'Took', cell: (r) => formatSeconds(r.seconds) },
      ]}
    />
  );
}
