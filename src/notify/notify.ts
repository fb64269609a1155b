/**
 * Notifications: what happened, POSTed to the webhooks in `notifications.webhooks` that want
 * the event — as JSON (`{ event, at, subject, text, details }`) or, with `format: slack`, as a
 * Slack-compatible `{ text }` message. Delivery never holds up or fails the action that caused
 * it: each call has 5 s, failures are reported back to the caller, not thrown.
 */
import type { Config } from '../config/config-schema.js';
import { fetchFailure } from '../shared/fetch-failure.js';

export type NotifyEvent =
  | 'approval.requested'
  | 'gate.failed'
  | 'deploy.succeeded'
  | 'verify.passed'
  | 'rollback.done'
  | 'reservation.granted'
  | 'reservation.expired';

export interface Notice {
  readonly event: NotifyEvent;
  /** What it is about: `v1.4.2 production`, `staging`. */
  readonly subject: string;
  /** One sentence a person reads. */
  readonly text: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One webhook that could not be told, and why. */
export interface NotifyFailure {
  readonly url: string;
  readonly event: NotifyEvent;
  readonly reason: string;
}

const TIMEOUT_MS = 5_000;

/** Sends `notice` to every webhook that wants it; resolves with the failures (never rejects). */
export async function notify(
  config: Pick<Config, 'notifications' | 'project'>,
  notice: Notice,
  now: () => Date = () => new Date(),
): Promise<NotifyFailure[]> {
  const hooks = (config.notifications?.webhooks ?? []).filter(
    (h) => h.events === undefined || h.events.includes(notice.event),
  );
  const at = now().toISOString();
  const results = await Promise.all(
    hooks.map(async (hook): Promise<NotifyFailure | undefined> => {
      const body =
        hook.format === 'slack'
          ? { text: `*${config.project}* · ${notice.event} · ${notice.text}` }
          : {
              event: notice.event,
              at,
              project: config.project,
              subject: notice.subject,
              text: notice.text,
              details: notice.details ?? {},
            };
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'understudy' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok
          ? undefined
          : { url: hook.url, event: notice.event, reason: `answered ${res.status}` };
      } catch (error) {
        const why = fetchFailure(error);
        return {
          url: hook.url,
          event: notice.event,
          reason: why === 'timed out' ? `no answer within ${TIMEOUT_MS / 1000} s` : why,
        };
      }
    }),
  );
  return results.filter((r): r is NotifyFailure => r !== undefined);
}
