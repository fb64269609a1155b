/**
 * `understudy serve` as its users meet it: sign in with a password, the session cookie and its
 * anti-forgery token, tokens for CI, a TOTP step-up for a protected approval, a promotion whose
 * deploy output streams live, the OpenAPI document covering every route, and the bad input the
 * issue names — wrong passwords (slowed), an expired session, a token without the scope, a change
 * without the CSRF token, malformed JSON, a client that leaves an event stream, a port in use.
 */
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  createCiToken,
  type Enrolment,
  type Identity,
} from '../../src/access/people.js';
import { setPassword } from '../../src/access/sessions.js';
import type { RunningServer } from '../../src/server/serve.js';
import { runUnderstudy } from '../harness/cli.js';
import { ApiClient, startTestServer, totpCode } from './server-harness.js';

const config = `project: shop
environments:
  staging: { url: "http://127.0.0.1:9" }
  production: { url: "http://127.0.0.1:9", protected: true }
release:
  stages: [staging, production]
  staging:
    deploy: { run: 'echo "deploying $VERSION to $ENV"; sleep 1; echo "$VERSION is up"' }
  production:
    approvals: 1
    deploy: { run: 'echo "deploying $VERSION"' }
`;

describe('understudy serve: the HTTP API', () => {
  let server: RunningServer;
  let dir: string;
  let ana: Enrolment;
  let bob: Enrolment;
  let ciToken: string;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    ({ server, dir } = await startTestServer(config));
    const store = server.store;
    // Setting up the people: proven identities stand in for codes (codes are tested below and
    // in test/release/access.test.ts), so the test needs no wait for TOTP time steps.
    const proven = (name: string, roles: Identity['roles']): Identity => ({
      kind: 'person',
      name,
      roles,
      auth: 'personal-token',
      secondFactor: true,
    });
    ana = await addPerson(store, { name: 'ana', grants: [] }, { fallbackActor: 'test' });
    const admin = proven('ana', { '*': ['admin'] });
    await setPassword(store, 'ana', password, admin);
    bob = await addPerson(
      store,
      { name: 'bob', grants: ['production:approver', '*:viewer'] },
      { identity: admin, fallbackActor: 'test' },
    );
    await setPassword(store, 'bob', 'a long and quiet evening', proven('bob', bob.person.roles));
    ciToken = (await createCiToken(store, { name: 'ci', grants: ['*:viewer'] }, admin)).token;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers /healthz and /metrics without signing in, with security headers on every answer', async () => {
    const client = new ApiClient(server.url);
    const health = await client.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', store: 'ok' });
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    const metrics = await client.call<string>('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain(
      'understudy_http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
    expect(metrics.body).toContain('understudy_event_stream_clients 0');
  });

  it('signs in with a password; a wrong name and a wrong password read the same, and guessing is slowed', async () => {
    const browser = new ApiClient(server.url);
    expect((await browser.call('GET', '/api/v1/overview')).status).toBe(401);
    const wrongPassword = await browser.signIn('bob', 'not the password at all');
    const wrongName = await browser.signIn('nobody', password);
    expect(wrongPassword.status).toBe(401);
    expect(wrongName.status).toBe(401);
    expect(wrongPassword.body).toEqual(wrongName.body);
    expect(JSON.stringify(wrongPassword.body)).toContain('wrong name or password');

    // After five failures for a name, the next attempt waits — even with the right password.
    for (let i = 0; i < 4; i += 1) await browser.signIn('bob', `guess number ${i}`);
    const slowed = await browser.signIn('bob', 'a long and quiet evening');
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(slowed.body).toMatchObject({ error: { code: 'E_RATE_LIMITED' } });

    const signedIn = await browser.signIn('ana', password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      name: 'ana',
      auth: 'password',
      roles: { '*': ['admin'] },
    });
    expect(signedIn.headers.get('set-cookie')).toMatch(
      /^understudy_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/,
    );
    const overview = await browser.call<{ environments: { name: string; protected: boolean }[] }>(
      'GET',
      '/api/v1/overview',
    );
    expect(overview.status).toBe(200);
    expect(overview.body.environments.map((e) => [e.name, e.protected])).toEqual([
      ['staging', false],
      ['production', true],
    ]);

    // Signing out ends the session: the cookie no longer works.
    const out = await browser.call('DELETE', '/api/v1/session');
    expect(out.status).toBe(204);
    expect((await browser.call('GET', '/api/v1/overview')).status).toBe(401);
  });

  it('refuses a change without the CSRF token, malformed JSON with the path of the problem, and an expired session', async () => {
    const browser = new ApiClient(server.url);
    await browser.signIn('ana', password);
    const forged = await browser.call(
      'POST',
      '/api/v1/releases',
      { version: 'v1' },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ error: { code: 'E_CSRF' } });

    const broken = await browser.call('POST', '/api/v1/releases', undefined, {
      raw: '{"version":',
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: { code: 'E_INPUT', path: 'body' } });
    const misfit = await browser.call('POST', '/api/v1/releases', { version: 'v1', commit: 12 });
    expect(misfit.status).toBe(400);
    expect(misfit.body).toMatchObject({ error: { code: 'E_INPUT', path: 'body.commit' } });
    const query = await browser.call('GET', '/api/v1/reports?limit=many');
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({ error: { path: 'query.limit' } });
    expect((await browser.call('GET', '/api/v1/no-such-thing')).status).toBe(404);

    await server.store.driver.query("UPDATE sessions SET expires_at = now() - interval '1 second'");
    const expired = await browser.call('GET', '/api/v1/overview');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      error: { code: 'E_AUTH', message: 'the session has expired' },
    });
  });

  it('lets CI act with a token, and refuses what the token is not scoped for', async () => {
    expect(ciToken).toMatch(/^us_ci_/);
    const ci = new ApiClient(server.url, ciToken);
    expect((await ci.call('GET', '/api/v1/releases')).status).toBe(200);
    const create = await ci.call('POST', '/api/v1/releases', { version: 'v9' });
    expect(create.status).toBe(409);
    expect(create.body).toMatchObject({
      error: { code: 'E_BLOCKED', message: expect.stringContaining('deployer') as string },
    });
    const bogus = new ApiClient(server.url, 'us_ci_not-a-real-token');
    expect((await bogus.call('GET', '/api/v1/releases')).status).toBe(401);
  });

  it('promotes with live deploy output, and approves a protected promotion only with a fresh TOTP code', async () => {
    const admin = new ApiClient(server.url, ana.token);
    expect((await admin.call('POST', '/api/v1/releases', { version: 'v1' })).status).toBe(200);

    const events = await fetch(`${server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${ana.token}` },
    });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const started = await admin.call<{ job: { id: string } }>('POST', '/api/v1/promotions', {
      version: 'v1',
      env: 'staging',
    });
    expect(started.status).toBe(202);
    const seen = await readEvents(events, (text) => text.includes('"status":"succeeded"'));
    expect(seen).toContain('deploying v1 to staging');
    expect(seen).toContain('v1 is up');
    const job = await admin.call<{ job: { status: string; result: { outcome: string } } }>(
      'GET',
      `/api/v1/jobs/${started.body.job.id}`,
    );
    expect(job.body.job).toMatchObject({ status: 'succeeded', result: { outcome: 'deployed' } });

    const deployments = await admin.call<{ deployments: { id: number }[] }>(
      'GET',
      '/api/v1/deployments?env=staging',
    );
    const id = deployments.body.deployments[0]?.id;
    const log = await fetch(`${server.url}/api/v1/deployments/${id}/log`, {
      headers: { authorization: `Bearer ${ana.token}` },
    });
    const logText = await readEvents(log, (text) => text.includes('event: done'));
    expect(logText).toContain('v1 is up');

    // Production needs bob's approval; without a code he is refused, with one it counts.
    const browser = new ApiClient(server.url);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the sign-in slow-down of the test above
    const signIn = await browser.signIn('bob', 'a long and quiet evening');
    if (signIn.status === 429) return expect.fail('bob is still slowed down');
    const release = await browser.call<{
      stages: { env: string; gates: { gate: string; status: string }[] }[];
    }>('GET', '/api/v1/releases/v1');
    const production = release.body.stages.find((s) => s.env === 'production');
    expect(production?.gates.find((g) => g.gate === 'approvals')?.status).toBe('pending');
    const noCode = await browser.call('POST', '/api/v1/approvals', {
      version: 'v1',
      env: 'production',
      decision: 'approve',
    });
    expect(noCode.status).toBe(409);
    expect(JSON.stringify(noCode.body)).toContain('second factor');
    const approved = await browser.call('POST', '/api/v1/approvals', {
      version: 'v1',
      env: 'production',
      decision: 'approve',
      totp: totpCode(bob.totpSecret),
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ decision: { approver: 'bob', decision: 'approve' } });

    const audit = await admin.call<{ ok: boolean }>('GET', '/api/v1/audit/verify');
    expect(audit.body.ok).toBe(true);
  });

  it('answers malformed requests with a 4xx and keeps serving', async () => {
    const raw = (line: string) =>
      new Promise<string>((resolve) => {
        const url = new URL(server.url);
        const socket = connect(Number(url.port), url.hostname, () =>
          socket.end(`${line}\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
    expect(await raw('GET //[ HTTP/1.1')).toMatch(/^HTTP\/1\.1 400/);
    const admin = new ApiClient(server.url, ana.token);
    expect((await admin.call('GET', '/api/v1/releases/%E0')).status).toBe(400);
    const huge = await admin.call('GET', '/api/v1/reports/1e21');
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({ error: { code: 'E_INPUT' } });
    expect((await admin.call('HEAD', '/api/v1/events')).status).toBe(405);
    expect((await admin.call('GET', '/healthz')).status).toBe(200);
  });

  it('slows down guessing of TOTP codes with a stolen session', async () => {
    const thief = new ApiClient(server.url);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await thief.signIn('ana', password)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const guess = await thief.call('POST', '/api/v1/approvals', {
        version: 'v1',
        env: 'production',
        decision: 'approve',
        totp: String(100000 + i),
      });
      statuses.push(guess.status);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses[5]).toBe(429);
  });

  it('changes nothing on a read: the server itself ends a lease past its time', async () => {
    const admin = new ApiClient(server.url, ana.token);
    const held = await admin.call('POST', '/api/v1/reservations', {
      env: 'staging',
      for: '1s',
      reason: 'a quick look',
    });
    expect(held.body).toMatchObject({ reservation: { status: 'held' } });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const expiries = async () =>
      (await admin.call<{ entries: unknown[] }>('GET', '/api/v1/audit?action=reservation.expired'))
        .body.entries.length;
    expect((await admin.call('GET', '/api/v1/reservations')).status).toBe(200);
    expect((await admin.call('GET', '/api/v1/overview')).status).toBe(200);
    expect(await expiries()).toBe(0);
    await expect.poll(expiries, { timeout: 10_000, interval: 500 }).toBe(1);
  });

  it('drops an event-stream client that goes away, keeping nothing behind', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${ana.token}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const metrics = async () =>
      (await new ApiClient(server.url).call<string>('GET', '/metrics')).body;
    expect(await metrics()).toContain('understudy_event_stream_clients 1');
    controller.abort();
    await expect.poll(metrics, { timeout: 5000 }).toContain('understudy_event_stream_clients 0');
  });

  it('documents every route in the OpenAPI document it serves, and serves only documented routes', async () => {
    const client = new ApiClient(server.url);
    const doc = await client.call<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>('GET', '/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.body.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const served = server.app.routes.map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(served.sort());
    for (const op of [
      'POST /api/v1/session',
      'GET /api/v1/overview',
      'POST /api/v1/promotions',
      'POST /api/v1/approvals',
      'GET /api/v1/events',
      'GET /metrics',
      'GET /healthz',
    ])
      expect(documented).toContain(op);
    // Each documented operation is answered by a route (never "no route"), signed in or not.
    for (const op of documented) {
      const [method = 'GET', template = '/'] = op.split(' ');
      if (template.endsWith('/events') || template.endsWith('/log')) continue;
      const url = template.replace(/\{[^}]+\}/g, 'x');
      const answer = await client.call(method, url, method === 'GET' ? undefined : {});
      expect(JSON.stringify(answer.body), op).not.toContain('no route');
    }
    const body = doc.body.paths['/api/v1/approvals']?.post as {
      requestBody: {
        content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
      };
    };
    expect(Object.keys(body.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['version', 'env', 'decision', 'totp']),
    );
  });

  it('refuses to start on a port in use, with a clear message and exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const run = await runUnderstudy(['serve', '--port', String(port)], { cwd: dir });
    blocker.close();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`127.0.0.1:${port} is already in use`);
  });
});

/** Reads an event stream until `done` says so (or 15 s), then closes it; returns the text. */
async function readEvents(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 15_000;
  while (!done(text) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), deadline - Date.now()),
      ),
    ]);
    if (chunk === undefined || chunk.done) break;
    text += decoder.decode(chunk.value);
  }
  await reader.cancel();
  return text;
}

describe('understudy serve with server.metricsToken', () => {
  it('answers /metrics only with that token', async () => {
    const token = 'scrape-me-with-this-long-token';
    const { server } = await startTestServer(
      `project: shop\nenvironments:\n  staging: { url: "http://127.0.0.1:9" }\nserver:\n  metricsToken: \${METRICS_TOKEN}\n`,
      { METRICS_TOKEN: token },
    );
    try {
      expect((await new ApiClient(server.url).call('GET', '/metrics')).status).toBe(401);
      expect(
        (await new ApiClient(server.url, 'wrong-token-entirely').call('GET', '/metrics')).status,
      ).toBe(401);
      const scraped = await new ApiClient(server.url, token).call<string>('GET', '/metrics');
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('understudy_http_requests_total');
    } finally {
      await server.close();
    }
  });
});

describe('understudy serve behind a reverse proxy (server.trustProxy)', () => {
  it('counts failed sign-ins per client address from X-Forwarded-For', async () => {
    const { server } = await startTestServer(
      `project: shop\nenvironments:\n  staging: { url: "http://127.0.0.1:9" }\nserver:\n  trustProxy: true\n`,
    );
    const attempt = async (name: string, client: string) =>
      (
        await fetch(`${server.url}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.1, ${client}` },
          body: JSON.stringify({ name, password: 'no such password here' }),
        })
      ).status;
    try {
      // Twenty failures from one client (each under its own name), then that client waits…
      for (let i = 0; i < 20; i += 1) expect(await attempt(`guess${i}`, '203.0.113.9')).toBe(401);
      expect(await attempt('guess20', '203.0.113.9')).toBe(429);
      // …while another client behind the same proxy is not held back.
      expect(await attempt('someone', '203.0.113.10')).toBe(401);
    } finally {
      await server.close();
    }
  });
});
