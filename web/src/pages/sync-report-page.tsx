/**
 * One data sync: where from and to, totals, every table with its rows and masked columns,
 * warnings, and what verification found.
 */
import type { ReactNode } from 'react';
import { segment } from '../api/api-client.js';
import type {
  DataSyncBody,
  StoredReport,
  TableSyncResult,
  VerifyReport,
} from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { Badge, EmptyState, Loaded, PageHeader, TimeAgo } from '../components/common.js';
import { formatBytes, formatCount, formatSeconds } from '../format.js';
import { links } from '../router.js';

export function SyncReportPage(props: { id: string }): ReactNode {
  const report = useResource<{ report: StoredReport<DataSyncBody> }>(
    `/reports/${segment(props.id)}`,
    {
      live: false,
    },
  );
  return (
    <Loaded resource={report} what="the data sync">
      {({ report: stored }) => <SyncView stored={stored} />}
    </Loaded>
  );
}

function rowsText(rows: TableSyncResult['rows']): string {
  if (rows === 'all') return 'all rows';
  if (rows === 'none') return 'no rows';
  return `where ${rows.where}`;
}

function SyncView(props: { stored: StoredReport<DataSyncBody> }): ReactNode {
  const { stored } = props;
  const s = stored.body;
  const masked = s.tables.reduce((n, t) => n + t.maskedColumns.length, 0);
  return (
    <>
      <PageHeader
        title={`Data sync ${stored.id}`}
        subtitle={
          <>
            {s.from} → {s.to} · <TimeAgo at={stored.createdAt} /> ·{' '}
            <a href={links.data}>all syncs</a>
          </>
        }
      />
      <section className="summary-row" aria-label="Summary">
        <div className="stat">
          <Badge>{stored.status}</Badge>
          <span className="stat-label">status</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatCount(s.totals.rowsWritten)}</span>
          <span className="stat-label">rows written</span>
        </div>
        <div className="stat">
          <span className="stat-value">{s.tables.length}</span>
          <span className="stat-label">tables</span>
        </div>
        <div className="stat">
          <span className="stat-value">{masked}</span>
          <span className="stat-label">masked columns</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatBytes(s.totals.bytes)}</span>
          <span className="stat-label">copied</span>
        </div>
        <div className="stat">
          <span className="stat-value">{formatSeconds(s.totals.seconds)}</span>
          <span className="stat-label">took</span>
        </div>
      </section>
      <p className="small muted">
        Database <code>{s.database}</code>, snapshot <code>{s.snapshot}</code>
        {s.template === null ? (
          ''
        ) : (
          <>
            , clone template <code>{s.template}</code>
          </>
        )}
        .
      </p>
      {s.warnings.length === 0 ? null : (
        <section className="section" aria-labelledby="warnings-title">
          <h2 id="warnings-title">Not copied</h2>
          <ul className="notes">
            {s.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </section>
      )}
      <section className="section" aria-labelledby="tables-title">
        <h2 id="tables-title">Tables</h2>
        <table className="table compact">
          <caption className="visually-hidden">Tables copied, with rows and masked columns</caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Rows copied</th>
              <th scope="col" className="num">
                Read
              </th>
              <th scope="col" className="num">
                Written
              </th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Masked columns</th>
              <th scope="col" className="num">
                Took
              </th>
            </tr>
          </thead>
          <tbody>
            {s.tables.map((t) => (
              <tr key={t.table}>
                <td>
                  <code>{t.table}</code>
                </td>
                <td className="small">{rowsText(t.rows)}</td>
                <td className="num">{formatCount(t.rowsRead)}</td>
                <td className="num">{formatCount(t.rowsWritten)}</td>
                <td className="num">{formatBytes(t.bytes)}</td>
                <td>
                  {t.maskedColumns.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    <ul className="chips">
                      {t.maskedColumns.map((c) => (
                        <li key={c} className="chip">
                          {c}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="num">{formatSeconds(t.seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <VerificationSection verification={s.verification} />
    </>
  );
}

function VerificationSection(props: { verification: VerifyReport | null }): ReactNode {
  const v = props.verification;
  return (
    <section className="section" aria-labelledby="verify-title">
      <h2 id="verify-title">Verification</h2>
      {v === null ? (
        <EmptyState>
          This sync was not verified — run <code>understudy data verify</code>.
        </EmptyState>
      ) : v.ok ? (
        <p className="notice notice-good">
          Verified: no real value of a masked column in the target, no orphaned rows, row counts as
          planned.
          {v.unverifiable > 0
            ? ` ${v.unverifiable} ${v.unverifiable === 1 ? 'value' : 'values'} the maskers also write (common names, cities) could not be told apart and ${v.unverifiable === 1 ? 'was' : 'were'} not searched for.`
            : ''}
        </p>
      ) : (
        <div className="notice notice-bad">
          <p>
            <strong>Verification failed.</strong>
          </p>
          <ul>
            {v.leaks.map((l) => (
              <li key={`${l.sourceColumn}-${l.foundIn.table}.${l.foundIn.column}`}>
                Real values of <code>{l.sourceColumn}</code> found in{' '}
                <code>
                  {l.foundIn.table}.{l.foundIn.column}
                </code>
                : {l.count} ({l.sample})
              </li>
            ))}
            {v.orphans.map((o) => (
              <li key={o.constraint}>
                {o.count} orphaned rows in <code>{o.table}</code> ({o.constraint})
              </li>
            ))}
            {v.rowCounts
              .filter((r) => !r.ok)
              .map((r) => (
                <li key={r.table}>
                  <code>{r.table}</code> holds {formatCount(r.actual)} rows, planned{' '}
                  {r.expected ?? '?'}
                </li>
              ))}
            {v.incomplete.map((i) => (
              <li key={i.column}>
                <code>{i.column}</code>: only {i.checked} distinct values could be checked
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
