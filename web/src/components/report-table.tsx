/**
 * A list of stored reports, newest first: each row links to its report, names what it is about,
 * its status and when it was made, with the figures of its kind in between (`columns`).
 */
import type { ReactNode } from 'react';
import type { ReportSummary } from '../api/api-types.js';
import { formatTime } from '../format.js';
import { Badge, TimeAgo } from './common.js';

export interface ReportColumn {
  readonly title: string;
  /** The cell's class (always right-aligned numbers: `num` is added). */
  readonly className?: (report: ReportSummary) => string;
  readonly cell: (report: ReportSummary) => ReactNode;
}

export function ReportTable(props: {
  reports: readonly ReportSummary[];
  /** `Data syncs`: the caption reads "Data syncs, newest first". */
  caption: string;
  /** The first column's title. */
  heading: string;
  /** Each row's link: `Sync` → "Sync 12". */
  name: string;
  href: (id: number) => string;
  subjectTitle: string;
  subject?: (subject: string) => ReactNode;
  columns: readonly ReportColumn[];
}): ReactNode {
  return (
    <table className="table">
      <caption className="visually-hidden">{props.caption}, newest first</caption>
      <thead>
        <tr>
          <th scope="col">{props.heading}</th>
          <th scope="col">{props.subjectTitle}</th>
          <th scope="col">Status</th>
          {props.columns.map((c) => (
            <th key={c.title} scope="col" className="num">
              {c.title}
            </th>
          ))}
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {props.reports.map((r) => (
          <tr key={r.id}>
            <td>
              <a href={props.href(r.id)}>
                {props.name} {r.id}
              </a>
            </td>
            <td>{props.subject === undefined ? r.subject : props.subject(r.subject)}</td>
            <td>
              <Badge>{r.status}</Badge>
            </td>
            {props.columns.map((c) => (
              <td
                key={c.title}
                className={`num${c.className === undefined ? '' : ` ${c.className(r)}`}`}
              >
                {c.cell(r)}
              </td>
            ))}
            <td title={formatTime(r.createdAt)}>
              <TimeAgo at={r.createdAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
