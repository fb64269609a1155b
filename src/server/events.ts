/**
 * Live updates over server-sent events. Every change in Understudy writes an audit entry, so the
 * audit log is the change feed: while anyone listens, new entries are read once a second and
 * sent as `change` events — a change made by the CLI or another replica shows up too. Jobs run
 * by this server add `job` and `output` events. A client that goes away is dropped at once, with
 * its keep-alive timer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listAudit, readAuditHead } from '../audit/audit-log.js';
import type { Store } from '../store/open-store.js';

export interface ServerEvent {
  readonly event: string;
  readonly data: unknown;
}

type Listener = (event: ServerEvent) => void;

export class EventHub {
  private readonly listeners = new Set<Listener>();
  private feed: NodeJS.Timeout | undefined;
  private lastSeq: number | undefined;
  private reading = false;

  constructor(
    private readonly store: Pick<Store, 'driver'>,
    private readonly pollMs = 1000,
  ) {}

  /** How many listen now (for /metrics, and for tests that look for leaks). */
  get clients(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.feed === undefined) {
      this.feed = setInterval(() => void this.readFeed(), this.pollMs);
      this.feed.unref();
      void this.readFeed();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.feed !== undefined) {
        clearInterval(this.feed);
        this.feed = undefined;
        this.lastSeq = undefined;
      }
    };
  }

  publish(event: string, data: unknown): void {
    for (const listener of this.listeners) listener({ event, data });
  }

  close(): void {
    if (this.feed !== undefined) clearInterval(this.feed);
    this.feed = undefined;
    this.listeners.clear();
  }

  private async readFeed(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      if (this.lastSeq === undefined) {
        this.lastSeq = (await readAuditHead(this.store))?.seq ?? 0;
        return;
      }
      const entries = await listAudit(this.store, { after: this.lastSeq, limit: 200 });
      for (const e of entries) {
        this.lastSeq = e.seq;
        this.publish('change', {
          id: e.seq,
          action: e.action,
          subject: e.subject,
          actor: e.actor,
          at: e.at,
        });
      }
    } catch {
      // The store is away for a moment: the next tick tries again.
    } finally {
      this.reading = false;
    }
  }
}

/** Past this much unsent output a client is taken for stuck, and dropped. */
const MAX_BUFFERED = 1024 * 1024;

export interface EventStream {
  /** Sends one event; `id` lets a reconnecting client say where it was (Last-Event-ID). */
  send(event: ServerEvent, id?: string): void;
  end(): void;
  /** The client went away (or was dropped): stop producing for it. */
  readonly closed: boolean;
}

/**
 * Sends `text/event-stream` to one client until it disconnects. With `hub`, the hub's events
 * (filtered by `accept`) are sent as they come. A client that went away before the stream was
 * set up, or that stops reading, is let go at once, with its timer and subscription.
 */
export function openEventStream(
  request: IncomingMessage,
  response: ServerResponse,
  options: {
    hub?: EventHub;
    accept?: (event: ServerEvent) => boolean;
    keepAliveMs?: number;
  } = {},
): EventStream {
  let ended = false;
  let unsubscribe = (): void => undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    if (keepAlive !== undefined) clearInterval(keepAlive);
    unsubscribe();
    if (!response.writableEnded) response.end();
  };
  const write = (text: string): void => {
    if (ended || response.destroyed) return end();
    response.write(text);
    if (response.writableLength > MAX_BUFFERED) {
      response.destroy();
      end();
    }
  };
  const send = (e: ServerEvent, id?: string): void =>
    write(
      `${id === undefined ? '' : `id: ${id}\n`}event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`,
    );
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  write(': connected\n\n');
  request.on('close', end);
  response.on('close', end);
  response.on('error', end);
  if (request.destroyed || response.destroyed) end();
  if (!ended) {
    if (options.hub !== undefined)
      unsubscribe = options.hub.subscribe((e) => {
        if (options.accept === undefined || options.accept(e)) send(e);
      });
    keepAlive = setInterval(() => write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
    keepAlive.unref();
  }
  return {
    send,
    end,
    get closed() {
      return ended;
    },
  };
}
