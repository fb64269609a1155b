/**
 * The gates a release passes before it is deployed to an environment, each answered pass, fail
 * or pending with the reason. Evidence comes from the store: the release's own record, its
 * deployments on the stage before, the CI checks reported for it, and the parity, replay and
 * data-sync reports the other capabilities saved. A gate without evidence is never green.
 */
import type { Identity } from '../access/people.js';
import { allows, describeRoles } from '../access/roles.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.js';
import type { Config } from '../config/config-schema.js';
import { approvalsGate } from './approvals.js';
import { notifyMoves, reservationsOf } from '../coordination/reservations.js';
import { DATA_SYNC_REPORT_KIND } from '../parity/data-age-probe.js';
import { PARITY_REPORT_KIND } from '../parity/parity-report.js';
import { parseDuration } from '../shared/duration.js';
import type { Store } from '../store/open-store.js';
import type { StoredReport } from '../store/reports-repository.js';
import { REPLAY_REPORT_KIND } from '../traffic/replay-report.js';
import { listDeployments, type Deployment } from './deployments-repository.js';
import { activeFreeze } from './freeze.js';
import type { Release } from './release-model.js';
import { checksOf, latestChecks } from './releases-repository.js';

export type GateStatus = 'pass' | 'fail' | 'pending';

export interface GateResult {
  readonly gate: string;
  readonly status: GateStatus;
  readonly reason: string;
  /** What the verdict rests on (`deployment:12`, `check:7`, `report:31`): approvals bind to it. */
  readonly evidence?: string;
}

/**
 * The digest of the evidence an approval sees: each evidence gate's verdict and what it rests
 * on (not its wording, which ages). A new report, check or deployment changes it.
 */
export function evidenceDigest(gates: readonly GateResult[]): string {
  const seen = gates.map((g) => ({ gate: g.gate, status: g.status, evidence: g.evidence ?? null }));
  return `sha256:${createHash('sha256').update(canonicalJson(seen)).digest('hex')}`;
}

type ReleaseConfig = NonNullable<Config['release']>;
export type StageSettings = Exclude<ReleaseConfig[string], readonly string[]>;

/** What a stage without a section of its own gets (the schema's defaults). */
const defaults: StageSettings = {
  requires: [],
  approvals: 0,
  evidenceMaxAge: '24h',
  freeze: [],
  rollback: 'auto',
};

/** The settings of `env` as a stage, with the defaults for a stage that has none. */
export function stageSettings(release: ReleaseConfig, env: string): StageSettings {
  const own: unknown = env === 'stages' ? undefined : release[env];
  return own === undefined || Array.isArray(own) ? defaults : (own as StageSettings);
}

/** The version running in `env`: its newest successful deployment (of either kind). */
export async function currentDeployment(
  store: Pick<Store, 'driver'>,
  env: string,
): Promise<Deployment | undefined> {
  return (await listDeployments(store, { env, status: 'succeeded' }, 1))[0];
}

const age = (iso: string | Date, now: Date): number => now.getTime() - new Date(iso).getTime();
const ago = (ms: number): string =>
  ms < 90_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 5_400_000
      ? `${Math.round(ms / 60_000)} min`
      : `${Math.round(ms / 3_600_000)} h`;

/** Evaluates every gate of promoting `release` into `env`, in order; the clock is an argument. */
export async function evaluateGates(
  store: Store,
  release: Release,
  env: string,
  context: {
    readonly config: Config;
    readonly now: Date;
    readonly identity: Identity | undefined;
    /** Who asks: a lease held by anyone else makes the promotion wait. */
    readonly actor: string;
    /** Only looking (a dashboard): the reservation queue is read, not moved. */
    readonly readOnly?: boolean;
  },
): Promise<GateResult[]> {
  const { config, now } = context;
  const releaseConfig = config.release!;
  const settings = stageSettings(releaseConfig, env);
  const evidence = await evaluateEvidence(store, release, env, releaseConfig, now);
  const gates: GateResult[] = [
    identityGate(env, config.environments[env]?.protected === true, context.identity),
    ...evidence,
  ];
  if (settings.approvals > 0)
    gates.push(
      await approvalsGate(store, release, env, settings, {
        evidence: evidenceDigest(evidence),
        now,
      }),
    );
  const maxHold = parseDuration(config.reservations.max) ?? 8 * 3_600_000;
  const reservations = await reservationsOf(store, [env], maxHold, {
    move: context.readOnly !== true,
  });
  await notifyMoves(config, reservations.moves);
  const lease = reservations.byEnv.get(env)?.find((r) => r.status === 'held');
  gates.push(
    lease === undefined || lease.holder === context.actor
      ? {
          gate: 'reservation',
          status: 'pass',
          reason: lease === undefined ? `nobody holds ${env}` : `${context.actor} holds ${env}`,
        }
      : {
          gate: 'reservation',
          status: 'pending',
          reason: `${lease.holder} holds ${env} until ${lease.expiresAt ?? '?'} (${lease.reason})`,
        },
  );
  const freeze = activeFreeze(settings.freeze, now);
  gates.push(
    freeze === undefined
      ? { gate: 'freeze', status: 'pass', reason: `${env} is not frozen` }
      : {
          gate: 'freeze',
          status: 'pending',
          reason: `${env} is frozen until ${freeze.until.toISOString()}${freeze.reason === undefined ? '' : ` (${freeze.reason})`}: ${freeze.window}`,
        },
  );
  return gates;
}

/**
 * The evidence gates — the release has not failed, it runs in the stage before, and what
 * `requires` names — which approvals bind to.
 */
export async function evaluateEvidence(
  store: Store,
  release: Release,
  env: string,
  config: ReleaseConfig,
  now: Date,
): Promise<GateResult[]> {
  const gates: GateResult[] = [];
  const settings = stageSettings(config, env);
  const maxAge = parseDuration(settings.evidenceMaxAge) ?? 86_400_000;
  const stageIndex = config.stages.indexOf(env);
  const previous = stageIndex > 0 ? config.stages[stageIndex - 1] : undefined;

  const own = await listDeployments(store, { version: release.version }, 200);
  const failed = own.find((d) => d.kind === 'deploy' && d.status === 'failed');
  gates.push(
    failed === undefined
      ? { gate: 'release', status: 'pass', reason: `${release.version} has not failed anywhere` }
      : {
          gate: 'release',
          status: 'fail',
          reason: `${release.version} failed in ${failed.env} (${failed.reason ?? 'failed'}); a failed release is never promoted again: create a new version`,
          evidence: `deployment:${failed.id}`,
        },
  );

  // The stage before: this version must run there, deployed and verified.
  let since: Date | undefined;
  if (previous !== undefined) {
    const running = await currentDeployment(store, previous);
    if (running?.version === release.version && running.finishedAt !== undefined) {
      since = new Date(running.finishedAt);
      gates.push({
        gate: 'stage',
        status: 'pass',
        reason: `deployed and verified in ${previous} ${ago(age(since, now))} ago`,
        evidence: `deployment:${running.id}`,
      });
    } else
      gates.push({
        gate: 'stage',
        status: 'fail',
        reason: `${release.version} must be deployed and verified in ${previous} first (${previous} runs ${running?.version ?? 'nothing Understudy deployed'}); stages are never skipped`,
      });
  }

  const checks = latestChecks(await checksOf(store, release.version));
  for (const gate of settings.requires) {
    if (gate.startsWith('check:')) {
      const name = gate.slice('check:'.length);
      const check = checks.find((k) => k.name === name);
      gates.push(
        check === undefined
          ? {
              gate,
              status: 'pending',
              reason: `waiting for CI to report ${name} for ${release.version}`,
            }
          : check.status === 'pass'
            ? {
                gate,
                status: 'pass',
                reason: `${name} passed (reported by ${check.reportedBy})`,
                evidence: `check:${check.id}`,
              }
            : {
                gate,
                status: 'fail',
                reason: `${name} failed${check.url === undefined ? '' : `: ${check.url}`}`,
                evidence: `check:${check.id}`,
              },
      );
      continue;
    }
    if (previous === undefined) {
      gates.push({
        gate,
        status: 'fail',
        reason: `${gate} evidence comes from the stage before, and ${env} is the first stage`,
      });
      continue;
    }
    const [kind, subject, what] =
      gate === 'parity'
        ? [
            PARITY_REPORT_KIND,
            `${previous}~${env}`,
            `a passing parity report of ${previous} against ${env}`,
          ]
        : gate === 'replay'
          ? [REPLAY_REPORT_KIND, previous, `a passing replay against ${previous}`]
          : [DATA_SYNC_REPORT_KIND, previous, `a passing masked data sync into ${previous}`];
    gates.push(
      evidenceGate(gate, await store.reports.latest(kind, subject), what, {
        now,
        maxAge,
        maxAgeText: settings.evidenceMaxAge,
        // Parity and replay must have looked at this version; data only has to be fresh.
        ...(gate === 'data' || since === undefined ? {} : { since }),
        version: release.version,
      }),
    );
  }

  return gates;
}

/**
 * Who may change `env`: without an identity only an unprotected environment (plain local use);
 * with one, a deployer or admin of `env` — a person with a current second factor where `env` is
 * protected, or a CI token scoped to it.
 */
export function identityGate(
  env: string,
  protectedEnv: boolean,
  identity: Identity | undefined,
): GateResult {
  const gate = 'identity';
  if (identity === undefined)
    return protectedEnv
      ? {
          gate,
          status: 'fail',
          reason: `${env} is protected: act as a person (UNDERSTUDY_TOKEN and --totp) or with a CI token scoped ${env}:deployer`,
        }
      : { gate, status: 'pass', reason: `plain local use: ${env} is not protected` };
  if (!allows(identity.roles, env, 'deploy'))
    return {
      gate,
      status: 'fail',
      reason: `${identity.name} holds ${describeRoles(identity.roles)}; deploying to ${env} needs ${env}:deployer or admin`,
    };
  if (protectedEnv && identity.kind === 'person' && !identity.secondFactor)
    return {
      gate,
      status: 'fail',
      reason: `${env} is protected: ${identity.name} needs a current code from their authenticator app (--totp)`,
    };
  return {
    gate,
    status: 'pass',
    reason: `${identity.name} (${identity.auth}${identity.secondFactor ? ', second factor' : ''})`,
  };
}

function evidenceGate(
  gate: string,
  report: StoredReport | undefined,
  what: string,
  options: { now: Date; maxAge: number; maxAgeText: string; since?: Date; version: string },
): GateResult {
  if (report === undefined) return { gate, status: 'pending', reason: `no ${what} yet` };
  const old = age(report.createdAt, options.now);
  const evidence = `report:${report.id}`;
  if (report.status !== 'pass')
    return {
      gate,
      evidence,
      status: 'fail',
      reason: `the latest is ${report.status}, not a pass (report ${report.id}, ${ago(old)} ago)`,
    };
  if (options.since !== undefined && report.createdAt < options.since)
    return {
      gate,
      status: 'pending',
      reason: `the latest (report ${report.id}) was taken before ${options.version} was deployed there: run it again`,
    };
  if (old > options.maxAge)
    return {
      gate,
      status: 'pending',
      reason: `the latest (report ${report.id}) is ${ago(old)} old; evidence counts for ${options.maxAgeText}`,
    };
  return { gate, status: 'pass', reason: `report ${report.id}, ${ago(old)} ago`, evidence };
}
