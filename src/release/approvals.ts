/**
 * Approvals: N distinct people holding the approver role for an environment. Never the release's
 * creator, never anyone who asked to promote it there. An approval is bound to the release's
 * digest and to the digest of the evidence it saw, and lapses when either changes or after
 * `approvalTtl`. A rejection by an approver denies the promotion until they approve again. Every
 * decision is kept; each approver's newest counts.
 */
import { authDetails, type Identity } from '../access/people.js';
import { allows, describeRoles } from '../access/roles.js';
import { appendAuditIn } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import { parseDuration } from '../shared/duration.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';
import {
  evaluateEvidence,
  evidenceDigest,
  stageSettings,
  type GateResult,
  type StageSettings,
} from './promotion-gates.js';
import type { Release } from './release-model.js';

export interface Decision {
  readonly id: number;
  readonly decision: 'approve' | 'reject';
  readonly approver: string;
  readonly releaseDigest: string;
  readonly evidenceDigest: string;
  readonly comment?: string;
  readonly at: string;
}

type AccessStore = Pick<Store, 'driver'>;

/** Who asked to promote `version` into `env`. */
export async function requesters(
  store: AccessStore,
  version: string,
  env: string,
): Promise<string[]> {
  const { rows } = await store.driver.query<{ requested_by: unknown }>(
    'SELECT requested_by FROM promotion_requests WHERE version = $1 AND env = $2 ORDER BY first_at',
    [version, env],
  );
  return rows.map((r) => toText(r.requested_by, 'promotion_requests.requested_by'));
}

/** Notes that `actor` asked to promote `version` into `env` (they can then never approve it). */
export async function noteRequest(
  store: AccessStore,
  version: string,
  env: string,
  actor: string,
): Promise<void> {
  await store.driver.query(
    `INSERT INTO promotion_requests (version, env, requested_by) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [version, env, actor],
  );
}

async function decisions(store: AccessStore, version: string, env: string): Promise<Decision[]> {
  const { rows } = await store.driver.query<{
    id: unknown;
    decision: unknown;
    approver: unknown;
    release_digest: unknown;
    evidence_digest: unknown;
    comment: unknown;
    created_at: unknown;
  }>(
    `SELECT id, decision, approver, release_digest, evidence_digest, comment, created_at
       FROM approvals WHERE version = $1 AND env = $2 ORDER BY id DESC`,
    [version, env],
  );
  return rows.map((r) => ({
    id: toNumber(r.id, 'approvals.id'),
    decision: toText(r.decision, 'approvals.decision') === 'reject' ? 'reject' : 'approve',
    approver: toText(r.approver, 'approvals.approver'),
    releaseDigest: toText(r.release_digest, 'approvals.release_digest'),
    evidenceDigest: toText(r.evidence_digest, 'approvals.evidence_digest'),
    ...(r.comment === null ? {} : { comment: toText(r.comment, 'approvals.comment') }),
    at: toDate(r.created_at, 'approvals.created_at').toISOString(),
  }));
}

/** Why a decision no longer counts, or undefined when it does. */
function lapse(
  d: Decision,
  context: {
    release: Release;
    evidence: string;
    ttlMs?: number;
    now: Date;
    excluded: ReadonlySet<string>;
  },
): string | undefined {
  if (context.excluded.has(d.approver)) return 'the approver created or requested this release';
  if (d.releaseDigest !== context.release.digest) return 'the release changed';
  if (d.evidenceDigest !== context.evidence) return 'the evidence changed since';
  if (context.ttlMs !== undefined && context.now.getTime() - Date.parse(d.at) > context.ttlMs)
    return 'it expired';
  return undefined;
}

/** The approvals gate of promoting `release` into `env`, given the current evidence digest. */
export async function approvalsGate(
  store: AccessStore,
  release: Release,
  env: string,
  settings: StageSettings,
  context: { evidence: string; now: Date },
): Promise<GateResult> {
  const gate = 'approvals';
  const needed = settings.approvals;
  const excluded = new Set([release.createdBy, ...(await requesters(store, release.version, env))]);
  const ttlMs =
    settings.approvalTtl === undefined ? undefined : parseDuration(settings.approvalTtl);
  const newest = new Map<string, Decision>();
  for (const d of await decisions(store, release.version, env))
    if (!newest.has(d.approver)) newest.set(d.approver, d);
  const counted: Decision[] = [];
  const lapsed: string[] = [];
  for (const d of newest.values()) {
    const why = lapse(d, {
      release,
      evidence: context.evidence,
      ttlMs,
      now: context.now,
      excluded,
    });
    if (why === undefined) counted.push(d);
    else
      lapsed.push(
        `${d.approver}'s ${d.decision === 'approve' ? 'approval' : 'rejection'} (${why})`,
      );
  }
  const rejection = counted.find((d) => d.decision === 'reject');
  if (rejection !== undefined)
    return {
      gate,
      status: 'fail',
      reason: `rejected by ${rejection.approver}${rejection.comment === undefined ? '' : `: ${rejection.comment}`}`,
      evidence: `approval:${rejection.id}`,
    };
  const approvers = counted.map((d) => d.approver).sort();
  const lapsedText = lapsed.length === 0 ? '' : `; not counted: ${lapsed.join(', ')}`;
  if (approvers.length >= needed)
    return { gate, status: 'pass', reason: `approved by ${approvers.join(', ')}${lapsedText}` };
  return {
    gate,
    status: 'pending',
    reason: `${approvers.length} of ${needed} approvals${approvers.length === 0 ? '' : ` (${approvers.join(', ')})`}; waiting for ${env}:approver${lapsedText}`,
  };
}

/**
 * Records `identity`'s decision on promoting `release` into `env`, bound to the release's digest
 * and the evidence as it stands now. Refused for CI tokens, for anyone without the approver role
 * there (or without a second factor on a protected environment), for the release's creator and
 * for anyone who asked to promote it there.
 */
export async function decide(
  store: Store,
  input: {
    release: Release;
    env: string;
    decision: 'approve' | 'reject';
    comment?: string;
    config: Config;
    now: Date;
  },
  identity: Identity | undefined,
): Promise<{ decision: Decision; pending: readonly GateResult[] }> {
  const { release, env, config } = input;
  const verb = input.decision;
  if (config.release === undefined || !config.release.stages.includes(env))
    throw new UnderstudyError('E_INPUT', `${env} is not a release stage`, {
      hint:
        config.release === undefined
          ? 'add a release section'
          : `the stages: ${config.release.stages.join(' → ')}`,
    });
  const settings = stageSettings(config.release, env);
  if (settings.approvals === 0)
    throw new UnderstudyError('E_INPUT', `${env} needs no approvals: nothing to ${verb}`, {
      hint: `set release.${env}.approvals to require them`,
    });
  if (identity === undefined)
    throw new UnderstudyError(
      'E_BLOCKED',
      `to ${verb}, act as a person: set UNDERSTUDY_TOKEN to your token`,
    );
  if (identity.kind !== 'person')
    throw new UnderstudyError(
      'E_BLOCKED',
      `${identity.name} is a CI token: approvals are given by people`,
    );
  if (!allows(identity.roles, env, 'approve'))
    throw new UnderstudyError(
      'E_BLOCKED',
      `${identity.name} holds ${describeRoles(identity.roles)}; approving for ${env} needs ${env}:approver or admin`,
    );
  if (config.environments[env]?.protected === true && !identity.secondFactor)
    throw new UnderstudyError(
      'E_BLOCKED',
      `${env} is protected: approving needs a second factor; give a current code with --totp ("totp" over the API)`,
    );
  if (identity.name === release.createdBy)
    throw new UnderstudyError(
      'E_BLOCKED',
      `${identity.name} created ${release.version} and cannot ${verb} it`,
      {
        hint: `another ${env}:approver must decide`,
      },
    );
  if ((await requesters(store, release.version, env)).includes(identity.name))
    throw new UnderstudyError(
      'E_BLOCKED',
      `${identity.name} asked to promote ${release.version} to ${env} and cannot ${verb} it`,
      { hint: `another ${env}:approver must decide` },
    );
  const evidence = await evaluateEvidence(store, release, env, config.release, input.now);
  const evidenceAt = evidenceDigest(evidence);
  const decision = await store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: unknown; created_at: unknown }>(
      `INSERT INTO approvals (version, env, decision, approver, release_digest, evidence_digest, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
      [
        release.version,
        env,
        verb,
        identity.name,
        release.digest,
        evidenceAt,
        input.comment ?? null,
      ],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
    await appendAuditIn(tx, store.driver.location, {
      actor: identity.name,
      action: `approval.${verb}`,
      subject: `${release.version} ${env}`,
      details: {
        ...authDetails(identity),
        releaseDigest: release.digest,
        evidenceDigest: evidenceAt,
        ...(input.comment === undefined ? {} : { comment: input.comment }),
      },
    });
    return {
      id: toNumber(row.id, 'approvals.id'),
      decision: verb,
      approver: identity.name,
      releaseDigest: release.digest,
      evidenceDigest: evidenceAt,
      ...(input.comment === undefined ? {} : { comment: input.comment }),
      at: toDate(row.created_at, 'approvals.created_at').toISOString(),
    } satisfies Decision;
  });
  return { decision, pending: evidence.filter((g) => g.status !== 'pass') };
}
