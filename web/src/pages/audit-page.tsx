/**
 * The audit log: whether the hash chain verifies (GET /audit/verify), then the entries, newest
 * first, a hundred at a time. The server pages with `after` (entries after a seq, oldest first;
 * the newest page by default), and seqs have no gaps, so older pages are asked for by range.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, getJson } from '../api/api-client.js';
import type { AuditEntry, AuditVerificationAnswer, ChainFailure } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import { ErrorNotice, Loaded, Loading, PageHeader, EmptyState } from '../components/common.js';
import { formatCount, formatTime, showJson } from '../format.js';

const PAGE = 100;

export function AuditPage(): ReactNode {
  const verification = useResource<AuditVerificationAnswer>('/audit/verify');
  // Filtered, the newest thousand matching entries are shown at once (no paging by range).
  const [filter, setFilter] = useState({ action: '', actor: '' });
  const filtered = filter.action !== '' || filter.actor !== '';
  const query = new URLSearchParams({
    limit: String(filtered ? 1000 : PAGE),
    ...(filter.action === '' ? {} : { action: filter.action }),
    ...(filter.actor === '' ? {} : { actor: filter.actor }),
  });
  const first = useResource<{ entries: AuditEntry[] }>(`/audit?${query.toString()}`);
  const [older, setOlder] = useState<readonly AuditEntry[]>([]);
  const [end, setEnd] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const bySeq = new Map<number, AuditEntry>();
  for (const e of [...older, ...(first.data?.entries ?? [])]) bySeq.set(e.seq, e);
  const entries = [...bySeq.values()].sort((a, b) => b.seq - a.seq);
  const oldest = entries[entries.length - 1];

  const loadOlder = async (): Promise<void> => {
    if (oldest === undefined) return;
    const after = Math.max(0, oldest.seq - 1 - PAGE);
    const limit = oldest.seq - 1 - after;
    if (limit <= 0) {
      setEnd(true);
      return;
    }
    setLoadingMore(true);
    setError(undefined);
    try {
      const answer = await getJson<{ entries: AuditEntry[] }>(
        `/audit?after=${after}&limit=${limit}`,
      );
      setOlder((o) => [...o, ...answer.entries]);
      if (answer.entries.length === 0 || after === 0) setEnd(true);
    } catch (e) {
      setError(
        e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) }),
      );
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <>
      <PageHeader title="Audit" subtitle="Every change, in an append-only, hash-chained log" />
      <Verification resource={verification} />
      <AuditFilter
        onFilter={(next) => {
          setOlder([]);
          setEnd(false);
          setFilter(next);
        }}
      />
      <Loaded resource={first} what="audit entries">
        {(data) =>
          data.entries.length === 0 ? (
            <EmptyState>
              {filtered
                ? 'No entry matches the filter.'
                : 'No audit entry yet — every change Understudy makes is recorded here.'}
            </EmptyState>
          ) : (
            <>
              <table className="table compact audit-table">
                <caption className="visually-hidden">Audit entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      #
                    </th>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.seq}>
                      <td className="num">{e.seq}</td>
                      <td className="nowrap">
                        <time dateTime={e.at}>{formatTime(e.at)}</time>
                      </td>
                      <td>{e.actor}</td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>{e.subject}</td>
                      <td>
                        <Details details={e.details} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <ErrorNotice error={error} />
              {filtered ? (
                <p className="small muted">
                  {formatCount(entries.length)} matching{' '}
                  {entries.length === 1 ? 'entry' : 'entries'}
                  {entries.length >= 1000 ? ' (the newest thousand)' : ''}.
                </p>
              ) : end || oldest === undefined || oldest.seq <= 1 ? (
                <p className="small muted">That is the whole log.</p>
              ) : (
                <button
                  type="button"
                  className="button"
                  disabled={loadingMore}
                  onClick={() => void loadOlder()}
                >
                  Show older entries
                </button>
              )}
            </>
          )
        }
      </Loaded>
    </>
  );
}

/** Filters by action (`deploy.succeeded`) and actor (`ana`, `ci:pipeline`), applied on submit. */
function AuditFilter(props: {
  onFilter: (filter: { action: string; actor: string }) => void;
}): ReactNode {
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  return (
    <form
      className="filter-row"
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        props.onFilter({ action: action.trim(), actor: actor.trim() });
      }}
    >
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <input
          id="audit-action"
          placeholder="e.g. deploy.succeeded"
          value={action}
          onChange={(event) => setAction(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input
          id="audit-actor"
          placeholder="e.g. ana"
          value={actor}
          onChange={(event) => setActor(event.target.value)}
        />
      </div>
      <button type="submit" className="button">
        Filter
      </button>
      <button
        type="button"
        className="button"
        onClick={() => {
          setAction('');
          setActor('');
          props.onFilter({ action: '', actor: '' });
        }}
      >
        Clear
      </button>
    </form>
  );
}

/** Reads either shape of the verdict: the contract's or the core's `ChainVerdict`. */
export function verificationOf(answer: AuditVerificationAnswer): {
  ok: boolean;
  entries: number;
  failure: Partial<ChainFailure> | undefined;
} {
  if ('count' in answer)
    return {
      ok: answer.ok,
      entries: answer.count,
      failure: answer.ok ? undefined : answer.firstBad,
    };
  return { ok: answer.ok, entries: answer.entries, failure: answer.failure };
}

function Verification(props: {
  resource: { data: AuditVerificationAnswer | undefined; error: ApiError | undefined };
}): ReactNode {
  const { error } = props.resource;
  const data = props.resource.data === undefined ? undefined : verificationOf(props.resource.data);
  if (data === undefined)
    return error === undefined ? (
      <Loading what="the verification" />
    ) : (
      <ErrorNotice error={error} title="Could not verify" />
    );
  if (data.ok)
    return (
      <p className="notice notice-good verification" role="status">
        <strong>Chain verified: {formatCount(data.entries)} entries</strong> — no entry was changed,
        removed, inserted or reordered.
      </p>
    );
  const f = data.failure;
  return (
    <div className="notice notice-bad verification" role="alert">
      <strong>Chain broken{f?.seq === undefined ? '' : ` at entry ${f.seq}`}</strong>
      {f?.reason === undefined ? '' : ` (${f.reason})`}: {f?.message ?? 'the log does not verify.'}{' '}
      {formatCount(data.entries)} {data.entries === 1 ? 'entry' : 'entries'} before it{' '}
      {data.entries === 1 ? 'is' : 'are'} intact.
    </div>
  );
}

function Details(props: { details: AuditEntry['details'] }): ReactNode {
  const entries = Object.entries(props.details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="kv">
      {entries.map(([key, value]) => (
        <li key={key}>
          <span className="kv-key">{key}</span>{' '}
          <span className="kv-value" title={showJson(value, 2000)}>
            {showJson(value, 48)}
          </span>
        </li>
      ))}
    </ul>
  );
}
