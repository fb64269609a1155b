import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import {
  checkCloneName,
  chooseTemplate,
  cloneComment,
  cloneDatabaseName,
  cloneUrl,
  isRemovable,
  parseCloneComment,
  type CloneMetadata,
} from './clone-names.js';

const metadata: CloneMetadata = {
  name: 'feature/login-fix',
  templateRun: '0a1b2c3d',
  createdAt: '2026-03-01T10:00:00.000Z',
  expiresAt: '2026-03-01T18:00:00.000Z',
  createdBy: "local:o'brien",
};

describe('clone names', () => {
  it('maps a branch name to a safe database name in the target’s namespace', () => {
    expect(cloneDatabaseName('shop_staging', 'feature/login-fix')).toBe(
      'shop_staging__us_clone_feature_login_fix',
    );
    expect(cloneDatabaseName('shop_staging', 'Dependabot/npm_and_yarn/pg-8.2')).toBe(
      'shop_staging__us_clone_dependabot_npm_and_yarn_pg_8_2',
    );
    expect(cloneDatabaseName('shop_staging', '--pr-12--')).toBe('shop_staging__us_clone_pr_12');
  });

  it('shortens long names to 63 bytes with a hash, the same every time and distinct per name', () => {
    const target = 's'.repeat(41); // the longest target a sync accepts
    const a = cloneDatabaseName(target, 'feature/a-very-long-branch-name-one');
    const b = cloneDatabaseName(target, 'feature/a-very-long-branch-name-two');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(b)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(cloneDatabaseName(target, 'feature/a-very-long-branch-name-one')).toBe(a);
    expect(a.startsWith(`${target}__us_clone_`)).toBe(true);
    expect(cloneDatabaseName('x'.repeat(10), 'y'.repeat(128))).toMatch(
      /^x{10}__us_clone_y+_[0-9a-f]{6}$/,
    );
  });

  it('refuses names no branch has, as a usage error', () => {
    for (const bad of ['', 'has space', 'semi;colon', 'quote"', '___', 'x'.repeat(129), 'ümlaut']) {
      let caught: unknown;
      try {
        checkCloneName(bad);
      } catch (error) {
        caught = error;
      }
      expect(isUnderstudyError(caught, 'E_USAGE'), bad).toBe(true);
    }
    expect(() => checkCloneName('release/2026.03+hotfix@team')).not.toThrow();
  });

  it('points the target URL at the clone, keeping credentials and parameters', () => {
    expect(
      cloneUrl('postgres://app:s3cret@db.internal:5433/shop_staging?sslmode=require', 'c1'),
    ).toBe('postgres://app:s3cret@db.internal:5433/c1?sslmode=require');
  });
});

describe('clone metadata', () => {
  it('round-trips through the database COMMENT', () => {
    expect(parseCloneComment(cloneComment(metadata))).toEqual(metadata);
  });

  it('reads nothing from comments Understudy did not write', () => {
    expect(parseCloneComment(null)).toBeNull();
    expect(parseCloneComment('a database for tests')).toBeNull();
    expect(parseCloneComment('understudy clone {"name":"x"}')).toBeNull();
    expect(parseCloneComment('understudy clone {not json')).toBeNull();
    expect(parseCloneComment(cloneComment({ ...metadata, expiresAt: 'tomorrow' }))).toBeNull();
  });

  it('removes clones whose time is up, and unlabelled ones', () => {
    expect(isRemovable(metadata, new Date('2026-03-01T17:59:59Z'))).toBe(false);
    expect(isRemovable(metadata, new Date('2026-03-01T18:00:00Z'))).toBe(true);
    expect(isRemovable(null, new Date('2026-03-01T12:00:00Z'))).toBe(true);
  });
});

describe('chooseTemplate', () => {
  const target = 'shop_staging';
  const swapped = 'understudy sync 0a1b2c3d, swapped in at 2026-03-01T09:00:00.000Z';

  it('takes the template of the run staging holds, once the swap has marked it', () => {
    expect(
      chooseTemplate(target, swapped, [
        {
          name: 'shop_staging__us_template_99999999',
          comment: 'understudy template 99999999 of shop_staging',
        },
        {
          name: 'shop_staging__us_template_0a1b2c3d',
          comment: 'understudy template 0a1b2c3d of shop_staging',
        },
      ]),
    ).toEqual({ found: true, database: 'shop_staging__us_template_0a1b2c3d', run: '0a1b2c3d' });
  });

  it('never falls back to an older or unfinished template', () => {
    expect(
      chooseTemplate(target, swapped, [
        {
          name: 'shop_staging__us_template_99999999',
          comment: 'understudy template 99999999 of shop_staging',
        },
        {
          name: 'shop_staging__us_template_0a1b2c3d',
          comment: 'understudy template 0a1b2c3d pending',
        },
      ]),
    ).toEqual({ found: false, run: '0a1b2c3d' });
  });

  it('finds nothing when staging was never synced', () => {
    expect(chooseTemplate(target, null, [])).toEqual({ found: false, run: null });
    expect(chooseTemplate(target, 'restored from a dump', [])).toEqual({ found: false, run: null });
  });
});
