import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import { diffInfrastructure, parseTerraformShow } from './infrastructure-diff.js';

const secretKey = randomBytes(32);

function show(resources: unknown[], childResources: unknown[] = []): string {
  return JSON.stringify({
    format_version: '1.0',
    terraform_version: '1.7.5',
    values: {
      root_module: {
        resources,
        child_modules: [{ address: 'module.db', resources: childResources }],
      },
    },
  });
}

const instance = (type: string, id: string, extra: Record<string, unknown> = {}): unknown => ({
  address: 'aws_instance.web',
  mode: 'managed',
  type: 'aws_instance',
  name: 'web',
  values: {
    id,
    arn: `arn:aws:ec2:eu-west-1:1:instance/${id}`,
    instance_type: type,
    tags: {},
    ...extra,
  },
  sensitive_values: { tags: {} },
});

describe('parseTerraformShow', () => {
  it('reads managed resources from the root and child modules, skipping data sources', () => {
    const text = show(
      [
        instance('t3.large', 'i-1'),
        { address: 'data.aws_ami.ubuntu', mode: 'data', type: 'aws_ami', values: {} },
      ],
      [
        {
          address: 'module.db.aws_db_instance.main',
          mode: 'managed',
          type: 'aws_db_instance',
          values: { engine: 'postgres' },
        },
      ],
    );
    const resources = parseTerraformShow(text, 'prod.json');
    expect([...resources.keys()]).toEqual(['aws_instance.web', 'module.db.aws_db_instance.main']);
    expect(resources.get('aws_instance.web')?.attributes.get('instance_type')).toBe('t3.large');
  });

  it('accepts an empty state and refuses other JSON', () => {
    expect(parseTerraformShow('{"format_version":"1.0"}', 'x.json').size).toBe(0);
    try {
      parseTerraformShow('{"resources": []}', 'x.json');
      expect.unreachable();
    } catch (error) {
      expect(isUnderstudyError(error, 'E_INPUT')).toBe(true);
      expect((error as Error).message).toBe(
        'x.json: not `terraform show -json` output (no format_version)',
      );
    }
  });
});

describe('diffInfrastructure', () => {
  it('reports changed attributes and missing resources, ignoring ids and arns', () => {
    const against = parseTerraformShow(
      show(
        [instance('t3.large', 'i-prod')],
        [
          {
            address: 'module.db.aws_db_instance.main',
            type: 'aws_db_instance',
            values: { id: 'db-1' },
          },
        ],
      ),
      'p.json',
    );
    const env = parseTerraformShow(
      show([instance('t3.small', 'i-stage', { tags: { team: 'shop' } })]),
      's.json',
    );
    const diff = diffInfrastructure(env, against, { secretKey });
    expect(diff.differences).toEqual([
      {
        probe: 'infrastructure',
        path: 'infrastructure:aws_instance.web.instance_type',
        kind: 'changed',
        severity: 'breaking',
        envValue: 't3.small',
        againstValue: 't3.large',
      },
      {
        probe: 'infrastructure',
        path: 'infrastructure:aws_instance.web.tags.team',
        kind: 'extra',
        severity: 'notice',
        envValue: 'shop',
      },
      {
        probe: 'infrastructure',
        path: 'infrastructure:module.db.aws_db_instance.main',
        kind: 'missing',
        severity: 'breaking',
        note: 'aws_db_instance only in production',
      },
    ]);
    expect(diff.ignored).toBe(2);
  });

  it('compares sensitive attributes by keyed hash only', () => {
    const db = (password: string, user: string): string =>
      show([
        {
          address: 'aws_db_instance.main',
          mode: 'managed',
          type: 'aws_db_instance',
          values: { password, username: user, connection: { secret_value: user } },
          sensitive_values: { password: true, connection: true },
        },
      ]);
    const diff = diffInfrastructure(
      parseTerraformShow(db('stage-pw', 'app'), 's'),
      parseTerraformShow(db('prod-pw', 'admin'), 'p'),
      {
        secretKey,
      },
    );
    expect(diff.differences.map((d) => [d.path, d.severity, d.secret])).toEqual([
      ['infrastructure:aws_db_instance.main.connection.secret_value', 'notice', true],
      ['infrastructure:aws_db_instance.main.password', 'notice', true],
      ['infrastructure:aws_db_instance.main.username', 'breaking', undefined],
    ]);
    const text = JSON.stringify(diff.differences.filter((d) => d.secret === true));
    expect(text).not.toMatch(/stage-pw|prod-pw|app|admin/);
    const shared = diffInfrastructure(
      parseTerraformShow(db('same-pw', 'app'), 's'),
      parseTerraformShow(db('same-pw', 'app'), 'p'),
      { secretKey },
    );
    expect(shared.differences.map((d) => [d.path, d.severity])).toEqual([
      ['infrastructure:aws_db_instance.main.connection.secret_value', 'breaking'],
      ['infrastructure:aws_db_instance.main.password', 'breaking'],
    ]);
  });
});
