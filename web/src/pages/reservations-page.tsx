/**
 * Shared staging, fairly: who holds each environment and until when, who waits, a form to
 * reserve one (POST /reservations) and a Release button for what you hold or wait for.
 */
import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, apiRequest, segment } from '../api/api-client.js';
import type { BoardRow, Reservation, Session } from '../api/api-types.js';
import { useResource } from '../api/use-resource.js';
import {
  Badge,
  ErrorNotice,
  Loaded,
  PageHeader,
  TimeAgo,
  VisuallyHidden,
} from '../components/common.js';
import { useStepUp } from '../components/totp-dialog.js';
import { formatShortTime } from '../format.js';

const toError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, { code: 'E_CLIENT', message: String(e) });

/**
 * The server answers `{environments: BoardRow[]}` (each environment with its holder and queue);
 * the contract wrote `{reservations: Reservation[]}`. Both become board rows.
 */
type ReservationsAnswer =
  | { readonly environments: readonly BoardRow[] }
  | { readonly reservations: readonly Reservation[] };

export function boardOf(answer: ReservationsAnswer): BoardRow[] {
  if ('environments' in answer) return [...answer.environments];
  const envs = [...new Set(answer.reservations.map((r) => r.env))];
  return envs.map((env) => {
    const mine = answer.reservations.filter((r) => r.env === env);
    return {
      env,
      running: null,
      holder: mine.find((r) => r.status === 'held') ?? null,
      queue: mine.filter((r) => r.status === 'queued'),
    };
  });
}

export function ReservationsPage(props: { session: Session }): ReactNode {
  const reservations = useResource<ReservationsAnswer>('/reservations');
  const stepUp = useStepUp();
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);

  const release = async (env: string): Promise<void> => {
    setError(undefined);
    setMessage(undefined);
    try {
      const answer = await apiRequest<{ released: Reservation | readonly Reservation[] | null }>(
        'DELETE',
        `/reservations/${segment(env)}`,
      );
      const released = Array.isArray(answer.released)
        ? answer.released.length > 0
        : answer.released !== null;
      setMessage(released ? `You released ${env}.` : `You held nothing in ${env}.`);
      reservations.reload();
    } catch (e) {
      setError(toError(e));
    }
  };

  const reserve = async (env: string, duration: string, reason: string): Promise<boolean> => {
    setError(undefined);
    setMessage(undefined);
    try {
      return await stepUp.run({
        title: `Reserve ${env}`,
        confirmLabel: 'Reserve',
        askFirst: false,
        send: async (totp) => {
          const answer = await apiRequest<{ reservation: Reservation; position?: number }>(
            'POST',
            '/reservations',
            { env, for: duration, reason, ...(totp === undefined ? {} : { totp }) },
          );
          const r = answer.reservation;
          setMessage(
            r.status === 'held'
              ? `You hold ${env}${r.expiresAt === undefined ? '' : ` until ${formatShortTime(r.expiresAt)}`}.`
              : `${env} is taken: you are number ${answer.position ?? '?'} in the queue.`,
          );
          reservations.reload();
        },
      });
    } catch (e) {
      setError(toError(e));
      return false;
    }
  };

  return (
    <>
      <PageHeader
        title="Reservations"
        subtitle="Leases of shared environments, first come first served"
      />
      {stepUp.dialog}
      <Loaded resource={reservations} what="reservations">
        {(data) => {
          const board = boardOf(data);
          return (
            <div className="reservations-layout">
              <section className="section" aria-labelledby="held-title">
                <h2 id="held-title">Who holds what</h2>
                {board.length === 0 ? (
                  <p className="muted">No environment is reserved.</p>
                ) : (
                  <ul className="lease-list">
                    {board.map((row) => (
                      <EnvLeases
                        key={row.env}
                        row={row}
                        me={props.session.name}
                        onRelease={() => void release(row.env)}
                      />
                    ))}
                  </ul>
                )}
              </section>
              <ReserveForm envs={board.map((row) => row.env)} onReserve={reserve} />
            </div>
          );
        }}
      </Loaded>
      <div aria-live="polite">
        {message === undefined ? null : <p className="notice notice-good">{message}</p>}
      </div>
      <ErrorNotice error={error} />
    </>
  );
}

function EnvLeases(props: { row: BoardRow; me: string; onRelease: () => void }): ReactNode {
  const { row } = props;
  const held = row.holder;
  const queue = [...row.queue].sort((a, b) => (a.requestedAt < b.requestedAt ? -1 : 1));
  const mine = held?.holder === props.me || queue.some((r) => r.holder === props.me);
  return (
    <li className="card lease-card">
      <div className="lease-head">
        <h3>{row.env}</h3>
        {held === null ? <Badge tone="good">free</Badge> : <Badge tone="warn">held</Badge>}
        {row.running === null ? null : <span className="small muted">runs {row.running}</span>}
        {mine ? (
          <button type="button" className="button button-small" onClick={props.onRelease}>
            Release<VisuallyHidden>{` ${row.env}`}</VisuallyHidden>
          </button>
        ) : null}
      </div>
      {held === null ? null : (
        <p>
          <strong>{held.holder}</strong>
          {held.expiresAt === undefined ? null : <> until {formatShortTime(held.expiresAt)}</>}
          {held.reason === '' ? null : <span className="muted"> — {held.reason}</span>}
        </p>
      )}
      {queue.length === 0 ? (
        <p className="small muted">Nobody waiting.</p>
      ) : (
        <ol className="queue" aria-label={`Queue for ${row.env}`}>
          {queue.map((r) => (
            <li key={r.id} className="small">
              <strong>{r.holder}</strong> — {r.reason}{' '}
              <span className="muted">
                (asked <TimeAgo at={r.requestedAt} />)
              </span>
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

function ReserveForm(props: {
  envs: readonly string[];
  onReserve: (env: string, duration: string, reason: string) => Promise<boolean>;
}): ReactNode {
  const id = useId();
  const [env, setEnv] = useState('');
  const [duration, setDuration] = useState('2h');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen =
    env === '' ? (props.envs.find((e) => e !== 'production') ?? props.envs[0] ?? '') : env;

  return (
    <section className="section card reserve-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Reserve an environment</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void props.onReserve(chosen, duration.trim(), reason.trim()).then((ok) => {
            setBusy(false);
            if (ok) setReason('');
          });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-env`}>Environment</label>
          {props.envs.length === 0 ? (
            <input id={`${id}-env`} required value={env} onChange={(e) => setEnv(e.target.value)} />
          ) : (
            <select id={`${id}-env`} value={chosen} onChange={(e) => setEnv(e.target.value)}>
              {props.envs.map((e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-duration`}>Duration</label>
          <input
            id={`${id}-duration`}
            required
            pattern="(\d+(\.\d+)?(ms|s|m|h|d|w))+"
            aria-describedby={`${id}-duration-help`}
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
          />
          <p id={`${id}-duration-help`} className="field-help">
            For example 30m, 2h or 1h30m.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            id={`${id}-reason`}
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          Reserve
        </button>
      </form>
    </section>
  );
}
