/**
 * Jobs the server runs, as they move: a progress bar for syncs (rows and tables), a log panel
 * for deploy output that follows new lines unless the reader scrolled up.
 */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import type { Job } from '../api/api-types.js';
import { formatCount } from '../format.js';
import { useJobOutput } from '../live/live-context.js';
import { Badge, TimeAgo } from './common.js';

/** How far a job is, 0..1, or undefined when it cannot tell. */
export function jobFraction(job: Job): number | undefined {
  const p = job.progress;
  if (p === undefined) return undefined;
  if (p.rowsTotal !== undefined && p.rowsTotal > 0) return Math.min(1, p.rowsDone / p.rowsTotal);
  if (p.tablesTotal > 0) return Math.min(1, p.tablesDone / p.tablesTotal);
  return undefined;
}

/** One job: title, who started it, when, its status and (while it runs) its progress. */
export function JobCard(props: { job: Job; link?: { href: string; label: string } }): ReactNode {
  const { job } = props;
  const labelId = useId();
  const fraction = jobFraction(job);
  const p = job.progress;
  const lastLine = useJobOutput(job.id).trimEnd().split('\n').pop() ?? '';
  return (
    <div className="job-card">
      <div className="job-head">
        <span id={labelId} className="job-title">
          {job.title}
        </span>
        <Badge>{job.status}</Badge>
      </div>
      <p className="muted small">
        started by {job.by} <TimeAgo at={job.startedAt} />
        {job.finishedAt === undefined ? null : (
          <>
            , finished <TimeAgo at={job.finishedAt} />
          </>
        )}
      </p>
      {job.status === 'running' ? (
        <>
          <progress
            className="progress"
            aria-labelledby={labelId}
            max={1}
            {...(fraction === undefined ? {} : { value: fraction })}
          />
          {p === undefined ? (
            <p className="small muted">Starting…</p>
          ) : (
            <p className="small">
              {formatCount(p.rowsDone)}
              {p.rowsTotal === undefined ? '' : ` of ${formatCount(p.rowsTotal)}`} rows ·{' '}
              {p.tablesDone} of {p.tablesTotal} tables
              {p.table === undefined ? '' : ` · ${p.table}`}
            </p>
          )}
          {lastLine === '' ? null : <p className="small muted">{lastLine}</p>}
        </>
      ) : null}
      {props.link === undefined ? null : (
        <p className="small">
          <a href={props.link.href}>{props.link.label}</a>
        </p>
      )}
      {job.error === undefined ? null : (
        <p className="notice notice-bad" role="alert">
          {job.error.message}
          {job.error.hint === undefined ? null : <span className="hint"> — {job.error.hint}</span>}
        </p>
      )}
    </div>
  );
}

/** Output as it arrives, in a scrolling panel that stays at the bottom while followed. */
export function LogPanel(props: { label: string; text: string; waiting?: string }): ReactNode {
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    const pre = ref.current;
    if (pre !== null && follow.current) pre.scrollTop = pre.scrollHeight;
  }, [props.text]);
  return (
    <pre
      ref={ref}
      className="log-panel"
      role="log"
      aria-label={props.label}
      tabIndex={0}
      onScroll={(event) => {
        const pre = event.currentTarget;
        follow.current = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
      }}
    >
      {props.text === '' ? (
        <span className="muted">{props.waiting ?? 'No output yet.'}</span>
      ) : (
        props.text
      )}
    </pre>
  );
}
