/**
 * The files of the demo's project folder: `understudy.yaml` for the two environments, the
 * configuration each environment runs with (dotenv files parity compares), and the environment
 * variables the configuration refers to. Secrets stay out of the files: database URLs and keys
 * are `${VAR}` references, given to every command through the environment. Pure.
 */
import path from 'node:path';
import { distDemoDir } from './sample-deploy.js';

/** Where the demo's pieces listen. */
export interface DemoPorts {
  readonly production: number;
  readonly staging: number;
  readonly proxy: number;
}

/** The names of the environment variables `understudy.yaml` refers to. */
export const DEMO_ENV = {
  productionDatabase: 'DEMO_PRODUCTION_DATABASE_URL',
  stagingDatabase: 'DEMO_STAGING_DATABASE_URL',
  store: 'UNDERSTUDY_STORE_URL',
  maskKey: 'UNDERSTUDY_MASK_KEY',
  redactKey: 'UNDERSTUDY_REDACT_KEY',
} as const;

/** How many approvals production needs, and so how many approvers the demo enrols. */
export const PRODUCTION_APPROVALS = 2;

const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

/** The deploy command of `env`: the sample deploy script, run from the demo's folder. */
function deployCommand(env: string): string {
  // Single quotes for the shell; the YAML value is double-quoted, so escape backslashes and quotes.
  const shell = `node ${quote(path.join(distDemoDir, 'sample-deploy.js'))} ${env} "$VERSION"`;
  return JSON.stringify(shell);
}

/** `understudy.yaml` of the demo. */
export function demoConfigYaml(ports: DemoPorts): string {
  return `# Written by \`understudy demo\`: a small shop ("demo-shop") with production and staging on
# this machine. Run any command against it from this folder, while the demo runs:
#   . run/env.sh && node ${quote(path.join(distDemoDir, '..', 'cli', 'main.js'))} parity
project: demo-shop

environments:
  production:
    description: the live shop; customers reach it through the recording proxy
    url: http://127.0.0.1:${ports.production}
    database: \${${DEMO_ENV.productionDatabase}}
    config: [{ dotenv: env/production.env }]
    version: { http: /version, field: version }
    protected: true
  staging:
    description: the shared staging environment, fed masked production data
    url: http://127.0.0.1:${ports.staging}
    database: \${${DEMO_ENV.stagingDatabase}}
    config: [{ dotenv: env/staging.env }]
    version: { http: /version, field: version }

parity:
  env: staging
  against: production
  maxDataAge: 1d
  allow:
    - match: config.LOG_LEVEL
      reason: staging logs every query while releases are tried out
      owner: platform-team

data:
  from: production
  to: staging
  key: \${${DEMO_ENV.maskKey}}
  tables:
    public.customers:
      columns:
        full_name: full_name
        email: email
        phone: phone
        street: street_address
        city: city
        postal_code: postal_code
        birth_date: birth_date
    # The scan takes these for personal data; they are the shop's own words.
    public.products:
      columns:
        name: { keep: "product names, not people's" }
        description: { keep: 'written by the shop, not by customers' }

traffic:
  key: \${${DEMO_ENV.redactKey}}
  record:
    upstream: http://127.0.0.1:${ports.production}
    listen: 127.0.0.1:${ports.proxy}
    out: captures
    sample: { by: 'cookie:sid' }
    # Customer names in answers never reach the disk (e-mail addresses are redacted anyway).
    redact: { json: ['$.customer.name'] }
  replay:
    target: staging
    concurrency: 8

store:
  url: \${${DEMO_ENV.store}}

release:
  stages: [staging, production]
  staging:
    deploy: { run: ${deployCommand('staging')}, timeout: 1m }
    verify: { http: /healthz, for: 1s }
  production:
    requires: [parity, replay, data]
    approvals: ${PRODUCTION_APPROVALS}
    deploy: { run: ${deployCommand('production')}, timeout: 1m }
    verify: { http: /healthz, for: 2s }
`;
}

/** `run/env.sh`: the variables as shell exports, for commands a person runs by hand. */
export function demoEnvScript(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([key, value]) => `export ${key}=${quote(value)}`);
  return `# The variables understudy.yaml refers to: . run/env.sh\n${lines.join('\n')}\n`;
}

/** The configuration each environment runs with; parity's config probe compares the two. */
export function demoDotenv(env: 'production' | 'staging'): string {
  return [
    '# demo-shop settings',
    'CURRENCY=GBP',
    'PAGE_SIZE=20',
    'SESSION_TTL=30m',
    `LOG_LEVEL=${env === 'production' ? 'info' : 'debug'}`,
    `PAYMENT_API_KEY=${env === 'production' ? 'sk_live_demo_production_4c1f' : 'sk_test_demo_staging_91ab'}`,
    '',
  ].join('\n');
}
