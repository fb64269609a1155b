/**
 * A webhook deploy without a status URL calls back: the deploy system gets the callback URL
 * (under server.publicUrl) and a one-time token in the webhook's payload, POSTs how the deploy
 * ended, and the promotion waiting in `serve` goes on — to verification, or to rollback.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson, type Enrolment } from '../../src/access/people.js';
import { freePort } from '../../src/postgres/local-server.js';
import type { RunningServer } from '../../src/server/serve.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { ApiClient, startTestServer } from './server-harness.js';

interface Payload {
  readonly version: string;
  readonly deployment: number;
  readonly callback: { readonly url: string; readonly token: string };
}

const body = async (request: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of request as AsyncIterable<Buffer>) text += chunk.toString();
  return text;
};

describe('a deploy webhook that calls back through understudy serve', () => {
  let server: RunningServer;
  let deploySystem: Server;
  let ana: Enrolment;
  const received: Payload[] = [];
  const callbacks: number[] = [];

  beforeAll(async () => {
    // The deploy system: takes the deploy, then reports back a moment later — v2 fails.
    deploySystem = createServer((request, response) => {
      void body(request).then((text) => {
        const payload = JSON.parse(text) as Payload;
        received.push(payload);
        response.writeHead(202).end();
        setTimeout(() => {
          const failed = payload.version === 'v2';
          void fetch(payload.callback.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${payload.callback.token}`,
            },
            body: JSON.stringify({
              status: failed ? 'failed' : 'succeeded',
              ...(failed ? { reason: 'the pods never became ready' } : {}),
              output: `rolled out ${payload.version} to 3 pods`,
            }),
          }).then((r) => callbacks.push(r.status));
        }, 300);
      });
    });
    await new Promise<void>((resolve) => deploySystem.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(deploySystem.address() as { port: number }).port}/deploy`;
    const port = await freePort();
    ({ server } = await startTestServer(
      `project: shop
environments:
  staging: { url: "http://127.0.0.1:9" }
release:
  stages: [staging]
  staging:
    deploy: { webhook: "${hook}", timeout: 20s }
server:
  listen: ${port}
  publicUrl: http://127.0.0.1:${port}
`,
      {},
      port,
    ));
    ana = await addPerson(server.store, { name: 'ana', grants: [] }, { fallbackActor: 'test' });
  });
  afterAll(async () => {
    await server?.close();
    deploySystem?.close();
  });

  const promote = async (version: string) => {
    const api = new ApiClient(server.url, ana.token);
    await api.call('POST', '/api/v1/releases', { version });
    const started = await api.call<{ job: { id: string } }>('POST', '/api/v1/promotions', {
      version,
      env: 'staging',
    });
    expect(started.status).toBe(202);
    let job: { status: string; result?: { outcome: string; reason: string }; output: string[] };
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await api.call<{ job: typeof job }>('GET', `/api/v1/jobs/${started.body.job.id}`)).body
        .job;
    } while (job.status === 'running');
    return job;
  };

  it('deploys when the callback says it succeeded, with the deploy system’s output in the log', async () => {
    const job = await promote('v1');
    expect(job.result).toMatchObject({ outcome: 'deployed' });
    expect(job.output.join('\n')).toContain('rolled out v1 to 3 pods');
    expect(received[0]?.callback.url).toBe(
      `${server.url}/api/v1/deployments/${received[0]?.deployment}/callback`,
    );
    expect(received[0]?.callback.token).toMatch(/^us_cb_/);
    expect(callbacks).toEqual([204]);
  });

  it('fails with the reason the callback gives, and takes each token once, for its deployment only', async () => {
    const job = await promote('v2');
    expect(job.result?.outcome).toBe('rolled-back');
    expect(job.result?.reason).toContain('the pods never became ready');
    const v2 = received.find((p) => p.version === 'v2')!;
    const again = await fetch(v2.callback.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${v2.callback.token}` },
      body: JSON.stringify({ status: 'succeeded' }),
    });
    expect(again.status).toBe(409);
    const forged = await fetch(v2.callback.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer us_cb_forged' },
      body: JSON.stringify({ status: 'succeeded' }),
    });
    expect(forged.status).toBe(401);
  });

  it('is refused before anything runs when server.publicUrl, where the callback goes, is not set', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: shop
environments:
  staging: { url: "http://127.0.0.1:9" }
release:
  stages: [staging]
  staging:
    deploy: { webhook: "http://127.0.0.1:9/deploy" }
`,
    );
    await runUnderstudy(['release', 'create', 'v1'], { cwd: dir });
    const run = await runUnderstudy(['promote', 'v1', '--to', 'staging'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('server.publicUrl');
  });
});
