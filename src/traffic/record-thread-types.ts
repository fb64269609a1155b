/** The messages between the proxy's thread and the recording thread (see record-thread.ts). */
import type { RecorderStats } from './capture-format.js';
import type { CaptureWriterOptions } from './capture-writer.js';
import type { RawExchange } from './record-exchange.js';

/** What the recording thread is started with. */
export interface RecordThreadData {
  readonly writer: CaptureWriterOptions;
  /** The redactor's settings, the key as bytes. */
  readonly redaction: {
    readonly key: Uint8Array;
    readonly headers?: readonly string[];
    readonly query?: readonly string[];
    readonly json?: readonly string[];
  };
  readonly maxBodyBytes: number;
}

/** A body as sent across: the kept bytes and the size seen on the wire. */
export interface SentBody {
  readonly data: Uint8Array;
  readonly size: number;
}

/** An exchange as sent across: the raw exchange with its body copies taken. */
export type SentExchange = Omit<RawExchange, 'requestBody' | 'responseBody'> & {
  readonly requestBody?: SentBody;
  readonly responseBody?: SentBody;
};

export type ToRecordThread =
  | { readonly type: 'exchanges'; readonly exchanges: readonly SentExchange[] }
  | { readonly type: 'drain'; readonly id: number; readonly timeoutMs: number }
  | { readonly type: 'close' };

/** Counters the recording thread reports, with how much of what it was sent it is done with. */
export interface ThreadStats {
  readonly stats: RecorderStats;
  /** Exchanges received. */
  readonly received: number;
  /** Exchanges received and finished with: offered to the writer, or dropped. */
  readonly settled: number;
  /** Body bytes received and no longer held. */
  readonly releasedBytes: number;
}

export type FromRecordThread =
  | { readonly type: 'ready' }
  | {
      readonly type: 'failed';
      readonly code?: string;
      readonly message: string;
      readonly hint?: string;
    }
  | ({ readonly type: 'stats' } & ThreadStats)
  | ({ readonly type: 'drained'; readonly id: number } & ThreadStats)
  | ({ readonly type: 'closed' } & ThreadStats);
