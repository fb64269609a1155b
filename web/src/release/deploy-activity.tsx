/**
 * Deploy output as it happens. A promotion started here is followed through its job (`output`
 * and `job` events, with a slow poll in case the stream drops); a deployment started elsewhere
 * through GET /deployments/{id}/log, which streams `output` then `done`. Finished deployments
 * show their stored log.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { API, getJson, segment } from '../api/api-client.js';
import type { Deployment, Job, PromotionResult } from '../api/api-types.js';
import { Badge, ErrorNotice } from '../components/common.js';
import { LogPanel } from '../components/job-view.js';
import { useJob, useJobOutput, useLiveStore } from '../live/live-context.js';

const POLL_MS = 4000;

/** A promotion job: its output while it runs, then the outcome and why. */
export function PromotionActivity(props: { jobId: string; onFinished: () => void }): ReactNode {
  const job = useJob(props.jobId);
  const output = useJobOutput(props.jobId);
  const live = useLiveStore();
  const running = job === undefined || job.status === 'running';
  const { onFinished } = props;

  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      getJson<{ job: Job }>(`/jobs/${segment(props.jobId)}`).then(
        (answer) => live.putJobs([answer.job]),
        () => undefined,
      );
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, props.jobId, live]);

  useEffect(() => {
    if (!running) onFinished();
  }, [running, onFinished]);

  const result = job?.result as Partial<PromotionResult> | undefined;
  return (
    <section className="section" aria-labelledby="deploy-log-title">
      <h2 id="deploy-log-title">
        Deploy log {job === undefined ? null : <span className="muted small">— {job.title}</span>}
      </h2>
      <LogPanel
        label="Deploy log"
        text={output}
        waiting={running ? 'Waiting for output…' : 'No output.'}
      />
      <div role="status" className="outcome">
        {running ? (
          <p className="muted">Running…</p>
        ) : result?.outcome !== undefined ? (
          <div
            className={`notice notice-${result.outcome === 'deployed' || (result.outcome as string) === 'rolled-back' ? 'good' : result.outcome === 'pending' ? 'warn' : 'bad'}`}
          >
            <p>
              <Badge>{result.outcome}</Badge> {result.reason}
            </p>
            {result.gates === undefined || result.gates.every((g) => g.status === 'pass') ? null : (
              <ul className="gates compact">
                {result.gates
                  .filter((g) => g.status !== 'pass')
                  .map((g) => (
                    <li key={g.gate} className={`gate gate-${g.status}`}>
                      <span className="gate-status">
                        <Badge>{g.status}</Badge>
                      </span>
                      <span className="gate-name">{g.gate}</span>
                      <span className="gate-reason">{g.reason}</span>
                    </li>
                  ))}
              </ul>
            )}
          </div>
        ) : (
          <p>
            <Badge>{job?.status ?? 'unknown'}</Badge>
          </p>
        )}
        {job?.error === undefined ? null : (
          <ErrorNotice error={{ message: job.error.message, hint: job.error.hint }} />
        )}
      </div>
    </section>
  );
}

/** A deployment's log: streamed while it runs, read once when it is over. */
export function DeploymentLog(props: { deployment: Deployment; onDone?: () => void }): ReactNode {
  const { deployment, onDone } = props;
  const running = deployment.status === 'deploying' || deployment.status === 'verifying';
  const [text, setText] = useState('');
  const [failed, setFailed] = useState<string | undefined>(undefined);

  useEffect(() => {
    setText('');
    setFailed(undefined);
    if (running) {
      const source = new EventSource(`${API}/deployments/${segment(deployment.id)}/log`);
      source.addEventListener('output', (event) => {
        const data = readText(event);
        if (data !== undefined) setText((t) => t + data);
      });
      source.addEventListener('done', () => {
        source.close();
        onDone?.();
      });
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.CLOSED) setFailed('The log stream ended.');
      });
      return () => source.close();
    }
    const controller = new AbortController();
    getJson<{ deployment: Deployment; log: string }>(
      `/deployments/${segment(deployment.id)}`,
      controller.signal,
    ).then(
      (answer) => setText(answer.log),
      (error: unknown) => {
        if (!controller.signal.aborted)
          setFailed(error instanceof Error ? error.message : String(error));
      },
    );
    return () => controller.abort();
  }, [deployment.id, running, onDone]);

  return (
    <>
      <LogPanel
        label={`Log of deployment ${deployment.id}`}
        text={text}
        waiting={running ? 'Waiting for output…' : 'This deployment wrote no output.'}
      />
      {failed === undefined ? null : <p className="small muted">{failed}</p>}
    </>
  );
}

function readText(event: Event): string | undefined {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return undefined;
  try {
    const data = JSON.parse(event.data) as { text?: unknown };
    return typeof data.text === 'string' ? data.text : undefined;
  } catch {
    return undefined;
  }
}
