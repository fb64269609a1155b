import { describe, expect, it } from 'vitest';
import { environmentOfEnvFile, renderStarterConfig } from './config-starter.js';
import { validateConfigText } from './config-validate.js';

describe('renderStarterConfig', () => {
  const env = {
    PRODUCTION_DATABASE_URL: 'postgres://p/db',
    STAGING_DATABASE_URL: 'postgres://s/db',
  };

  it('writes a file that validates once the database variables are set', () => {
    const text = renderStarterConfig({
      project: '@acme/shop',
      envFiles: [
        { file: '.env.production', environment: 'production', hasDatabaseUrl: true },
        { file: '.env.staging', environment: 'staging', hasDatabaseUrl: false },
      ],
      databaseUrlInEnv: false,
    });
    expect(text).toContain('project: acme-shop');
    expect(text).toContain('config: [{ dotenv: .env.production }]');
    expect(text).toContain(
      '.env.production sets DATABASE_URL: export its value as PRODUCTION_DATABASE_URL',
    );
    const result = validateConfigText(text, { file: 'understudy.yaml', env });
    expect(result.errors).toEqual([]);
    expect(result.config?.environments.production?.protected).toBe(true);
  });

  it('without variables set, validation names exactly the variables to export', () => {
    const text = renderStarterConfig({ project: 'shop', envFiles: [], databaseUrlInEnv: false });
    const messages = validateConfigText(text, { file: 'understudy.yaml', env: {} }).errors.map(
      (e) => e.message,
    );
    expect(messages).toEqual([
      'environment variable PRODUCTION_DATABASE_URL is not set',
      'environment variable STAGING_DATABASE_URL is not set',
    ]);
  });

  it('maps dotenv file names to environments', () => {
    expect(environmentOfEnvFile('.env.prod')).toBe('production');
    expect(environmentOfEnvFile('.env.staging')).toBe('staging');
    expect(environmentOfEnvFile('.env')).toBeUndefined();
    expect(environmentOfEnvFile('.env.local')).toBeUndefined();
  });
});
