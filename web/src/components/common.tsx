/**
 * Small pieces every page uses: the page heading, status badges, relative times, empty states,
 * errors as the server wrote them, and the loading line.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiError } from '../api/api-client.js';
import { formatTime, statusTone, timeAgo, type Tone } from '../format.js';

/** The page's h1 (focus lands here after navigation) and the document title. */
export function PageHeader(props: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}): ReactNode {
  useEffect(() => {
    document.title = `${props.title} — Understudy`;
  }, [props.title]);
  return (
    <header className="page-header">
      <div>
        <h1 tabIndex={-1}>{props.title}</h1>
        {props.subtitle === undefined ? null : <p className="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions === undefined ? null : <div className="page-actions">{props.actions}</div>}
    </header>
  );
}

/** A status word in a coloured pill; the tone follows the word unless given. */
export function Badge(props: { children: string; tone?: Tone; title?: string }): ReactNode {
  const tone = props.tone ?? statusTone(props.children);
  return (
    <span className={`badge badge-${tone}`} title={props.title}>
      {props.children}
    </span>
  );
}

/** Re-renders every `ms` so relative times stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

/** `3 h ago`, with the exact time on hover and for machines. */
export function TimeAgo(props: { at: string | undefined; prefix?: string }): ReactNode {
  const now = useNow();
  if (props.at === undefined) return <span>—</span>;
  return (
    <time dateTime={props.at} title={formatTime(props.at)}>
      {props.prefix === undefined ? '' : `${props.prefix} `}
      {timeAgo(props.at, now)}
    </time>
  );
}

/** What is missing and what to do about it. */
export function EmptyState(props: { children: ReactNode }): ReactNode {
  return <div className="empty-state">{props.children}</div>;
}

/** An error as the server said it: message, and hint when there is one. */
export function ErrorNotice(props: {
  error: Pick<ApiError, 'message' | 'hint'> | undefined;
  title?: string;
}): ReactNode {
  if (props.error === undefined) return null;
  return (
    <div className="notice notice-bad" role="alert">
      {props.title === undefined ? null : <strong>{props.title}: </strong>}
      {props.error.message}
      {props.error.hint === undefined ? null : <span className="hint"> — {props.error.hint}</span>}
    </div>
  );
}

export function Loading(props: { what?: string }): ReactNode {
  return (
    <p className="loading" role="status">
      Loading{props.what === undefined ? '' : ` ${props.what}`}…
    </p>
  );
}

/**
 * The three states of fetched data in one place: an error (and nothing to show), loading the
 * first time, or the children with the data.
 */
export function Loaded<T>(props: {
  resource: { data: T | undefined; error: ApiError | undefined };
  what?: string;
  children: (data: T) => ReactNode;
}): ReactNode {
  const { data, error } = props.resource;
  if (data === undefined)
    return error === undefined ? <Loading what={props.what} /> : <ErrorNotice error={error} />;
  return (
    <>
      {error === undefined ? null : (
        <ErrorNotice error={error} title="Could not refresh; showing the last data" />
      )}
      {props.children(data)}
    </>
  );
}

/** Text only screen readers read. */
export function VisuallyHidden(props: { children: ReactNode }): ReactNode {
  return <span className="visually-hidden">{props.children}</span>;
}

/** `code` for commands people type. */
export function Command(props: { children: string }): ReactNode {
  return <code className="command">{props.children}</code>;
}
