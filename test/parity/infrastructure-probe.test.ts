import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInfrastructureProbe } from '../../src/parity/infrastructure-probe.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/parity/terraform');
const secretKey = randomBytes(32);

describe('infrastructure probe', () => {
  it('fails naming file and line when the file is not JSON', async () => {
    // Written here, not kept as a fixture: the repository's formatter would reject the file.
    const tmp = await mkdtemp(path.join(tmpdir(), 'understudy-terraform-'));
    await writeFile(path.join(tmp, 'staging.json'), '{ "format_version": "1.0",\n  "values": {\n');
    try {
      const result = await runInfrastructureProbe({
        env: { name: 'staging', file: 'staging.json' },
        against: { name: 'production', file: path.join(dir, 'production.json') },
        dir: tmp,
      });
      expect(result).toMatchObject({
        status: 'failed',
        reason: 'staging: staging.json:3:1: invalid JSON: unexpected end of input',
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('reports the smaller machine, the resource only production has and the withheld password — exactly', async () => {
    const result = await runInfrastructureProbe({
      env: { name: 'staging', file: 'staging.json' },
      against: { name: 'production', file: 'production.json' },
      dir,
      secretKey,
    });
    expect(result.status).toBe('compared');
    expect(result.differences).toEqual([
      {
        probe: 'infrastructure',
        path: 'infrastructure:aws_instance.web.instance_type',
        kind: 'changed',
        severity: 'breaking',
        envValue: 't3.medium',
        againstValue: 'm6i.xlarge',
      },
      {
        probe: 'infrastructure',
        path: 'infrastructure:aws_instance.worker',
        kind: 'missing',
        severity: 'breaking',
        note: 'aws_instance only in production',
      },
      {
        probe: 'infrastructure',
        path: 'infrastructure:module.database.aws_db_instance.main.password',
        kind: 'changed',
        severity: 'notice',
        secret: true,
        note: 'sensitive values differ (compared by keyed hash); separate credentials per environment are expected',
      },
    ]);
    expect(result.facts).toMatchObject({ envResources: 3, againstResources: 4 });
    const text = JSON.stringify(result);
    for (const secret of ['Pr0d-Rds-Master-9xQ', 'St4ge-Rds-Master-2bW'])
      expect(text).not.toContain(secret);
    // ids, ARNs, assigned addresses and references differ on every resource, and are not drift.
    expect(text).not.toMatch(/\.(id|arn|private_ip|subnet_id|tags_all)\b/);
  });

  it('is skipped when no environment declares infrastructure, and says so', async () => {
    const result = await runInfrastructureProbe({
      env: { name: 'staging' },
      against: { name: 'production', file: undefined },
      dir,
    });
    expect(result).toMatchObject({
      status: 'skipped',
      reason: 'no environment declares infrastructure (environments.NAME.infrastructure.terraform)',
    });
  });

  it('is skipped, naming the side that lacks it, when only one declares infrastructure', async () => {
    const result = await runInfrastructureProbe({
      env: { name: 'staging' },
      against: { name: 'production', file: 'production.json' },
      dir,
    });
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/^staging declares no infrastructure/);
  });

  it.each([
    ['missing.json', 'staging: missing.json: file not found'],
    [
      'raw-state.json',
      'staging: raw-state.json: not `terraform show -json` output (no format_version)',
    ],
  ])('fails naming the file when %s is not usable', async (file, reason) => {
    const result = await runInfrastructureProbe({
      env: { name: 'staging', file },
      against: { name: 'production', file: 'production.json' },
      dir,
    });
    expect(result).toMatchObject({ status: 'failed', unreachable: false, reason });
  });
});
