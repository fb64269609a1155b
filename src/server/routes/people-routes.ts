/** Reservations, the audit log, people and tokens, and the live event stream. */
import { z } from 'zod';
import { addPerson, createCiToken, listPeople } from '../../access/people.js';
import { setPassword } from '../../access/sessions.js';
import { listAudit, verifyAudit } from '../../audit/audit-log.js';
import {
  checkEnvironment,
  defaultHold,
  maxHold,
  notifyMoves,
  releaseReservation,
  reservationBoard,
  reserve,
} from '../../coordination/reservations.js';
import { parseDuration } from '../../shared/duration.js';
import { UnderstudyError } from '../../shared/errors.js';
import { openEventStream } from '../events.js';
import { caller, route, totpField, type Route } from '../route.js';

const totp = totpField;
const grants = z
  .array(z.string())
  .describe('Role grants written ENV:ROLE, e.g. production:approver');

export function peopleRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/reservations',
      summary: 'Each environment: who holds it, who waits, what runs there',
      tag: 'reservations',
      access: 'signed-in',
      answers: { status: 200, description: '{environments: {env, running, holder, queue}[]}' },
      async handle({ deps }) {
        // A read changes nothing: the server's ticker moves the reservation queue.
        const { rows } = await reservationBoard(deps.store, deps.loaded.config, { move: false });
        return { body: { environments: rows, undelivered: [] } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/reservations',
      summary: 'Hold an environment for a while, or queue for it',
      tag: 'reservations',
      access: 'signed-in',
      body: z.strictObject({
        env: z.string(),
        for: z.string().optional().describe('A duration such as 30m or 2h'),
        reason: z.string().min(1).max(500),
        extend: z.boolean().optional(),
      }),
      answers: { status: 200, description: '{reservation, position, extended}' },
      async handle({ deps, body, identity }) {
        const config = deps.loaded.config;
        checkEnvironment(config, body.env);
        const durationMs = body.for === undefined ? defaultHold(config) : parseDuration(body.for);
        if (durationMs === undefined || durationMs <= 0)
          throw Object.assign(
            new UnderstudyError('E_INPUT', 'body.for: must be a duration such as 30m, 2h or 1h30m'),
            { path: 'body.for' },
          );
        const result = await reserve(
          deps.store,
          {
            env: body.env,
            holder: caller(identity).name,
            reason: body.reason,
            durationMs,
            extend: body.extend === true,
          },
          maxHold(config),
        );
        const undelivered = await notifyMoves(config, result.moves);
        return {
          body: {
            reservation: result.reservation,
            position: result.position,
            extended: result.extended,
            undelivered,
          },
        };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/reservations/{env}',
      summary: 'Give up your lease (or place in the queue); the next in line gets it',
      tag: 'reservations',
      access: 'signed-in',
      answers: { status: 200, description: '{released, granted}' },
      async handle({ deps, params, identity }) {
        const config = deps.loaded.config;
        const env = checkEnvironment(config, params.env ?? '');
        const { released, moves } = await releaseReservation(
          deps.store,
          env,
          caller(identity).name,
          maxHold(config),
        );
        const undelivered = await notifyMoves(config, moves);
        return { body: { released, granted: moves.granted, undelivered } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/audit',
      summary: 'Audit entries, oldest first within the page (the newest page by default)',
      tag: 'audit',
      access: 'signed-in',
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        after: z.coerce.number().int().min(0).optional(),
        action: z.string().optional(),
        actor: z.string().optional(),
      }),
      answers: { status: 200, description: '{entries}' },
      async handle({ deps, query }) {
        const entries = await listAudit(deps.store, {
          limit: query.limit ?? 100,
          ...(query.after === undefined ? { newest: true } : { after: query.after }),
          ...(query.action === undefined ? {} : { action: query.action }),
          ...(query.actor === undefined ? {} : { actor: query.actor }),
        });
        return { body: { entries } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/audit/verify',
      summary: 'Verify the whole audit chain: every entry hashes to the next, the head matches',
      tag: 'audit',
      access: 'signed-in',
      answers: { status: 200, description: 'The verdict: {ok, entries, …} or the first failure' },
      async handle({ deps }) {
        return { body: await verifyAudit(deps.store) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/people',
      summary: 'People and their roles',
      tag: 'access',
      access: 'signed-in',
      answers: { status: 200, description: '{people}' },
      async handle({ deps }) {
        return { body: { people: await listPeople(deps.store) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/people',
      summary: 'Add a person (an admin, with totp): their token and TOTP enrolment, shown once',
      tag: 'access',
      access: 'signed-in',
      body: z.strictObject({
        name: z.string(),
        roles: grants,
        password: z.string().max(1024).optional(),
        totp,
      }),
      answers: { status: 200, description: '{enrolment}' },
      async handle({ deps, body, identity }) {
        const enrolment = await addPerson(
          deps.store,
          {
            name: body.name,
            grants: body.roles,
            ...(body.password === undefined ? {} : { password: body.password }),
          },
          identity === undefined
            ? { fallbackActor: 'unknown' }
            : { identity, fallbackActor: identity.name },
        );
        return { body: { enrolment } };
      },
    }),
    route({
      method: 'PUT',
      path: '/api/v1/people/{name}/password',
      summary: 'Set a password: your own, or anyone’s as an admin; with totp',
      tag: 'access',
      access: 'signed-in',
      body: z.strictObject({ password: z.string().min(1).max(1024), totp }),
      answers: { status: 204, description: 'Set; the person’s sessions are ended' },
      async handle({ deps, body, params, identity }) {
        await setPassword(deps.store, params.name ?? '', body.password, identity);
        return { status: 204 };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/tokens',
      summary: 'Create a scoped CI token (an admin, with totp), shown once',
      tag: 'access',
      access: 'signed-in',
      body: z.strictObject({ name: z.string(), roles: grants, totp }),
      answers: { status: 200, description: '{name, scopes, token}' },
      async handle({ deps, body, identity }) {
        return {
          body: await createCiToken(deps.store, { name: body.name, grants: body.roles }, identity),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/events',
      summary: 'Live updates (server-sent events): change, job, output',
      tag: 'events',
      access: 'signed-in',
      answers: { status: 200, description: 'text/event-stream', type: 'text/event-stream' },
      handle({ deps, request, response }) {
        openEventStream(request, response, { hub: deps.events });
        return { streamed: true };
      },
    }),
  ];
}
