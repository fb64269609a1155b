/**
 * The dashboard's one `EventSource` on /api/v1/events and what it has heard: a change counter
 * (bumped, debounced, for every `change` so pages refetch), the jobs by id (`job`), and each
 * job's deploy output (`output`). Components read it through `useSyncExternalStore`.
 */
import type { Job } from '../api/api-types.js';

export type Connection = 'connecting' | 'open' | 'lost';

/** Output kept per job: the newest characters when there is more. */
const OUTPUT_LIMIT = 256 * 1024;
/** Changes often come in bursts (a sync writes several entries): one refetch per burst. */
const CHANGE_DEBOUNCE_MS = 300;
const RECONNECT_MS = 3000;

interface OutputEvent {
  readonly jobId: string;
  readonly deploymentId?: number;
  readonly text: string;
}

export class LiveStore {
  private readonly listeners = new Set<() => void>();
  private readonly jobMap = new Map<string, Job>();
  private readonly outputs = new Map<string, string>();
  private jobList: readonly Job[] = [];
  private changeCount = 0;
  private state: Connection = 'connecting';
  private changeTimer: number | undefined;
  private source: EventSource | undefined;
  private reconnectTimer: number | undefined;
  private everOpened = false;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get changes(): number {
    return this.changeCount;
  }

  get connection(): Connection {
    return this.state;
  }

  /** Jobs heard of, newest first. */
  get jobs(): readonly Job[] {
    return this.jobList;
  }

  job(id: string): Job | undefined {
    return this.jobMap.get(id);
  }

  output(jobId: string): string {
    return this.outputs.get(jobId) ?? '';
  }

  /**
   * Opens the stream. `onLost` is called when the browser gives up on it (a 401 or the server
   * gone): the app checks the session, and the stream is tried again a little later.
   */
  connect(onLost: () => void): () => void {
    let closed = false;
    const open = (): void => {
      const source = new EventSource(`/api/v1/events`);
      this.source = source;
      source.addEventListener('open', () => {
        // After a gap, whatever changed meanwhile is fetched again.
        if (this.everOpened) this.bumpChanges();
        this.everOpened = true;
        this.setState('open');
      });
      source.addEventListener('change', () => this.bumpChanges());
      source.addEventListener('job', (e) => this.onJob(e));
      source.addEventListener('output', (e) => this.onOutput(e));
      source.addEventListener('error', () => {
        if (source.readyState !== EventSource.CLOSED) {
          this.setState('connecting');
          return;
        }
        this.setState('lost');
        source.close();
        onLost();
        if (!closed) this.reconnectTimer = window.setTimeout(open, RECONNECT_MS);
      });
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(this.reconnectTimer);
      window.clearTimeout(this.changeTimer);
      this.source?.close();
      this.source = undefined;
    };
  }

  /** Adds or updates jobs fetched over HTTP (GET /jobs, GET /jobs/{id}, a 202 answer). */
  putJobs(jobs: readonly Job[]): void {
    for (const job of jobs) this.putJob(job, false);
    this.publishJobs();
  }

  /** Asks every page to fetch its data again now. */
  refresh(): void {
    this.changeCount += 1;
    this.emit();
  }

  private onJob(event: Event): void {
    const job = parse<Job>(event);
    if (job === undefined || typeof job.id !== 'string') return;
    this.putJob(job, true);
    this.publishJobs();
  }

  private onOutput(event: Event): void {
    const data = parse<OutputEvent>(event);
    if (data === undefined || typeof data.text !== 'string') return;
    // Each event is whole lines, as the server keeps a job's output (GET /jobs/{id} splits every
    // chunk into lines): a chunk without a final newline still ends its line.
    const chunk = data.text.endsWith('\n') ? data.text : `${data.text}\n`;
    const text = (this.outputs.get(data.jobId) ?? '') + chunk;
    this.outputs.set(data.jobId, text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text);
    this.emit();
  }

  private putJob(job: Job, fromStream: boolean): void {
    const known = this.jobMap.get(job.id);
    // A stale HTTP answer must not undo what the stream already said about the end.
    if (
      !fromStream &&
      known !== undefined &&
      known.status !== 'running' &&
      job.status === 'running'
    )
      return;
    this.jobMap.set(job.id, { ...known, ...job });
    if (job.output !== undefined && job.output.length > 0) {
      const heard = this.outputs.get(job.id) ?? '';
      const sent = `${job.output.join('\n')}\n`;
      if (sent.length > heard.length) this.outputs.set(job.id, sent);
    }
  }

  private publishJobs(): void {
    this.jobList = [...this.jobMap.values()].sort((a, b) =>
      a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0,
    );
    this.emit();
  }

  private bumpChanges(): void {
    window.clearTimeout(this.changeTimer);
    this.changeTimer = window.setTimeout(() => this.refresh(), CHANGE_DEBOUNCE_MS);
  }

  private setState(state: Connection): void {
    if (this.state === state) return;
    this.state = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function parse<T>(event: Event): T | undefined {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return undefined;
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return undefined;
  }
}
