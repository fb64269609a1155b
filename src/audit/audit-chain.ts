/**
 * The audit log's hash chain, pure: how an entry is serialised and hashed, and how a sequence of
 * entries is checked. Each entry's hash covers its fields and the previous entry's hash, so
 * altering, deleting, inserting or reordering entries breaks the chain somewhere, and the head
 * (the newest seq and hash, recorded apart from the entries) catches deleting the newest ones.
 *
 * The chain is not keyed: someone who can write the database and knows this algorithm can forge
 * a whole consistent chain. Comparing the head with one recorded elsewhere (an exported copy)
 * catches that too.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** The `prevHash` of the first entry. */
export const genesisHash = '0'.repeat(64);

/** The fields an entry's hash covers. */
export interface AuditFields {
  /** 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** When, as an ISO 8601 UTC string with milliseconds (`Date#toISOString`). */
  readonly at: string;
  /** Who: a user name, `token:<name>` for CI, `system` for scheduled work. */
  readonly actor: string;
  /** What, as a dotted verb: `release.approve`, `data.sync`, … */
  readonly action: string;
  /** What it was done to: a release id, an environment, … */
  readonly subject: string;
  readonly details: { readonly [key: string]: JsonValue };
}

/** One entry of the log, with its place in the chain. */
export interface AuditEntry extends AuditFields {
  readonly prevHash: string;
  readonly hash: string;
}

/** The newest entry's seq and hash, recorded apart from the entries (seq 0 and the genesis hash when empty). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Why the chain is broken at the first bad entry: `altered` (its content changed), `deleted`
 * (it or an entry before it is missing), `inserted` (it is not part of the chain), `out-of-order`
 * (entries were reordered or their seqs swapped), `truncated` (the newest entries are missing),
 * `head-missing` (the head record itself is gone).
 */
export type ChainFailureReason =
  'altered' | 'deleted' | 'inserted' | 'out-of-order' | 'truncated' | 'head-missing';

export interface ChainFailure {
  /** The first bad entry's seq (for a deleted entry, the seq that is missing). */
  readonly seq: number;
  readonly reason: ChainFailureReason;
  /** One line for people. */
  readonly message: string;
}

/** The result of checking a chain; `count` is the number of leading entries found intact. */
export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly count: number; readonly firstBad: ChainFailure };

/** The text an entry's hash covers: its fields as canonical JSON. */
export function canonicalEntryText(fields: AuditFields): string {
  const { seq, at, actor, action, subject, details } = fields;
  return canonicalJson({ seq, at, actor, action, subject, details });
}

/** sha256 (hex) of the previous hash followed by the entry's canonical text. */
export function hashEntry(fields: AuditFields, prevHash: string): string {
  return createHash('sha256').update(prevHash).update(canonicalEntryText(fields)).digest('hex');
}

/** The entry that follows `prevHash` with these fields. */
export function sealEntry(fields: AuditFields, prevHash: string): AuditEntry {
  const { seq, at, actor, action, subject, details } = fields;
  return { seq, at, actor, action, subject, details, prevHash, hash: hashEntry(fields, prevHash) };
}

/** Like `hashEntry`, but a value that cannot be hashed (a tampered file) just does not match. */
function hashOrNothing(fields: AuditFields, prevHash: string): string | undefined {
  try {
    return hashEntry(fields, prevHash);
  } catch {
    return undefined;
  }
}

function fail(seq: number, reason: ChainFailureReason, message: string): ChainFailure {
  return { seq, reason, message };
}

/** Judges `entry` given the last two intact entries and what follows it; undefined when intact. */
/** The entries after the one being judged, without copying the window. */
interface Following {
  readonly first: AuditEntry | undefined;
  some(test: (entry: AuditEntry) => boolean): boolean;
}

function judge(
  entry: AuditEntry,
  prev: AuditHead,
  beforePrev: AuditHead,
  following: Following,
): ChainFailure | undefined {
  const { seq } = entry;
  const expected = prev.seq + 1;
  if (seq < expected) {
    return seq === prev.seq
      ? fail(seq, 'inserted', `entry ${seq} appears twice`)
      : fail(
          seq,
          'out-of-order',
          `entry ${seq} comes after entry ${prev.seq}: entries were reordered`,
        );
  }
  if (seq > expected) {
    const later = following.some((f) => f.seq >= expected && f.seq < seq);
    return later
      ? fail(
          seq,
          'out-of-order',
          `entry ${seq} comes before entry ${expected}: entries were reordered`,
        )
      : fail(
          expected,
          'deleted',
          `entry ${expected} is missing: entry ${seq} follows entry ${prev.seq}`,
        );
  }
  const linked = entry.prevHash === prev.hash;
  const intact = hashOrNothing(entry, entry.prevHash) === entry.hash;
  if (linked && intact) return undefined;
  // Checked first: an entry linking to one that comes after it can only mean a reordering.
  if (!linked && following.some((f) => f.hash === entry.prevHash)) {
    return fail(
      seq,
      'out-of-order',
      `entry ${seq} links to a later entry: entries were reordered or their seqs swapped`,
    );
  }
  const next = following.first;
  if (next !== undefined && next.prevHash === prev.hash) {
    return fail(
      seq,
      'inserted',
      `entry ${seq} is not part of the chain: entry ${next.seq} links past it to entry ${prev.seq}`,
    );
  }
  if (!linked && prev.seq > 0 && entry.prevHash === beforePrev.hash) {
    // The previous entry hashed correctly but this one links past it: the previous one was forged.
    return fail(
      prev.seq,
      'inserted',
      `entry ${prev.seq} is not part of the chain: entry ${seq} links past it to entry ${beforePrev.seq}`,
    );
  }
  if (linked || hashOrNothing(entry, prev.hash) === entry.hash) {
    return fail(seq, 'altered', `entry ${seq} was altered: its hash does not match its content`);
  }
  return fail(
    seq,
    'deleted',
    `entry ${seq} does not link to entry ${prev.seq}: an entry between them was deleted or rewritten`,
  );
}

function checkHead(last: AuditHead, head: AuditHead): ChainFailure | undefined {
  if (head.seq > last.seq) {
    return fail(
      last.seq + 1,
      'truncated',
      `the log ends at entry ${last.seq} but its head records entry ${head.seq}: the newest entries were deleted`,
    );
  }
  if (head.seq < last.seq) {
    return fail(
      head.seq + 1,
      'inserted',
      `entries after ${head.seq} are not covered by the recorded head: they were added outside Understudy`,
    );
  }
  if (head.hash !== last.hash) {
    return fail(
      last.seq,
      'altered',
      `entry ${last.seq} does not match the recorded head: it was replaced`,
    );
  }
  return undefined;
}

/**
 * Checks entries fed one at a time in seq order, holding a bounded window of the entries that
 * follow the one being judged (to tell a reordering or an insertion from a deletion).
 */
export class ChainVerifier {
  /** Entries fed but not yet judged are `window[start..]`; judged ones are dropped in batches. */
  private window: AuditEntry[] = [];
  private start = 0;
  private prev: AuditHead = { seq: 0, hash: genesisHash };
  private beforePrev: AuditHead = { seq: 0, hash: genesisHash };
  private count = 0;
  private failure: ChainFailure | undefined;

  constructor(private readonly lookahead = 1000) {}

  /** Feeds the next entry; false once the chain is known to be broken (no need to feed more). */
  push(entry: AuditEntry): boolean {
    if (this.failure !== undefined) return false;
    this.window.push(entry);
    while (this.failure === undefined && this.window.length - this.start > this.lookahead)
      this.judgeOldest();
    if (this.start > this.lookahead) {
      this.window = this.window.slice(this.start);
      this.start = 0;
    }
    return this.failure === undefined;
  }

  /** Judges what is left and, when given, compares the last entry with the recorded head. */
  finish(head?: AuditHead): ChainVerdict {
    while (this.failure === undefined && this.start < this.window.length) this.judgeOldest();
    if (this.failure === undefined && head !== undefined) this.failure = checkHead(this.prev, head);
    return this.failure === undefined
      ? { ok: true, count: this.count }
      : { ok: false, count: this.count, firstBad: this.failure };
  }

  private judgeOldest(): void {
    const { window, start } = this;
    const entry = window[start];
    if (entry === undefined) return;
    const following: Following = {
      first: window[start + 1],
      some: (test) => {
        for (let i = start + 1; i < window.length; i++)
          if (test(window[i] as AuditEntry)) return true;
        return false;
      },
    };
    this.failure = judge(entry, this.prev, this.beforePrev, following);
    if (this.failure !== undefined) return;
    this.start++;
    this.beforePrev = this.prev;
    this.prev = { seq: entry.seq, hash: entry.hash };
    this.count++;
  }
}

/** Checks a whole chain (in the order given) and, when given, its recorded head. */
export function verifyChain(entries: Iterable<AuditEntry>, head?: AuditHead): ChainVerdict {
  const verifier = new ChainVerifier();
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.finish(head);
}
