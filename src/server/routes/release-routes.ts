/** Releases, checks, the pipeline with its gates, promotions, rollbacks, approvals, deployments. */
import { z } from 'zod';
import { decide } from '../../release/approvals.js';
import {
  deploymentLog,
  getDeployment,
  listDeployments,
  recordCallback,
  type Deployment,
} from '../../release/deployments-repository.js';
import { approveBreakGlass } from '../../release/overrides.js';
import { currentDeployment, evaluateGates } from '../../release/promotion-gates.js';
import { checkStage, runPromotion, runRollback } from '../../release/promotion-run.js';
import {
  checksOf,
  createRelease,
  getRelease,
  latestChecks,
  listReleases,
  reportCheck,
} from '../../release/releases-repository.js';
import { UnderstudyError } from '../../shared/errors.js';
import { openEventStream } from '../events.js';
import { summary } from '../jobs.js';
import {
  caller,
  limitField,
  pathId,
  requireDeployer,
  route,
  totpField,
  type AppDeps,
  type Route,
} from '../route.js';

const limit = limitField;
const totp = totpField;

export function releaseRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/releases',
      summary: 'Releases, newest first',
      tag: 'releases',
      access: 'signed-in',
      query: z.strictObject({ limit }),
      answers: { status: 200, description: '{releases}: each with its latest check results' },
      async handle({ deps, query }) {
        const releases = await listReleases(deps.store, query.limit ?? 50);
        return {
          body: {
            releases: await Promise.all(
              releases.map(async (release) => ({
                ...release,
                checks: latestChecks(await checksOf(deps.store, release.version)).map(
                  ({ name, status }) => ({ name, status }),
                ),
              })),
            ),
          },
        };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/releases',
      summary: 'Create a release (immutable: the same version with other contents is refused)',
      tag: 'releases',
      access: 'signed-in',
      body: z.strictObject({
        version: z.string(),
        commit: z.string().optional(),
        artifact: z.string().optional(),
        notes: z.string().optional(),
      }),
      answers: { status: 200, description: '{release, created}' },
      async handle({ deps, body, identity }) {
        const actor = requireDeployer(deps, identity, 'creating a release').name;
        const input = {
          version: body.version,
          ...(body.commit === undefined ? {} : { commit: body.commit }),
          ...(body.artifact === undefined ? {} : { artifact: body.artifact }),
          ...(body.notes === undefined ? {} : { notes: body.notes }),
        };
        return { body: await createRelease(deps.store, input, actor) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/releases/{version}',
      summary: 'A release: its checks, deployments, and each stage with its gates as they stand',
      tag: 'releases',
      access: 'signed-in',
      answers: { status: 200, description: '{release, checks, deployments, stages}' },
      async handle({ deps, params, identity }) {
        const { store, loaded } = deps;
        const release = await getRelease(store, params.version ?? '');
        const checks = await checksOf(store, release.version);
        const deployments = await listDeployments(store, { version: release.version });
        const stages = await Promise.all(
          (loaded.config.release?.stages ?? []).map(async (env) => {
            const current = await currentDeployment(store, env);
            const gates = await evaluateGates(store, release, env, {
              config: loaded.config,
              now: deps.now(),
              identity,
              actor: caller(identity).name,
              readOnly: true,
            });
            const deployed: Deployment | null =
              deployments.find((d) => d.env === env && d.status === 'succeeded') ?? null;
            return {
              env,
              protected: loaded.config.environments[env]?.protected === true,
              gates,
              deployed,
              current: current?.version === release.version,
              running: current?.version ?? null,
            };
          }),
        );
        return { body: { release, checks, deployments, stages } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/releases/{version}/checks',
      summary: 'Record a CI check result for a release (read by check:NAME gates)',
      tag: 'releases',
      access: 'signed-in',
      body: z.strictObject({
        name: z.string(),
        status: z.enum(['pass', 'fail']),
        url: z.url().optional(),
      }),
      answers: { status: 200, description: '{check}' },
      async handle({ deps, params, body, identity }) {
        const actor = requireDeployer(deps, identity, 'reporting a check').name;
        const check = await reportCheck(
          deps.store,
          {
            version: params.version ?? '',
            name: body.name,
            status: body.status,
            ...(body.url === undefined ? {} : { url: body.url }),
          },
          actor,
        );
        return { body: { check } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/promotions',
      summary: 'Promote a release into a stage: gates, deploy, verify, roll back (a job)',
      tag: 'releases',
      access: 'signed-in',
      body: z.strictObject({
        version: z.string(),
        env: z.string(),
        breakGlass: z
          .string()
          .min(1)
          .optional()
          .describe('An admin’s reason to deploy through a freeze'),
        totp,
      }),
      answers: { status: 202, description: '{job}: its result is the PromotionResult' },
      async handle({ deps, body, identity }) {
        // Bad input is answered now, not as a failed job; gates (roles included) run in the job,
        // as from the command line, so the outcome reads the same.
        checkStage(deps.loaded.config, body.env);
        const release = await getRelease(deps.store, body.version);
        const actor = caller(identity).name;
        const job = deps.jobs.start(
          { kind: 'promotion', title: `promote ${release.version} → ${body.env}`, by: actor },
          (handle) =>
            runPromotion({
              store: deps.store,
              config: deps.loaded.config,
              cwd: deps.loaded.dir,
              release,
              env: body.env,
              actor,
              ...(identity === undefined ? {} : { identity }),
              onState: (state) => handle.output(`→ ${state}`, handle.job.deploymentId),
              onOutput: (text) => handle.output(text, handle.job.deploymentId),
              onDeployment: (id) => handle.deployment(id),
              ...(body.breakGlass === undefined ? {} : { breakGlass: body.breakGlass }),
            }),
          (result) => result.outcome === 'deployed',
        );
        return { status: 202, body: { job: summary(job) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/rollbacks',
      summary: 'Roll an environment back to an earlier version that ran there (a job)',
      tag: 'releases',
      access: 'signed-in',
      body: z.strictObject({ env: z.string(), to: z.string().optional(), totp }),
      answers: { status: 202, description: '{job}: its result is the RollbackResult' },
      handle({ deps, body, identity }) {
        checkStage(deps.loaded.config, body.env);
        const actor = caller(identity).name;
        const job = deps.jobs.start(
          { kind: 'rollback', title: `roll back ${body.env}`, by: actor },
          (handle) =>
            runRollback({
              store: deps.store,
              config: deps.loaded.config,
              cwd: deps.loaded.dir,
              env: body.env,
              actor,
              ...(identity === undefined ? {} : { identity }),
              ...(body.to === undefined ? {} : { to: body.to }),
              onState: (state) => handle.output(`→ ${state}`, handle.job.deploymentId),
              onOutput: (text) => handle.output(text, handle.job.deploymentId),
              onDeployment: (id) => handle.deployment(id),
            }),
          (result) => result.outcome === 'rolled-back',
        );
        return { status: 202, body: { job: summary(job) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/approvals',
      summary: 'Approve or reject promoting a release into an environment (a person, with totp)',
      tag: 'releases',
      access: 'signed-in',
      body: z.strictObject({
        version: z.string(),
        env: z.string(),
        decision: z.enum(['approve', 'reject']),
        comment: z.string().max(2000).optional(),
        breakGlass: z.boolean().optional().describe('Agree to an admin’s break-glass request'),
        totp,
      }),
      answers: { status: 200, description: '{decision, evidenceNotPassing} or {override}' },
      async handle({ deps, body, identity }) {
        const release = await getRelease(deps.store, body.version);
        if (body.breakGlass === true) {
          if (body.decision !== 'approve')
            throw new UnderstudyError(
              'E_INPUT',
              'a break-glass request is agreed to with "approve"',
            );
          const override = await approveBreakGlass(
            deps.store,
            { version: release.version, env: body.env },
            identity,
          );
          return { body: { override } };
        }
        const { decision, pending } = await decide(
          deps.store,
          {
            release,
            env: body.env,
            decision: body.decision,
            ...(body.comment === undefined ? {} : { comment: body.comment }),
            config: deps.loaded.config,
            now: deps.now(),
          },
          identity,
        );
        return { body: { decision, evidenceNotPassing: pending } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/deployments',
      summary: 'Deployments and rollbacks, newest first',
      tag: 'releases',
      access: 'signed-in',
      query: z.strictObject({ env: z.string().optional(), limit }),
      answers: { status: 200, description: '{deployments}' },
      async handle({ deps, query }) {
        const deployments = await listDeployments(
          deps.store,
          query.env === undefined ? {} : { env: query.env },
          query.limit ?? 50,
        );
        return { body: { deployments } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/deployments/{id}',
      summary: 'One deployment, with its log',
      tag: 'releases',
      access: 'signed-in',
      answers: { status: 200, description: '{deployment, log}' },
      async handle({ deps, params }) {
        const deployment = await findDeployment(deps, params.id ?? '');
        return { body: { deployment, log: await deploymentLog(deps.store, deployment.id) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/deployments/{id}/callback',
      summary:
        'A deploy system reports how a webhook deploy ended (Authorization: Bearer <the callback token it was sent>)',
      tag: 'releases',
      // Authenticated by the one-time token the deployment's webhook payload carried.
      access: 'public',
      body: z.strictObject({
        status: z.enum(['succeeded', 'failed']),
        reason: z.string().max(2000).optional(),
        output: z.string().max(65_536).optional().describe('What the deploy printed, for the log'),
      }),
      answers: { status: 204, description: 'Recorded; the waiting promotion continues' },
      async handle({ deps, params, body, request }) {
        const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (token === undefined)
          throw new UnderstudyError('E_AUTH', 'send the callback token as Authorization: Bearer');
        await recordCallback(deps.store, pathId(params.id, 'deployment'), token, {
          status: body.status,
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          ...(body.output === undefined ? {} : { output: body.output }),
        });
        return { status: 204 };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/deployments/{id}/log',
      summary: 'A deployment’s log as it grows (server-sent events: output, then done)',
      tag: 'releases',
      access: 'signed-in',
      answers: { status: 200, description: 'text/event-stream', type: 'text/event-stream' },
      async handle({ deps, params, request, response }) {
        const first = await findDeployment(deps, params.id ?? '');
        const stream = openEventStream(request, response);
        // Read from the store, so a deployment run by the CLI or another replica streams too.
        // Each chunk carries its end offset as its id: a reconnecting client resumes from there.
        const resumeAt = Number(request.headers['last-event-id']);
        let sent = Number.isSafeInteger(resumeAt) && resumeAt > 0 ? resumeAt : 0;
        void (async () => {
          let deployment = first;
          while (!stream.closed) {
            const log = await deploymentLog(deps.store, deployment.id).catch(() => undefined);
            if (log !== undefined && log.length > sent) {
              stream.send({ event: 'output', data: { text: log.slice(sent) } }, String(log.length));
              sent = log.length;
            }
            if (!['deploying', 'verifying'].includes(deployment.status)) {
              stream.send({ event: 'done', data: { deployment } });
              break;
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
            deployment = await findDeployment(deps, String(deployment.id)).catch(() => deployment);
          }
          stream.end();
        })();
        return { streamed: true };
      },
    }),
  ];
}

async function findDeployment(deps: AppDeps, id: string): Promise<Deployment> {
  const deployment = await getDeployment(deps.store, pathId(id, 'deployment'));
  if (deployment === undefined) throw new UnderstudyError('E_NOT_FOUND', `no deployment ${id}`);
  return deployment;
}
