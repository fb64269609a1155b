/**
 * Long work started over the API — a data sync, a promotion, a rollback — runs as a job in this
 * server: the request answers 202 with the job at once, and the job's progress, output and end
 * arrive as events. The newest jobs are kept in memory for `GET /api/v1/jobs`; what they did is
 * in the store (reports, deployments, audit) like any run from the CLI.
 */
import { UnderstudyError, type ErrorJson } from '../shared/errors.js';
import type { EventHub } from './events.js';

export type JobKind = 'data-sync' | 'promotion' | 'rollback' | 'parity';
export type JobStatus = 'running' | 'succeeded' | 'failed';

export interface JobProgress {
  readonly table?: string;
  readonly rowsDone: number;
  readonly rowsTotal?: number;
  readonly tablesDone: number;
  readonly tablesTotal: number;
}

export interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly title: string;
  readonly by: string;
  status: JobStatus;
  readonly startedAt: string;
  finishedAt?: string;
  progress?: JobProgress;
  deploymentId?: number;
  /** Output lines so far (deploy output), the newest 2,000. */
  output: string[];
  /** Output lines produced in all, kept or not: `output` holds the last of them. */
  outputTotal: number;
  result?: unknown;
  error?: ErrorJson;
}

export interface JobHandle {
  readonly job: Job;
  progress(progress: JobProgress): void;
  output(text: string, deploymentId?: number): void;
  deployment(id: number): void;
}

const keep = 50;
const keepLines = 2000;
/** Jobs one person or token may have running at once in this server. */
const maxRunningEach = 4;

export class JobRunner {
  private readonly jobs: Job[] = [];
  private next = 1;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly events: EventHub,
    private readonly now: () => Date = () => new Date(),
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  list(): readonly Job[] {
    return [...this.jobs].reverse();
  }

  get(id: string): Job {
    const job = this.jobs.find((j) => j.id === id);
    if (job === undefined) throw new UnderstudyError('E_NOT_FOUND', `no job ${id} on this server`);
    return job;
  }

  get active(): number {
    return this.jobs.filter((j) => j.status === 'running').length;
  }

  /**
   * Starts `work` as a job; `succeeded` is decided by `ok` on its result. A failure keeps the
   * error's code and message for the job's watchers.
   */
  start<T>(
    meta: { kind: JobKind; title: string; by: string },
    work: (handle: JobHandle) => Promise<T>,
    ok: (result: T) => boolean = () => true,
  ): Job {
    const job: Job = {
      id: `${Date.now().toString(36)}-${this.next++}`,
      ...meta,
      status: 'running',
      startedAt: this.now().toISOString(),
      output: [],
      outputTotal: 0,
    };
    const running = this.jobs.filter((j) => j.status === 'running');
    if (running.filter((j) => j.by === meta.by).length >= maxRunningEach)
      throw new UnderstudyError(
        'E_RATE_LIMITED',
        `${meta.by} already has ${maxRunningEach} jobs running here: wait for one to finish`,
      );
    this.jobs.push(job);
    // Finished jobs make room; running ones are never forgotten.
    while (this.jobs.length > keep) {
      const oldest = this.jobs.findIndex((j) => j.status !== 'running');
      if (oldest < 0) break;
      this.jobs.splice(oldest, 1);
    }
    let lastProgress = 0;
    const handle: JobHandle = {
      job,
      progress: (progress) => {
        job.progress = progress;
        const at = Date.now();
        // Progress is sent at most five times a second; the end is always sent.
        if (at - lastProgress >= 200) {
          lastProgress = at;
          this.events.publish('job', summary(job));
        }
      },
      output: (text, deploymentId) => {
        for (const line of text.replace(/\n$/, '').split('\n')) {
          job.output.push(line);
          job.outputTotal += 1;
        }
        if (job.output.length > keepLines) job.output.splice(0, job.output.length - keepLines);
        this.events.publish('output', {
          jobId: job.id,
          ...(deploymentId === undefined ? {} : { deploymentId }),
          text,
        });
      },
      deployment: (id) => {
        job.deploymentId = id;
        this.events.publish('job', summary(job));
      },
    };
    this.events.publish('job', summary(job));
    const run = (async () => {
      try {
        const result = await work(handle);
        job.result = result;
        job.status = ok(result) ? 'succeeded' : 'failed';
      } catch (error) {
        job.status = 'failed';
        // An unexpected failure's own words (hosts, SQL) go to the server's log, not to clients.
        if (error instanceof UnderstudyError) job.error = error.toJSON();
        else {
          this.log(
            `understudy serve: job ${job.id} (${job.title}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
          job.error = { code: 'E_INTERNAL', message: 'an unexpected failure; see the server log' };
        }
      } finally {
        job.finishedAt = this.now().toISOString();
        this.events.publish('job', summary(job));
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return job;
  }

  /** Waits for running jobs (at shutdown), at most `ms`. */
  async drain(ms: number): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => setTimeout(resolve, ms).unref()),
    ]);
  }
}

/** A job as sent to clients: without the whole output (that came as `output` events). */
export function summary(job: Job): Omit<Job, 'output'> & { outputLines: number } {
  const { output, ...rest } = job;
  return { ...rest, outputLines: output.length };
}

/** A job with the output lines from line `since` on (counting every line it produced). */
export function withOutputSince(job: Job, since: number): Job {
  const first = job.outputTotal - job.output.length;
  return { ...job, output: job.output.slice(Math.max(0, since - first)) };
}
