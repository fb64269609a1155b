/**
 * Parity reports, newest first, and "Run parity now" (POST /parity/runs, which answers the new
 * report when the run is over).
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, apiRequest } from '../api/api-client.js';
import type { ReportSummary } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Command, EmptyState, ErrorNotice, Loaded, PageHeader } from '../components/common.js';
import { formatScore, formatSubject, scoreTone } from '../format.js';
import { ReportTable } from '../components/report-table.js';
import { links, navigate } from '../router.js';

export function ParityPage(): ReactNode {
  const reports = useResource<{ reports: ReportSummary[] }>('/reports?kind=parity&limit=100');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const run = async (): Promise<void> => {
    setRunning(true);
    setError(undefined);
    try {
      // The contract says `{report}` (the stored report, with its id); the server answers
      // `{reportId, report}` with the report's body. Either gives the id.
      const answer = await apiRequest<{ reportId?: number; report: { id?: number } }>(
        'POST',
        '/parity/runs',
        {},
      );
      const id = answer.reportId ?? answer.report.id;
      navigate(id === undefined ? links.parity : links.parityReport(id));
      if (id === undefined) setRunning(false);
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) }),
      );
      setRunning(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Parity"
        subtitle="Schema, configuration, versions, runtime, data age and infrastructure compared"
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => void run()}
            disabled={running}
            aria-describedby={running ? 'parity-running' : undefined}
          >
            Run parity now
          </button>
        }
      />
      {running ? (
        <p id="parity-running" className="notice notice-info" role="status">
          Comparing environments… this takes as long as the slowest probe.
        </p>
      ) : null}
      <ErrorNotice error={error} title="Parity did not run" />
      <Loaded resource={reports} what="parity reports">
        {(data) =>
          data.reports.length === 0 ? (
            <EmptyState>
              No parity report yet — run <Command>understudy parity</Command> or press{' '}
              <em>Run parity now</em>.
            </EmptyState>
          ) : (
            <ReportTable
              reports={data.reports}
              caption="Parity reports"
              heading="Report"
              name="Report"
              href={links.parityReport}
              subjectTitle="Compared"
              subject={formatSubject}
              columns={[
                {
                  title: 'Score',
                  className: (r) => `score-text score-${scoreTone(r.score)}`,
                  cell: (r) => formatScore(r.score),
                },
              ]}
            />
          )
        }
      </Loaded>
    </>
  );
}
