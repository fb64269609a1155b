/**
 * The pure side of per-branch clones: which database a clone name maps to, what a clone's COMMENT
 * records, which template holds the data staging got from its last sync, and which clones are due
 * for removal. Clones live in the namespace a sync already reserves on the target server
 * (`<target>__us_clone_<slug>`; a target's name never contains `__us_`), so a clone can never
 * collide with a user's database, is never taken for a sync's leftover, and everything about it
 * can be read back from the server alone.
 */
import { createHash } from 'node:crypto';
import { UnderstudyError } from '../shared/errors.js';

/** Database names are at most 63 bytes; longer ones PostgreSQL would silently truncate. */
const maxDatabaseBytes = 63;
const clonePrefix = '__us_clone_';
const commentPrefix = 'understudy clone ';
/** Branch names as Git and CI systems spell them, plus `+` and `@`; nothing that needs quoting in a shell. */
const namePattern = /^[A-Za-z0-9._/+@-]+$/;
const maxNameLength = 128;

/** What a clone's COMMENT records, so `data clones` works from the server alone. */
export interface CloneMetadata {
  /** The name it was created with, e.g. a branch name `feature/login-fix`. */
  readonly name: string;
  /** The sync run whose template it was copied from. */
  readonly templateRun: string;
  /** ISO timestamps. */
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Who created it (`local:alice`, `ci:…`). */
  readonly createdBy: string;
}

/** The first database name of all clones of `target`. */
export function clonePrefixOf(target: string): string {
  return `${target}${clonePrefix}`;
}

/** Checks a clone name as typed on the command line; throws `E_USAGE` with what is allowed. */
export function checkCloneName(name: string): void {
  if (name.length === 0 || name.length > maxNameLength || !namePattern.test(name)) {
    throw new UnderstudyError('E_USAGE', `"${name}" cannot name a clone`, {
      hint: `use up to ${maxNameLength} letters, digits and . _ / + @ - (a branch name such as feature/login-fix)`,
    });
  }
  if (!/[A-Za-z0-9]/.test(name)) {
    throw new UnderstudyError('E_USAGE', `"${name}" cannot name a clone`, {
      hint: 'a clone name needs at least one letter or digit',
    });
  }
}

/**
 * The database a clone of `target` named `name` lives in: `<target>__us_clone_<slug>`, the slug
 * being the name in lower case with every run of other characters made one `_`. A slug too long
 * for 63 bytes is shortened and ends in a hash of the whole name, so the mapping stays one-to-one
 * in practice and always the same for the same name.
 */
export function cloneDatabaseName(target: string, name: string): string {
  checkCloneName(name);
  const prefix = clonePrefixOf(target);
  const budget = maxDatabaseBytes - Buffer.byteLength(prefix);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug.length <= budget) return `${prefix}${slug}`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${prefix}${slug.slice(0, budget - hash.length - 1).replace(/_+$/, '')}_${hash}`;
}

/** The URL of `database` on the server of `url`, with the same user, password and parameters. */
export function cloneUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The COMMENT written on a clone's database. */
export function cloneComment(metadata: CloneMetadata): string {
  return `${commentPrefix}${JSON.stringify({
    name: metadata.name,
    templateRun: metadata.templateRun,
    createdAt: metadata.createdAt,
    expiresAt: metadata.expiresAt,
    createdBy: metadata.createdBy,
  })}`;
}

/** The metadata of a clone's COMMENT, or null when it is missing or not one Understudy wrote. */
export function parseCloneComment(comment: string | null): CloneMetadata | null {
  if (comment === null || !comment.startsWith(commentPrefix)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(comment.slice(commentPrefix.length));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  const record = parsed as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? record[key] : undefined;
  const name = text('name');
  const templateRun = text('templateRun');
  const createdAt = text('createdAt');
  const expiresAt = text('expiresAt');
  const createdBy = text('createdBy');
  if (
    name === undefined ||
    templateRun === undefined ||
    createdAt === undefined ||
    expiresAt === undefined ||
    createdBy === undefined ||
    Number.isNaN(Date.parse(createdAt)) ||
    Number.isNaN(Date.parse(expiresAt))
  )
    return null;
  return { name, templateRun, createdAt, expiresAt, createdBy };
}

/**
 * Whether a clone may be removed without being asked: its time is up, or it has no metadata — a
 * `data clone` interrupted between creating the database and labelling it (a running one holds
 * the clone's lock, so the caller skips it).
 */
export function isRemovable(metadata: CloneMetadata | null, now: Date): boolean {
  return metadata === null || Date.parse(metadata.expiresAt) <= now.getTime();
}

/** A database of the target server, with its COMMENT. */
export interface LabelledDatabase {
  readonly name: string;
  readonly comment: string | null;
}

/** Which template to clone from, or why there is none. */
export type TemplateChoice =
  | { readonly found: true; readonly database: string; readonly run: string }
  | { readonly found: false; readonly run: string | null };

/**
 * The template of the sync whose data staging holds now: the target's COMMENT names the run
 * (`understudy sync <run>, swapped in at …`), and that run's template is usable once the swap has
 * marked it `understudy template <run> of <target>` (in the same transaction). A template of an
 * older run would hold older data, so it is never chosen in its place.
 */
export function chooseTemplate(
  target: string,
  targetComment: string | null,
  templates: readonly LabelledDatabase[],
): TemplateChoice {
  const run = /^understudy sync ([0-9a-f]+),/.exec(targetComment ?? '')?.[1];
  if (run === undefined) return { found: false, run: null };
  const database = `${target}__us_template_${run}`;
  const ready = templates.some(
    (t) => t.name === database && t.comment === `understudy template ${run} of ${target}`,
  );
  return ready ? { found: true, database, run } : { found: false, run };
}
