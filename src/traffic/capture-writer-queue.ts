/**
 * The capture writer's queue: records waiting to be written, bounded by count and by estimated
 * JSON bytes so memory stays flat however far the disk falls behind. Pushing is O(1) and never
 * serialises — the proxy's request path pays only for a size estimate; the JSON is made later,
 * in batches, by the background writer.
 */
import type { CaptureRecord, HeaderList } from './capture-format.js';

/** A batch taken off the queue: NDJSON lines, how many records they hold, how many failed. */
export interface QueueBatch {
  readonly text: string;
  readonly count: number;
  /** Records `JSON.stringify` refused (a cycle, a BigInt): dropped, never written. */
  readonly unserializable: number;
}

/** A FIFO of records with their estimated sizes; amortised O(1) push and shift. */
export class CaptureQueue {
  private records: (CaptureRecord | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly bytesLimit: number,
  ) {}

  get length(): number {
    return this.records.length - this.head;
  }

  /** Adds a record unless either bound would be exceeded; false when it was refused. */
  push(record: CaptureRecord, size: number): boolean {
    if (this.length >= this.limit || this.bytes + size > this.bytesLimit) return false;
    this.records.push(record);
    this.sizes.push(size);
    this.bytes += size;
    return true;
  }

  /** Takes up to `maxRecords` records (and at least one) up to about `maxBytes`, as NDJSON. */
  take(maxRecords: number, maxBytes: number): QueueBatch {
    const lines: string[] = [];
    let taken = 0;
    let unserializable = 0;
    let size = 0;
    while (this.length > 0 && taken < maxRecords && (taken === 0 || size < maxBytes)) {
      const record = this.records[this.head]!;
      size += this.sizes[this.head]!;
      this.bytes -= this.sizes[this.head]!;
      this.records[this.head] = undefined;
      this.head++;
      taken++;
      try {
        lines.push(JSON.stringify(record));
      } catch {
        unserializable++;
      }
    }
    this.compact();
    const count = lines.length;
    return { text: count === 0 ? '' : `${lines.join('\n')}\n`, count, unserializable };
  }

  /** Empties the queue; returns how many records it held. */
  clear(): number {
    const count = this.length;
    this.records = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    return count;
  }

  /** Drops the consumed prefix once it is most of the arrays, so they do not grow forever. */
  private compact(): void {
    if (this.head === this.records.length) {
      this.records = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Roughly the JSON size of a record without serialising it: strings it carries plus a fixed
 * allowance for keys and numbers. Linear in the number of headers, never in body size.
 */
export function estimateRecordBytes(record: CaptureRecord): number {
  const request = record.request;
  let bytes =
    256 + record.id.length + record.session.length + request.url.length + request.method.length;
  bytes += headerBytes(request.headers) + (request.body?.data.length ?? 0);
  const response = record.response;
  if (response !== undefined) {
    bytes += 64 + headerBytes(response.headers) + (response.body?.data.length ?? 0);
  }
  return bytes + (record.error?.length ?? 0) + record.redactions.length * 80;
}

function headerBytes(headers: HeaderList): number {
  let bytes = 0;
  for (const [name, value] of headers) bytes += name.length + value.length + 8;
  return bytes;
}
