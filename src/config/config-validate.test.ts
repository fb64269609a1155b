import { describe, expect, it } from 'vitest';
import { validateConfigText } from './config-validate.js';

const minimal = `project: shop
environments:
  production:
    url: https://shop.example.com
    database: \${PROD_DATABASE_URL}
    protected: true
  staging:
    database: \${STAGING_DATABASE_URL:-postgres://localhost/shop}
`;
const env = { PROD_DATABASE_URL: 'postgres://prod.internal/shop' };

function validate(text: string, extraEnv: Record<string, string> = {}, today = '2026-11-21') {
  return validateConfigText(text, { file: 'understudy.yaml', env: { ...env, ...extraEnv }, today });
}

describe('validateConfigText', () => {
  it('accepts a minimal file, interpolates variables and applies defaults', () => {
    const result = validate(minimal);
    expect(result.errors).toEqual([]);
    expect(result.config?.environments.production?.database).toBe('postgres://prod.internal/shop');
    expect(result.config?.environments.staging?.database).toBe('postgres://localhost/shop');
    expect(result.config?.environments.staging?.protected).toBe(false);
    expect(result.config?.store.dir).toBe('.understudy');
    expect(Object.isFrozen(result.config?.environments)).toBe(true);
  });

  it('reports every mistake at once, each with line, column and key path', () => {
    const text = `project: shop
environments:
  production:
    url: shop.example.com
    protected: true
  staging:
    protectd: false
parity:
  failOn: breakng
`;
    const { errors, config } = validate(text);
    expect(config).toBeUndefined();
    expect(errors).toEqual([
      {
        location: 'understudy.yaml:4:10',
        path: 'environments.production.url',
        message: 'must be an http:// or https:// URL',
      },
      {
        location: 'understudy.yaml:7:5',
        path: 'environments.staging.protectd',
        message: 'unknown key "protectd" (did you mean "protected"?)',
      },
      {
        location: 'understudy.yaml:9:11',
        path: 'parity.failOn',
        message: 'must be one of breaking, notice (did you mean "breaking"?)',
      },
    ]);
  });

  it('names an unset variable once, at the line that uses it', () => {
    const { errors } = validate(minimal.replace('PROD_DATABASE_URL', 'MISSING_URL'));
    expect(errors).toEqual([
      {
        location: 'understudy.yaml:5:15',
        path: 'environments.production.database',
        message: 'environment variable MISSING_URL is not set',
      },
    ]);
  });

  it('reports invalid YAML with its position and nothing else', () => {
    const { errors } = validate('project: shop\nenvironments:\n  production: [unclosed\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^invalid YAML/);
    expect(errors[0]?.location).toMatch(/^understudy\.yaml:\d+:\d+$/);
  });

  it('explains that ${VAR} inside a flow mapping needs quotes', () => {
    const { errors } = validate(
      'project: shop\nenvironments:\n  production: { database: ${PROD_DATABASE_URL} }\n',
    );
    expect(errors.at(-1)?.message).toBe(
      'a ${VAR} value inside { … } must be quoted: { database: "${DATABASE_URL}" }',
    );
    expect(
      validate('project: shop\nenvironments:\n  production: { database: "${PROD_DATABASE_URL}" }\n')
        .errors,
    ).toEqual([]);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(validate('').errors[0]?.message).toBe('the file is empty');
    expect(validate('- a\n- b\n').errors[0]?.message).toMatch(/must be a mapping/);
  });

  it('reports duplicate keys as invalid YAML', () => {
    expect(validate(`${minimal}project: again\n`).errors[0]?.message).toMatch(
      /invalid YAML.*(duplicate|unique)/i,
    );
  });

  it('checks references between sections: environments named, sync target not protected', () => {
    const text = `${minimal}data:\n  from: staging\n  to: production\nrelease:\n  stages: [staging, prod]\n`;
    const messages = validate(text).errors.map((e) => `${e.path}: ${e.message}`);
    expect(messages).toContain(
      'data.to: "production" is protected: a data sync never writes to a protected environment',
    );
    expect(messages).toContain(
      'release.stages[1]: no environment named "prod" (declared: production, staging)',
    );
  });

  it('requires a reason on every parity allowance and warns about expired and catch-all ones', () => {
    const noReason = validate(
      `${minimal}parity:\n  allow:\n    - { match: config.X, reason: "  " }\n`,
    );
    expect(noReason.errors.map((e) => e.message)).toEqual(['an allowance needs a reason']);
    const warned = validate(
      `${minimal}parity:\n  allow:\n    - { match: "**", reason: everything }\n    - { match: config.A, reason: old, expires: 2025-01-01 }\n`,
    );
    expect(warned.errors).toEqual([]);
    expect(warned.warnings.map((w) => w.path)).toEqual([
      'parity.allow[0].match',
      'parity.allow[1].expires',
    ]);
  });

  it('suggests the masker meant and quotes table names with dots in paths', () => {
    const text = `${minimal}data:\n  key: 0123456789abcdef0123\n  tables:\n    public.customers: { columns: { email: emial } }\n`;
    const [error] = validate(text).errors;
    expect(error?.path).toBe('data.tables["public.customers"].columns.email');
    expect(error?.message).toContain('(did you mean "email"?)');
  });

  it('validates cron expressions, durations and time zones', () => {
    const text = `${minimal}release:
  stages: [staging, production]
  production:
    freeze: [{ cron: "every friday", duration: 3 days, timezone: Mars/Olympus }]
`;
    const paths = validate(text).errors.map((e) => e.path);
    expect(paths).toEqual([
      'release.production.freeze[0].cron',
      'release.production.freeze[0].duration',
      'release.production.freeze[0].timezone',
    ]);
  });
});
