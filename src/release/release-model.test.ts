import { describe, expect, it } from 'vitest';
import { checkVersion, contentDifferences, releaseContents } from './release-model.js';

const commit = '3f2b1c4e9a0d4e5f8a7b1c2d3e4f5a6b7c8d9e0f';
const artifact = `sha256:${'ab'.repeat(32)}`;

describe('release contents', () => {
  it('accepts the version names teams use, and refuses what could not be one', () => {
    for (const v of ['v1.4.2', '2026.11.21-3', '1.0.0+build.5', 'release_42'])
      expect(checkVersion(v)).toBe(v);
    for (const v of ['', '-v1', 'v 1', 'v1/2', 'x'.repeat(101)])
      expect(() => checkVersion(v)).toThrow(/not a version name/);
  });

  it('normalises the commit and checks the artifact digest', () => {
    expect(releaseContents({ version: 'v1', commit: commit.toUpperCase() }).commit).toBe(commit);
    expect(releaseContents({ version: 'v1', artifact }).artifact).toBe(artifact);
    expect(() => releaseContents({ version: 'v1', commit: 'main' })).toThrow(/git commit hash/);
    expect(() => releaseContents({ version: 'v1', artifact: 'sha256:abc' })).toThrow(/digest/);
    expect(() => releaseContents({ version: 'v1', artifact: 'latest' })).toThrow(/digest/);
    expect(() => releaseContents({ version: 'v1', notes: 'x'.repeat(10_001) })).toThrow(
      /10000 characters/,
    );
  });

  it('gives equal contents one digest, and any change another', () => {
    const a = releaseContents({ version: 'v1', commit, artifact, notes: 'first' });
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(releaseContents({ notes: 'first', artifact, commit, version: 'v1' }).digest).toBe(
      a.digest,
    );
    expect(releaseContents({ version: 'v1', commit, artifact, notes: '' }).digest).toBe(
      releaseContents({ version: 'v1', commit, artifact }).digest,
    );
    const others = [
      { version: 'v2', commit, artifact, notes: 'first' },
      { version: 'v1', commit: commit.replace('3f', '4f'), artifact, notes: 'first' },
      { version: 'v1', commit, notes: 'first' },
      { version: 'v1', commit, artifact, notes: 'first!' },
    ].map((input) => releaseContents(input).digest);
    expect(new Set([a.digest, ...others]).size).toBe(5);
  });

  it('names every field that differs between two contents of one version', () => {
    const recorded = releaseContents({ version: 'v1', commit, notes: 'first' });
    expect(contentDifferences(recorded, recorded)).toEqual([]);
    expect(
      contentDifferences(recorded, releaseContents({ version: 'v1', commit, artifact })),
    ).toEqual([
      `artifact: none was recorded, "${artifact.slice(0, 37)}…" was given`,
      'notes: "first" was recorded, none was given',
    ]);
  });
});
