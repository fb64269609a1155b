/**
 * The commented starter `understudy.yaml` written by `understudy init`. Pure: the command finds
 * the `.env*` files and database variables; this turns what was found into the file's text.
 */

export interface DetectedEnvFile {
  /** File name relative to the project, e.g. `.env.production`. */
  readonly file: string;
  /** The environment it belongs to, when the name says so. */
  readonly environment: 'production' | 'staging' | undefined;
  /** Whether the file sets DATABASE_URL (its value is never read into the config). */
  readonly hasDatabaseUrl: boolean;
}

export interface StarterInput {
  readonly project: string;
  readonly envFiles: readonly DetectedEnvFile[];
  /** Whether DATABASE_URL is set in the environment `init` runs in. */
  readonly databaseUrlInEnv: boolean;
}

/** Which environment a dotenv file name belongs to, if any. */
export function environmentOfEnvFile(file: string): 'production' | 'staging' | undefined {
  const suffix = file.replace(/^\.env\.?/, '').toLowerCase();
  if (['production', 'prod'].includes(suffix)) return 'production';
  if (['staging', 'stage'].includes(suffix)) return 'staging';
  return undefined;
}

/** Environment variable names the starter refers to for each environment's database. */
export const starterDatabaseVariables = {
  production: 'PRODUCTION_DATABASE_URL',
  staging: 'STAGING_DATABASE_URL',
} as const;

/** The text of the starter file. */
export function renderStarterConfig(input: StarterInput): string {
  const project = input.project.replace(/[^\w.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'service';
  const envBlock = (name: 'production' | 'staging'): string[] => {
    const file = input.envFiles.find((f) => f.environment === name);
    const lines = [`  ${name}:`];
    lines.push(
      name === 'production'
        ? `    # url: https://${project}.example.com   # base URL of the service`
        : `    # url: http://localhost:4001   # base URL of the service`,
    );
    const note =
      file?.hasDatabaseUrl === true
        ? `   # ${file.file} sets DATABASE_URL: export its value as ${starterDatabaseVariables[name]}`
        : name === 'staging' && input.databaseUrlInEnv
          ? '   # DATABASE_URL is set here: if it is staging’s, export it under this name too'
          : '';
    lines.push(`    database: \${${starterDatabaseVariables[name]}}${note}`);
    if (file !== undefined) lines.push(`    config: [{ dotenv: ${file.file} }]`);
    else
      lines.push(
        `    # config: [{ dotenv: deploy/${name}.env }]   # compared key by key by \`understudy parity\``,
      );
    if (name === 'production')
      lines.push('    protected: true   # only a gated deploy changes production');
    return lines;
  };

  const lines = [
    '# Understudy configuration: makes staging a faithful understudy of production.',
    '# Every key is described by `understudy schema`; check this file with `understudy validate`.',
    '# Secrets (database URLs, the masking key) are referenced as ${VAR}, never written here.',
    `project: ${project}`,
    '',
    'environments:',
    ...envBlock('production'),
    ...envBlock('staging'),
    '',
    '# What `understudy parity` compares, and the differences you allow (each with a reason).',
    'parity:',
    '  env: staging',
    '  against: production',
    '  allow: []',
    '  #  - { match: config.LOG_LEVEL, reason: verbose logs in staging, owner: ops, expires: 2027-06-01 }',
    '',
    '# Masked copy of production data into staging (`understudy data scan` suggests the rules).',
    '# data:',
    '#   from: production',
    '#   to: staging',
    '#   key: ${UNDERSTUDY_MASK_KEY}',
    '#   tables:',
    '#     public.customers: { columns: { email: email, full_name: full_name, phone: phone } }',
    '',
    '# Gated promotion: what a release needs before it reaches production.',
    '# release:',
    '#   stages: [staging, production]',
    '#   production:',
    '#     requires: [parity]',
    '#     approvals: 1',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
