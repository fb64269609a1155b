/**
 * The capture format: what `understudy record` writes and `understudy replay` reads. Pure types
 * and helpers, shared by the writer, the reader, the recording proxy, HAR import/export and the
 * replayer, so each of them codes against this one contract.
 *
 * On disk, a capture is a directory of files named `capture-<UTC start, compact>-<seq>.ndjson.gz`
 * (`capture-20261121T101500Z-0001.ndjson.gz`), each a gzip stream of UTF-8 lines, one JSON object
 * per line:
 *
 * - the first line of every file is a {@link CaptureHeader} (`"type": "header"`): format version,
 *   the writer, when the file was started, the body cap;
 * - every other line is a {@link CaptureRecord} (`"type": "exchange"`): one request and, when the
 *   upstream answered, its response; each carries its own redaction report.
 *
 * Files are rotated by size and age; the writer flushes the gzip stream often (a sync flush), so a
 * file cut short by a crash or a full disk still reads up to its last complete line. Readers must
 * replay what is readable and report the rest (see {@link CaptureProblem}); a line that is not a
 * valid record is skipped and reported, never fatal. Records are in the order the exchanges ended
 * within one file; across files, order by file name. Every value that was redacted holds a keyed
 * token (see `redactionToken`), never the original.
 */

/** The format's version; a reader refuses files of a newer major version. */
export const CAPTURE_FORMAT_VERSION = 1;

/** The file name pattern of capture files. */
export const CAPTURE_FILE_PATTERN = /^capture-\d{8}T\d{6}Z-\d{4,}\.ndjson\.gz$/;

/** A header as recorded: name (lower-case) and value, in the order seen; repeats allowed. */
export type HeaderList = readonly (readonly [name: string, value: string])[];

/** A body as recorded. */
export interface CapturedBody {
  /** `utf8` for text (JSON, forms, text/*), `base64` for anything else. */
  readonly encoding: 'utf8' | 'base64';
  /**
   * The body after redaction, decoded of its content-encoding (gzip, deflate, br) so it can be
   * read and compared; cut at the cap when `truncated`.
   */
  readonly data: string;
  /** The body's full size in bytes as it went over the wire (still content-encoded). */
  readonly size: number;
  /** True when `data` holds only the first `maxBodyBytes` bytes: never compared as a regression. */
  readonly truncated: boolean;
}

export interface CapturedRequest {
  readonly method: string;
  /** Path and query as sent by the client (`/api/orders?page=2`), query values redacted. */
  readonly url: string;
  readonly httpVersion: string;
  readonly headers: HeaderList;
  readonly body?: CapturedBody;
}

export interface CapturedResponse {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: HeaderList;
  readonly body?: CapturedBody;
}

/** One redaction applied to a record: where, by which rule, how many values. */
export interface Redaction {
  /** `header:authorization`, `cookie:session`, `query:token`, `body:$.password`, `body:text`. */
  readonly where: string;
  /** The rule that matched: `default:authorization`, `default:jwt`, `config:query`, … */
  readonly rule: string;
  readonly count: number;
}

/** One request/response exchange. */
export interface CaptureRecord {
  readonly type: 'exchange';
  /** Unique within the capture (e.g. a ULID or `<file seq>-<n>`). */
  readonly id: string;
  /**
   * The session the exchange belongs to (a redaction token of the `sample.by` header or cookie,
   * or of the client address when none): replay keeps order within a session.
   */
  readonly session: string;
  /** When the request started, ISO 8601 with milliseconds, UTC. */
  readonly startedAt: string;
  /** Milliseconds from the request's start to the response's last byte. */
  readonly durationMs: number;
  /** Milliseconds from the request's start to the response's first byte, when answered. */
  readonly ttfbMs?: number;
  readonly request: CapturedRequest;
  /** Absent when the upstream did not answer (then `error` says why, the client got a 502). */
  readonly response?: CapturedResponse;
  readonly error?: string;
  /** Every redaction applied to this record (empty when none). */
  readonly redactions: readonly Redaction[];
}

/** The first line of every capture file. */
export interface CaptureHeader {
  readonly type: 'header';
  readonly version: number;
  /** `understudy <version>` or, for imports, `har-import`. */
  readonly writer: string;
  readonly startedAt: string;
  readonly maxBodyBytes: number;
  /** The upstream recorded, without credentials, when known. */
  readonly upstream?: string;
}

/** Something a reader could not read: the rest of the capture is still replayed. */
export interface CaptureProblem {
  readonly file: string;
  /** 1-based line, when the problem is one line. */
  readonly line?: number;
  /** `truncated` (the file ends mid-stream), `corrupt` (not gzip, or bad JSON), `invalid` (JSON, but not a record), `version`. */
  readonly kind: 'truncated' | 'corrupt' | 'invalid' | 'version';
  readonly message: string;
}

/** Counters of a running recorder, served at `/__understudy/health`. */
export interface RecorderStats {
  /** Exchanges written to disk. */
  readonly recorded: number;
  /** Exchanges dropped: queue full, writer failed, or disk error. */
  readonly dropped: number;
  /** Why drops happened, by reason. */
  readonly dropReasons: Readonly<Record<string, number>>;
  /** Compressed bytes written. */
  readonly bytes: number;
  /** Exchanges waiting in the queue. */
  readonly queued: number;
  /** Exchanges not recorded because sampling or route rules left them out (not drops). */
  readonly skipped: number;
  /** The last write error, when the writer is failing. */
  readonly lastError?: string;
}

/**
 * Where the proxy hands finished exchanges. `offer` never blocks and never throws: it returns
 * false when the record was dropped (queue full, writer failing), and the drop is counted.
 */
export interface CaptureSink {
  offer(record: CaptureRecord): boolean;
  stats(): RecorderStats;
  /** Writes what is queued (bounded by a timeout), closes the current file. */
  close(): Promise<void>;
}

/** The file name of the `seq`th file of a capture started at `started`. */
export function captureFileName(started: Date, seq: number): string {
  const stamp = started
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `capture-${stamp}-${String(seq).padStart(4, '0')}.ndjson.gz`;
}

/** Whether a parsed JSON value is a capture record (the shape, not every field's format). */
export function isCaptureRecord(value: unknown): value is CaptureRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const request = r.request as Record<string, unknown> | undefined;
  return (
    r.type === 'exchange' &&
    typeof r.id === 'string' &&
    typeof r.session === 'string' &&
    typeof r.startedAt === 'string' &&
    typeof r.durationMs === 'number' &&
    typeof request === 'object' &&
    request !== null &&
    typeof request.method === 'string' &&
    typeof request.url === 'string' &&
    Array.isArray(request.headers) &&
    Array.isArray(r.redactions)
  );
}
