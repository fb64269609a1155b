/**
 * What a release is, before any store sees it: a version name and what it is made of (a commit,
 * an artifact digest, notes), checked and given a content digest. The digest is what approvals
 * will bind to: a release is immutable, so one version always has one digest. Pure.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.js';
import { UnderstudyError } from '../shared/errors.js';

/** What `release create` is given. */
export interface ReleaseInput {
  readonly version: string;
  readonly commit?: string;
  readonly artifact?: string;
  readonly notes?: string;
}

/** A release's contents, checked and normalised, with their digest. */
export interface ReleaseContents extends ReleaseInput {
  /** `sha256:` and the hash of the canonical JSON of version, commit, artifact and notes. */
  readonly digest: string;
}

/** A release as stored. */
export interface Release extends ReleaseContents {
  readonly createdBy: string;
  readonly createdAt: string;
}

/** `v1.4.2`, `2026.11.21-3`, `1.0.0+build.5`: a letter or digit first, at most 100 characters. */
const versionPattern = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;
/** A git commit: 7 to 64 hex digits (abbreviated, SHA-1 or SHA-256). */
const commitPattern = /^[0-9a-f]{7,64}$/i;
/** An artifact digest as registries print them: `sha256:<64 hex>`, or another `algorithm:encoded`. */
const artifactPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]{16,}$/;
const sha256Pattern = /^sha256:/;
const maxNotes = 10_000;

/** Checks a version name; bad input otherwise. */
export function checkVersion(version: string): string {
  if (!versionPattern.test(version))
    throw new UnderstudyError('E_INPUT', `"${version}" is not a version name Understudy accepts`, {
      hint: 'use letters, digits and . _ + - (a letter or digit first, at most 100), e.g. v1.4.2',
    });
  return version;
}

/** Checks and normalises what a release is made of, and computes its digest. */
export function releaseContents(input: ReleaseInput): ReleaseContents {
  const version = checkVersion(input.version);
  const commit = input.commit?.trim().toLowerCase();
  if (commit !== undefined && !commitPattern.test(commit))
    throw new UnderstudyError(
      'E_INPUT',
      `--commit must be a git commit hash, not "${input.commit}"`,
      {
        hint: 'give 7 to 64 hex digits, e.g. --commit "$(git rev-parse HEAD)"',
      },
    );
  const artifact = input.artifact?.trim();
  if (
    artifact !== undefined &&
    (!artifactPattern.test(artifact) ||
      (sha256Pattern.test(artifact) && !/^sha256:[0-9a-f]{64}$/.test(artifact)))
  )
    throw new UnderstudyError('E_INPUT', `--artifact must be a digest, not "${input.artifact}"`, {
      hint: 'give ALGORITHM:HASH as registries print it, e.g. sha256: and 64 lower-case hex digits',
    });
  const notes = input.notes;
  if (notes !== undefined && notes.length > maxNotes)
    throw new UnderstudyError(
      'E_INPUT',
      `release notes are limited to ${maxNotes} characters (${notes.length} given)`,
      { hint: 'link to longer notes instead' },
    );
  const contents = {
    version,
    ...(commit === undefined ? {} : { commit }),
    ...(artifact === undefined ? {} : { artifact }),
    ...(notes === undefined || notes === '' ? {} : { notes }),
  };
  const digest = `sha256:${createHash('sha256').update(canonicalJson(contents)).digest('hex')}`;
  return { ...contents, digest };
}

/** How an existing release differs from what was asked for, field by field (empty when equal). */
export function contentDifferences(existing: ReleaseContents, asked: ReleaseContents): string[] {
  const out: string[] = [];
  for (const field of ['commit', 'artifact', 'notes'] as const) {
    if (existing[field] !== asked[field])
      out.push(`${field}: ${show(existing[field])} was recorded, ${show(asked[field])} was given`);
  }
  return out;
}

function show(value: string | undefined): string {
  if (value === undefined) return 'none';
  return value.length > 40 ? `"${value.slice(0, 37)}…"` : `"${value}"`;
}
