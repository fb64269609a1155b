/**
 * Classifies one column as a kind of personal or secret data, pure. Evidence comes from three
 * places — the column's name, its type and a sample of its values — and each piece is a score in
 * 0..1; scores for the same kind combine as independent evidence (`1 − Π(1 − s)`), and the kind
 * with the highest combined score wins.
 *
 * Thresholds (documented, and tested):
 * - a finding is reported from {@link reportThreshold} (0.3) up; below it the column is quiet;
 * - a value check counts when at least half the non-empty sampled values pass it, scaled by that
 *   fraction; checks with a checksum or a parse (Luhn, IBAN mod-97, IP, e-mail) weigh 0.85–0.9,
 *   shape-only checks (phone, national id, password hashes and tokens) 0.6–0.7;
 * - one sampled value with an e-mail, phone, card or IBAN inside a longer text is enough to flag
 *   free text (0.5, more with more values): the scan list blocks a sync until each column is
 *   masked or kept with a reason, so a false positive costs one `keep`, a false negative a leak;
 * - a name that promises a checkable kind (an `email` column) keeps its finding even when no
 *   sampled value passes the check, at 0.6 × its score — fail closed, but say so in the evidence;
 * - a quiet name (ids, codes, amounts, statuses, timestamps, product and category words) scales
 *   value-only evidence from shape-only checks by 0.4 (below the threshold), so `order_ref` values like `123-4567` stay quiet.
 *
 * Types gate the kinds: dates and timestamps can only be birth dates (`created_at` never is),
 * numbers only phones, postal codes, national ids or cards by name, `bytea` only photos or
 * credentials by name, and `boolean`, `uuid` and the like are never personal.
 */
import { type PiiKind, suggestedMaskers } from './scan-kinds.js';
import {
  isPersonNameCandidate,
  isPersonTable,
  isQuietName,
  kindFromName,
  nameWords,
} from './scan-names.js';
import {
  isBirthDate,
  isCredential,
  isEmail,
  isIban,
  isIpAddress,
  isNationalId,
  isPaymentCard,
  isPhone,
  looksLikeFullName,
  personalDataInside,
} from './scan-values.js';
import type { MaskerName } from './data-types.js';
import { containsWord } from './verify-search.js';

/** Findings below this combined score are not reported. */
export const reportThreshold = 0.3;

/** One column and a sample of its values (COPY text, nulls left out). */
export interface ColumnSample {
  /** `schema.table`. */
  readonly table: string;
  readonly column: string;
  /** `format_type`, e.g. `character varying(40)`, `date`, `inet`, `text[]`. */
  readonly type: string;
  readonly samples: readonly string[];
}

/** What the scan concluded about one column. */
export interface ColumnFinding {
  readonly kind: PiiKind;
  /** 0..1; see the thresholds above. */
  readonly confidence: number;
  /** Why, in words, strongest first; never quotes a sampled value. */
  readonly evidence: readonly string[];
  readonly suggested: MaskerName;
}

/** How the scan treats a PostgreSQL type. */
export type TypeClass = 'text' | 'date' | 'inet' | 'json' | 'bytea' | 'number' | 'never';

/** The class of a `format_type` text; arrays take their element's class. */
export function typeClassOf(type: string): TypeClass {
  const base = type
    .replace(/\[\]$/, '')
    .replace(/\(.*\)/, '')
    .trim()
    .toLowerCase();
  if (/^(?:character varying|varchar|character|char|bpchar|text|citext|name)$/.test(base))
    return 'text';
  if (/^(?:date|timestamp.*)$/.test(base)) return 'date';
  if (base === 'inet' || base === 'cidr') return 'inet';
  if (base === 'json' || base === 'jsonb' || base === 'xml') return 'json';
  if (base === 'bytea') return 'bytea';
  if (/^(?:smallint|integer|bigint|numeric|decimal|real|double precision|money|int\d?)$/.test(base))
    return 'number';
  if (
    /^(?:boolean|uuid|interval|time.*|tsvector|tsquery|point|line|lseg|box|path|polygon|circle|bit.*|macaddr8?|oid|pg_lsn|.*range)$/.test(
      base,
    )
  )
    return 'never';
  // Enums, domains and other user types are read as text.
  return 'text';
}

/** Whether the scan samples values of a column of this type. */
export function isSampledType(type: string): boolean {
  const c = typeClassOf(type);
  return c === 'text' || c === 'date' || c === 'inet' || c === 'json';
}

const allowedByType: Readonly<Record<TypeClass, (kind: PiiKind) => boolean>> = {
  text: () => true,
  json: () => true,
  date: (k) => k === 'birth_date',
  inet: (k) => k === 'ip_address',
  bytea: (k) => k === 'photo' || k === 'credential',
  number: (k) =>
    k === 'phone' || k === 'postal_code' || k === 'national_id' || k === 'payment_card',
  never: () => false,
};

interface ValueCheck {
  readonly kind: PiiKind;
  readonly label: string;
  readonly weight: number;
  /** Checksummed or parsed: not weakened by a quiet name. */
  readonly strong: boolean;
  readonly test: (value: string) => boolean;
}

const valueChecks: readonly ValueCheck[] = [
  { kind: 'email', label: 'e-mail addresses', weight: 0.9, strong: true, test: isEmail },
  {
    kind: 'payment_card',
    label: 'Luhn-valid card numbers',
    weight: 0.9,
    strong: true,
    test: isPaymentCard,
  },
  { kind: 'iban', label: 'IBANs with a valid check', weight: 0.9, strong: true, test: isIban },
  { kind: 'ip_address', label: 'IP addresses', weight: 0.85, strong: true, test: isIpAddress },
  {
    kind: 'national_id',
    label: 'national ids (SSN, NINO)',
    weight: 0.7,
    strong: false,
    test: isNationalId,
  },
  { kind: 'phone', label: 'phone numbers', weight: 0.6, strong: false, test: isPhone },
  {
    kind: 'credential',
    label: 'password hashes or tokens',
    weight: 0.6,
    strong: false,
    test: isCredential,
  },
];

/** Kinds whose values a check can confirm, so a name without matching values is suspicious. */
const checkable = new Set<PiiKind>([
  'email',
  'payment_card',
  'iban',
  'ip_address',
  'phone',
  'birth_date',
]);

class Evidence {
  private readonly byKind = new Map<PiiKind, { score: number; evidence: string[] }>();
  add(kind: PiiKind, score: number, evidence: string): void {
    const entry = this.byKind.get(kind) ?? { score: 0, evidence: [] };
    entry.score = 1 - (1 - entry.score) * (1 - score);
    entry.evidence.push(evidence);
    this.byKind.set(kind, entry);
  }
  scale(kind: PiiKind, factor: number, evidence: string): void {
    const entry = this.byKind.get(kind);
    if (entry === undefined) return;
    entry.score *= factor;
    entry.evidence.push(evidence);
  }
  best(): { kind: PiiKind; score: number; evidence: string[] } | undefined {
    let best: { kind: PiiKind; score: number; evidence: string[] } | undefined;
    for (const [kind, entry] of this.byKind) {
      if (best === undefined || entry.score > best.score) best = { kind, ...entry };
    }
    return best;
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Classifies one column from its name, type and sampled values; undefined when it looks harmless. */
export function classifyColumn(
  input: ColumnSample,
  options: { readonly today?: Date } = {},
): ColumnFinding | undefined {
  const today = options.today ?? new Date();
  const typeClass = typeClassOf(input.type);
  if (typeClass === 'never') return undefined;
  const allowed = allowedByType[typeClass];
  const found = new Evidence();

  const byName = kindFromName(input.column);
  const nameKind = byName !== undefined && allowed(byName.kind) ? byName.kind : undefined;
  if (byName !== undefined && nameKind !== undefined)
    found.add(nameKind, byName.score, byName.evidence);
  const textual = typeClass === 'text' || typeClass === 'json';
  const personName = byName === undefined && textual && isPersonNameCandidate(input.column);
  if (personName && nameWords(input.column) === 'name' && isPersonTable(input.table))
    found.add('full_name', 0.7, `a "name" column in ${input.table}, a table of people`);
  if (typeClass === 'inet') found.add('ip_address', 0.9, `type ${input.type} holds IP addresses`);
  if (typeClass === 'date' && nameKind === 'birth_date')
    found.add('birth_date', 0.5, `type ${input.type} fits a birth date`);

  const values = input.samples.map((v) => v.trim()).filter((v) => v !== '');
  const n = values.length;
  if (n > 0 && typeClass !== 'bytea' && typeClass !== 'number') {
    const quiet = byName === undefined && isQuietName(input.column);
    const whole = new Set<string>();
    for (const check of valueChecks) {
      if (!allowed(check.kind)) continue;
      const hits = values.filter(check.test);
      for (const v of hits) if (check.kind !== 'credential') whole.add(v);
      const fraction = hits.length / n;
      if (hits.length === 0 && nameKind === check.kind && n >= 10 && checkable.has(check.kind))
        found.scale(check.kind, 0.6, `none of ${n} sampled values look like ${check.label}`);
      if (fraction < 0.5) continue;
      const weight = quiet && !check.strong ? check.weight * 0.4 : check.weight;
      found.add(
        check.kind,
        weight * fraction,
        `${hits.length} of ${n} sampled values are ${check.label}`,
      );
    }
    if (nameKind === 'birth_date') {
      const ages = values.filter((v) => isBirthDate(v, today)).length;
      if (ages / n >= 0.5)
        found.add('birth_date', 0.5, `${ages} of ${n} sampled dates give ages 0–120`);
      else if (n >= 10)
        found.scale('birth_date', 0.6, `only ${ages} of ${n} sampled dates give ages 0–120`);
    }
    if (personName && !quiet) {
      const names = values.filter(looksLikeFullName).length;
      if (names / n >= 0.6)
        found.add(
          'full_name',
          0.45 * (names / n),
          `${names} of ${n} sampled values read like a person's name`,
        );
    }
    if (textual) {
      const inside = values.filter((v) => !whole.has(v) && personalDataInside(v).length > 0);
      if (inside.length > 0) {
        const kinds = [...new Set(inside.flatMap((v) => personalDataInside(v)))].join(', ');
        const score = Math.min(0.9, 0.5 + (0.4 * inside.length) / n);
        found.add('free_text', score, `${inside.length} of ${n} sampled texts contain ${kinds}`);
      }
    }
  }

  const best = found.best();
  if (best === undefined || best.score < reportThreshold) return undefined;
  return {
    kind: best.kind,
    confidence: round(best.score),
    evidence: best.evidence,
    suggested: suggestedMaskers[best.kind],
  };
}

/**
 * Kinds whose values point at one person or customer wherever they are written: a text column
 * that repeats one of them carries personal data too. Places (city, postal code) are shared by
 * many and are left out, as `data verify` leaves them out of its search in other columns.
 */
const identifyingKinds: ReadonlySet<PiiKind> = new Set<PiiKind>([
  'email',
  'first_name',
  'last_name',
  'full_name',
  'phone',
  'street_address',
  'national_id',
  'payment_card',
  'iban',
  'username',
  'company',
]);

/** Values this short are not looked for inside other columns (as in `data verify`). */
const minCarriedLength = 4;

/** One column of a table's sample, with what {@link classifyColumn} found in it. */
export interface SampledColumn {
  readonly column: string;
  readonly type: string;
  readonly finding: ColumnFinding | undefined;
  /** A generated column: computed from the others in the copy, so never a carrier. */
  readonly generated?: boolean;
}

/**
 * Finds the columns that carry another column's personal data in the same row: a photo path
 * `…/davolio.bmp` beside `last_name = 'Davolio'`, a home page that names the company, a display
 * name built from first and last name. Values are compared as whole words, case-insensitive, from
 * {@link minCarriedLength} characters. One sampled row is enough (`free_text` at 0.5, more with
 * more rows): a verify would find that value in the copy and fail. Returns a finding for each text
 * or json column not already flagged; the evidence names the source column, never a value.
 */
export function classifyCarriers(
  table: string,
  columns: readonly SampledColumn[],
  rows: readonly (readonly (string | null)[])[],
): ReadonlyMap<string, ColumnFinding> {
  const sources = columns.flatMap((c, i) =>
    c.finding !== undefined && identifyingKinds.has(c.finding.kind) ? [i] : [],
  );
  const out = new Map<string, ColumnFinding>();
  if (sources.length === 0 || rows.length === 0) return out;
  columns.forEach((carrier, index) => {
    const cls = typeClassOf(carrier.type);
    if (carrier.finding !== undefined || carrier.generated === true) return;
    if (cls !== 'text' && cls !== 'json') return;
    const carried = new Map<string, number>();
    let hits = 0;
    let sampled = 0;
    for (const row of rows) {
      const text = row[index];
      if (text == null || text.trim() === '') continue;
      sampled++;
      let hit = false;
      for (const s of sources) {
        const value = row[s]?.trim();
        if (value === undefined || value.length < minCarriedLength || value === text.trim())
          continue;
        if (!containsWord(text, value)) continue;
        const name = columns[s]!.column;
        carried.set(name, (carried.get(name) ?? 0) + 1);
        hit = true;
      }
      if (hit) hits++;
    }
    if (hits === 0) return;
    const names = [...carried.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([name]) => `${table}.${name}`);
    out.set(carrier.column, {
      kind: 'free_text',
      confidence: round(Math.min(0.9, 0.5 + (0.4 * hits) / sampled)),
      evidence: [`${hits} of ${sampled} sampled rows repeat the row's ${names.join(', ')}`],
      suggested: suggestedMaskers.free_text,
    });
  });
  return out;
}
