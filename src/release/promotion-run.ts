/**
 * One promotion, as a state machine with a terminal outcome for every path:
 *
 *   gates ─ fail ─────────────────────────────────────────────→ denied
 *         ─ pending ───────────────────────────────────────────→ pending
 *         ─ pass → lock ─ busy ────────────────────────────────→ pending
 *                       ─ taken → freeze re-checked ─ frozen ──→ pending
 *                                 → deploy ─ fail ─┐
 *                                 → verify ─ fail ─┴→ rollback to the last good version
 *                                                      (or none) ───→ rolled-back / failed
 *                                 → succeeded ─────────────────────→ deployed
 *
 * The lock is the deployment row (see deployments-repository.ts), heartbeats keep it while the
 * deploy command and the verification run, and every step is audited.
 */
import type { Config } from '../config/config-schema.js';
import { parseDuration } from '../shared/duration.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import {
  DeployLog,
  runDeployCommand,
  runDeployWebhook,
  verifyHttp,
  verifyPrometheus,
  type StepOutcome,
} from './deploy-action.js';
import {
  HEARTBEAT_MS,
  finishDeployment,
  heartbeat,
  LOG_FLUSH_MS,
  armCallback,
  readCallback,
  saveLog,
  type DeployCallback,
  listDeployments,
  startDeployment,
  type Deployment,
} from './deployments-repository.js';
import { activeFreeze } from './freeze.js';
import {
  currentDeployment,
  evaluateGates,
  identityGate,
  stageSettings,
  type GateResult,
  type StageSettings,
} from './promotion-gates.js';
import { noteRequest } from './approvals.js';
import { breakGlass } from './overrides.js';
import type { Release } from './release-model.js';
import { getRelease } from './releases-repository.js';
import { authDetails, type Identity } from '../access/people.js';
import { notify, type Notice, type NotifyFailure } from '../notify/notify.js';
import { appendAudit } from '../audit/audit-log.js';

export type PromotionOutcome = 'deployed' | 'denied' | 'pending' | 'rolled-back' | 'failed';

export interface PromotionResult {
  readonly outcome: PromotionOutcome;
  readonly version: string;
  readonly env: string;
  readonly gates: readonly GateResult[];
  /** Why it ended as it did, in one sentence. */
  readonly reason: string;
  readonly deployment?: Deployment;
  readonly rollback?: Deployment;
  /** Webhooks that could not be told (the promotion stands). */
  readonly undelivered?: readonly NotifyFailure[];
}

export interface PromotionOptions {
  readonly store: Store;
  readonly config: Config;
  /** The directory deploy commands run in (the project's). */
  readonly cwd: string;
  readonly release: Release;
  readonly env: string;
  readonly actor: string;
  /** Who is acting, proven (a person or a CI token), when there is a token. */
  readonly identity?: Identity;
  /** Deploy output and verification checks, as they come. */
  readonly onOutput?: (text: string) => void;
  /** Each state the promotion enters. */
  readonly onState?: (state: string) => void;
  /** Each deployment as it starts (the deploy, and a rollback after it). */
  readonly onDeployment?: (id: number) => void;
  readonly now?: () => Date;
  /**
   * A repeated attempt (promote --wait) whose pending reasons have not changed: neither audited
   * nor notified again.
   */
  readonly quietPending?: (gates: readonly GateResult[]) => boolean;
  /** An admin's reason to deploy through a freeze (with a second person's approval). */
  readonly breakGlass?: string;
}

/** Checks `env` can be promoted into at all: a stage, with a deploy command. */
export function checkStage(config: Config, env: string): StageSettings {
  const release = config.release;
  if (release === undefined)
    throw new UnderstudyError('E_CONFIG', 'promotion needs a release section in understudy.yaml', {
      hint: 'add release: { stages: [staging, production] } and a deploy command per stage',
    });
  if (!release.stages.includes(env))
    throw new UnderstudyError('E_INPUT', `${env} is not a release stage`, {
      hint: `the stages, in order: ${release.stages.join(' → ')}`,
    });
  const settings = stageSettings(release, env);
  if (settings.deploy === undefined)
    throw new UnderstudyError(
      'E_CONFIG',
      `release.${env}.deploy is not set: nothing to deploy with`,
      {
        hint: `add release.${env}.deploy: { run: "./deploy.sh" } (VERSION and ENV are in its environment)`,
      },
    );
  if (
    !('run' in settings.deploy) &&
    settings.deploy.status === undefined &&
    config.server.publicUrl === undefined
  )
    throw new UnderstudyError(
      'E_CONFIG',
      `release.${env}.deploy is a webhook without a status URL, so it must call back — and server.publicUrl, where \`understudy serve\` takes the callback, is not set`,
      {
        hint: `set server.publicUrl, or add release.${env}.deploy.status: a URL answering {"status": "running|succeeded|failed"}`,
      },
    );
  return settings;
}

/** Promotes `release` into `env`: gates, then deploy → verify → (rollback); then tells the webhooks. */
export async function runPromotion(options: PromotionOptions): Promise<PromotionResult> {
  const result = await promote(options);
  if (result.outcome === 'pending' && options.quietPending?.(result.gates) === true) return result;
  const undelivered = (
    await Promise.all(noticesOf(result, options).map((n) => notify(options.config, n)))
  ).flat();
  return undelivered.length === 0 ? result : { ...result, undelivered };
}

/** What the webhooks hear of a promotion's outcome. */
function noticesOf(result: PromotionResult, options: PromotionOptions): Notice[] {
  const subject = `${result.version} ${result.env}`;
  const arrow = `${result.version} → ${result.env}`;
  const details = { version: result.version, env: result.env, actor: options.actor };
  switch (result.outcome) {
    case 'denied':
      return [
        {
          event: 'gate.failed',
          subject,
          text: `${arrow} denied: ${result.gates
            .filter((g) => g.status === 'fail')
            .map((g) => `${g.gate} (${g.reason})`)
            .join('; ')}`,
          details,
        },
      ];
    case 'pending': {
      const approvals = result.gates.find((g) => g.gate === 'approvals' && g.status === 'pending');
      return approvals === undefined
        ? []
        : [
            {
              event: 'approval.requested',
              subject,
              text: `${arrow} needs approval: ${approvals.reason}`,
              details,
            },
          ];
    }
    case 'deployed': {
      const verified = stageSettings(options.config.release!, result.env).verify !== undefined;
      return [
        {
          event: 'deploy.succeeded',
          subject,
          text: `${arrow} deployed by ${options.actor}`,
          details,
        },
        ...(verified
          ? [
              {
                event: 'verify.passed' as const,
                subject,
                text: `${arrow} verified healthy`,
                details,
              },
            ]
          : []),
      ];
    }
    case 'rolled-back':
      return [{ event: 'rollback.done', subject, text: `${arrow}: ${result.reason}`, details }];
    case 'failed':
      return [];
  }
}

async function promote(options: PromotionOptions): Promise<PromotionResult> {
  const { store, config, release, env, actor } = options;
  const now = options.now ?? (() => new Date());
  const settings = checkStage(config, env);
  const base = { version: release.version, env };

  // Whoever asks to promote a release somewhere can never approve it there.
  await noteRequest(store, release.version, env, actor);
  let gates = await evaluateGates(store, release, env, {
    config,
    now: now(),
    identity: options.identity,
    actor,
  });
  const how = authDetails(options.identity);
  // Break-glass: when the freeze is all that stands in the way, an admin may override it with
  // a second person's approval.
  let overridden = false;
  const blocking = gates.filter((g) => g.status !== 'pass');
  if (options.breakGlass !== undefined && blocking.length === 1 && blocking[0]!.gate === 'freeze') {
    const glass = await breakGlass(
      store,
      { version: release.version, env, reason: options.breakGlass },
      options.identity,
    );
    const freeze = blocking[0]!;
    if ('approved' in glass) {
      overridden = true;
      gates = gates.map((g) =>
        g === freeze
          ? {
              gate: 'freeze',
              status: 'pass',
              reason: `${freeze.reason.split(':')[0]}; overridden by ${glass.approved.requestedBy} (${glass.approved.reason}), approved by ${glass.approved.approvedBy ?? '?'}`,
            }
          : g,
      );
    } else
      gates = [
        ...gates,
        {
          gate: 'break-glass',
          status: 'pending',
          reason: `${glass.waiting.requestedBy} asked to override the freeze (${glass.waiting.reason}); a second person must agree: understudy approve ${release.version} --env ${env} --break-glass`,
        },
      ];
  }
  const failed = gates.filter((g) => g.status === 'fail');
  const pending = gates.filter((g) => g.status === 'pending');
  if (failed.length > 0 || pending.length > 0) {
    const outcome = failed.length > 0 ? 'denied' : 'pending';
    const quiet = outcome === 'pending' && options.quietPending?.(gates) === true;
    if (!quiet)
      await appendAudit(store, {
        actor,
        action: `promotion.${outcome}`,
        subject: `${release.version} ${env}`,
        details: {
          ...how,
          gates: [...failed, ...pending].map((g) => ({
            gate: g.gate,
            status: g.status,
            reason: g.reason,
          })),
        },
      });
    return {
      ...base,
      outcome,
      gates,
      reason:
        outcome === 'denied'
          ? `denied by ${failed.map((g) => g.gate).join(', ')}`
          : `waiting on ${pending.map((g) => g.gate).join(', ')}`,
    };
  }

  const lastGood = await currentDeployment(store, env);
  const taken = await startDeployment(store, {
    env,
    version: release.version,
    kind: 'deploy',
    requestedBy: actor,
    details: how,
  });
  if ('busy' in taken) {
    const busy = taken.busy;
    await appendAudit(store, {
      actor,
      action: 'promotion.pending',
      subject: `${release.version} ${env}`,
      details: {
        ...how,
        busy: { deployment: busy.id, version: busy.version, holder: busy.holder },
      },
    });
    return {
      ...base,
      outcome: 'pending',
      gates,
      reason: `${env} is busy: ${busy.kind} of ${busy.version} by ${busy.requestedBy} (${busy.holder}) since ${busy.startedAt}`,
    };
  }
  let deployment = taken.started;
  // The freeze counts when the deploy starts, not when it was asked for.
  const frozen = overridden ? undefined : activeFreeze(settings.freeze, now());
  if (frozen !== undefined) {
    deployment = await finishDeployment(store, deployment, {
      status: 'cancelled',
      reason: `not started: ${env} froze before the deploy could start`,
      log: '',
      actor,
    });
    return {
      ...base,
      outcome: 'pending',
      gates,
      deployment,
      reason: `${env} is frozen until ${frozen.until.toISOString()}`,
    };
  }

  const attempt = await deployAndVerify(options, settings, deployment, release);
  deployment = attempt.deployment;
  if (attempt.outcome.ok)
    return { ...base, outcome: 'deployed', gates, deployment, reason: 'deployed and verified' };

  const why = attempt.outcome.reason;
  if (settings.rollback !== 'auto' || lastGood === undefined)
    return {
      ...base,
      outcome: 'failed',
      gates,
      deployment,
      reason:
        lastGood === undefined
          ? `${why}; nothing to roll back to (no earlier good version in ${env})`
          : `${why}; rollback is manual for ${env}`,
    };
  options.onState?.(`rolling back to ${lastGood.version}`);
  const back = await startDeployment(store, {
    env,
    version: lastGood.version,
    kind: 'rollback',
    requestedBy: actor,
    details: how,
  });
  if ('busy' in back)
    return {
      ...base,
      outcome: 'failed',
      gates,
      deployment,
      reason: `${why}; the rollback could not start: ${env} is busy`,
    };
  const target = await getRelease(store, lastGood.version);
  const rolled = await deployAndVerify(options, settings, back.started, target);
  return {
    ...base,
    outcome: rolled.outcome.ok ? 'rolled-back' : 'failed',
    gates,
    deployment,
    rollback: rolled.deployment,
    reason: rolled.outcome.ok
      ? `${why}; rolled back to ${lastGood.version}`
      : `${why}; the rollback to ${lastGood.version} failed too: ${rolled.outcome.reason}`,
  };
}

/**
 * For a webhook deploy that calls back: the deployment gets a one-time token, the deploy system
 * POSTs to `serve`'s callback URL with it, and the promotion reads the callback from the store —
 * whichever process runs it, as long as it shares the store with `serve`.
 */
async function callbackFor(
  options: PromotionOptions,
  id: number,
): Promise<{
  url: string;
  token: string;
  poll: () => Promise<DeployCallback | undefined>;
}> {
  const base = options.config.server.publicUrl;
  if (base === undefined)
    throw new Error('checkStage lets no callback webhook through without server.publicUrl');
  return {
    url: new URL(`api/v1/deployments/${id}/callback`, base.endsWith('/') ? base : `${base}/`).href,
    token: await armCallback(options.store, id),
    poll: () => readCallback(options.store, id),
  };
}

/** Runs the deploy command and the verification for one deployment, and ends it. */
async function deployAndVerify(
  options: PromotionOptions,
  settings: StageSettings,
  deployment: Deployment,
  release: Pick<Release, 'version' | 'commit' | 'artifact'>,
): Promise<{ outcome: StepOutcome; deployment: Deployment }> {
  const { store, env, actor } = options;
  const log = new DeployLog();
  let unsaved = false;
  const out = (text: string): void => {
    log.add(text);
    unsaved = true;
    options.onOutput?.(text);
  };
  options.onDeployment?.(deployment.id);
  const beat = setInterval(
    () => void heartbeat(store, deployment.id).catch(() => undefined),
    HEARTBEAT_MS,
  );
  // The log so far is saved each second, so others (the dashboard, another replica) can follow.
  const flush = setInterval(() => {
    if (!unsaved) return;
    unsaved = false;
    void saveLog(store, deployment.id, log.toString()).catch(() => undefined);
  }, LOG_FLUSH_MS);
  try {
    const deploy = settings.deploy!;
    options.onState?.(
      `${deployment.kind === 'rollback' ? 'rolling back' : 'deploying'} ${release.version} to ${env}`,
    );
    const fields = {
      VERSION: release.version,
      ENV: env,
      ...(release.commit === undefined ? {} : { COMMIT: release.commit }),
      ...(release.artifact === undefined ? {} : { ARTIFACT: release.artifact }),
      UNDERSTUDY_DEPLOYMENT: String(deployment.id),
    };
    const timeoutMs = parseDuration(deploy.timeout) ?? 900_000;
    let outcome =
      'run' in deploy
        ? await runDeployCommand({
            command: deploy.run,
            cwd: options.cwd,
            env: fields,
            timeoutMs,
            onOutput: out,
          })
        : await runDeployWebhook({
            url: deploy.webhook,
            ...(deploy.status === undefined
              ? { callback: await callbackFor(options, deployment.id) }
              : { statusUrl: deploy.status }),
            payload: {
              version: release.version,
              env,
              ...(release.commit === undefined ? {} : { commit: release.commit }),
              ...(release.artifact === undefined ? {} : { artifact: release.artifact }),
              deployment: deployment.id,
              kind: deployment.kind,
            },
            deployment: deployment.id,
            timeoutMs,
            onOutput: out,
          });
    if (outcome.ok && settings.verify !== undefined) {
      await heartbeat(store, deployment.id, 'verifying');
      options.onState?.(`verifying ${release.version} in ${env} for ${settings.verify.for}`);
      const url = verifyUrl(options.config, env, settings.verify.http);
      const maxLatency =
        settings.verify.maxLatency === undefined
          ? undefined
          : parseDuration(settings.verify.maxLatency);
      outcome = await verifyHttp({
        url,
        forMs: parseDuration(settings.verify.for) ?? 60_000,
        ...(maxLatency === undefined ? {} : { maxLatencyMs: maxLatency }),
        onCheck: (line) => out(`${line}\n`),
      });
      if (outcome.ok) out(`verify: ${url} healthy for ${settings.verify.for}\n`);
      const prometheus = settings.verify.prometheus;
      if (outcome.ok && prometheus !== undefined) {
        const measured = await verifyPrometheus(prometheus);
        outcome = measured;
        if (measured.ok)
          out(`verify: ${prometheus.query} = ${measured.value} (at most ${prometheus.max})\n`);
      }
      if (!outcome.ok) out(`${outcome.reason}\n`);
    }
    const done = await finishDeployment(store, deployment, {
      status: outcome.ok ? 'succeeded' : 'failed',
      ...(outcome.ok ? {} : { reason: outcome.reason }),
      log: log.toString(),
      actor,
    });
    return { outcome, deployment: done };
  } finally {
    clearInterval(beat);
    clearInterval(flush);
  }
}

/** `verify.http` as a URL: absolute as given, or a path on the environment's URL. */
function verifyUrl(config: Config, env: string, http: string): string {
  if (/^https?:\/\//i.test(http)) return http;
  const base = config.environments[env]?.url;
  if (base === undefined)
    throw new UnderstudyError(
      'E_CONFIG',
      `release.${env}.verify.http is a path, but environments.${env}.url is not set`,
      {
        hint: 'give the environment a url, or verify.http as a whole URL',
      },
    );
  return new URL(http, base).href;
}

export interface RollbackOptions extends Omit<
  PromotionOptions,
  'release' | 'quietPending' | 'breakGlass'
> {
  /** The version to go back to (one that succeeded in the environment before); default: the one before the current. */
  readonly to?: string;
}

export interface RollbackResult {
  readonly outcome: 'rolled-back' | 'failed' | 'pending';
  readonly env: string;
  readonly from?: string;
  readonly to: string;
  readonly reason: string;
  readonly deployment?: Deployment;
  readonly undelivered?: readonly NotifyFailure[];
}

/**
 * Rolls `env` back by hand: deploys and verifies an earlier version that succeeded there, with
 * the environment's own deploy action, under the same lock, identity rule and audit as a
 * promotion.
 */
export async function runRollback(options: RollbackOptions): Promise<RollbackResult> {
  const { store, config, env, actor } = options;
  const settings = checkStage(config, env);
  const gate = identityGate(env, config.environments[env]?.protected === true, options.identity);
  if (gate.status !== 'pass') throw new UnderstudyError('E_BLOCKED', gate.reason);
  const history = await listDeployments(store, { env, status: 'succeeded' }, 200);
  const current = history[0];
  if (current === undefined)
    throw new UnderstudyError(
      'E_INPUT',
      `Understudy has deployed nothing to ${env}: nothing to roll back`,
    );
  const target =
    options.to === undefined
      ? history.find((d) => d.version !== current.version)
      : history.find((d) => d.version === options.to);
  if (target === undefined)
    throw new UnderstudyError(
      'E_INPUT',
      options.to === undefined
        ? `${env} has run only ${current.version}: nothing earlier to roll back to`
        : `${options.to} never ran successfully in ${env}`,
      {
        hint: `versions that ran there: ${[...new Set(history.map((d) => d.version))].join(', ')}`,
      },
    );
  const release = await getRelease(store, target.version);
  const taken = await startDeployment(store, {
    env,
    version: release.version,
    kind: 'rollback',
    requestedBy: actor,
    details: { ...authDetails(options.identity), from: current.version },
  });
  if ('busy' in taken)
    return {
      outcome: 'pending',
      env,
      from: current.version,
      to: release.version,
      reason: `${env} is busy: ${taken.busy.kind} of ${taken.busy.version} by ${taken.busy.requestedBy} since ${taken.busy.startedAt}`,
    };
  const attempt = await deployAndVerify({ ...options, release }, settings, taken.started, release);
  const ok = attempt.outcome.ok;
  const reason = ok
    ? `rolled back from ${current.version} to ${release.version}`
    : `the rollback to ${release.version} failed: ${attempt.outcome.reason}`;
  const undelivered = ok
    ? await notify(config, {
        event: 'rollback.done',
        subject: `${release.version} ${env}`,
        text: `${env}: ${reason} by ${actor}`,
        details: { env, from: current.version, to: release.version, actor },
      })
    : [];
  return {
    outcome: ok ? 'rolled-back' : 'failed',
    env,
    from: current.version,
    to: release.version,
    reason,
    deployment: attempt.deployment,
    ...(undelivered.length === 0 ? {} : { undelivered }),
  };
}
