/**
 * Break-glass from the dashboard, in Chromium: production is frozen; an admin asks to deploy
 * through the freeze (reason and TOTP code), a second person agrees (their own code), and the
 * admin's next attempt deploys — once.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson, type Enrolment, type Identity } from '../../src/access/people.js';
import type { RunningServer } from '../../src/server/serve.js';
import { launchBrowser, screenshot } from '../harness/browser.js';
import { ApiClient, startTestServer, totpCode } from '../server/server-harness.js';

const deploy = `echo "deploying $VERSION to $ENV"`;

describe('break-glass in the dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let ana: Enrolment;
  let bob: Enrolment;

  beforeAll(async () => {
    ({ server } = await startTestServer(`project: shop
environments:
  staging: { url: "http://127.0.0.1:9" }
  production: { url: "http://127.0.0.1:9", protected: true }
release:
  stages: [staging, production]
  staging: { deploy: { run: '${deploy}' } }
  production:
    freeze: [{ from: "2020-01-01T00:00:00Z", until: "2099-01-01T00:00:00Z", reason: "the big freeze" }]
    deploy: { run: '${deploy}' }
`));
    const store = server.store;
    ana = await addPerson(
      store,
      { name: 'ana', grants: [], password: 'first of the admins here' },
      { fallbackActor: 'test' },
    );
    // Set-up stands in for ana's code; the codes of the flow itself are real.
    const admin: Identity = {
      kind: 'person',
      name: 'ana',
      roles: ana.person.roles,
      auth: 'personal-token',
      secondFactor: true,
    };
    bob = await addPerson(
      store,
      { name: 'bob', grants: ['production:approver'], password: 'second person to agree' },
      { identity: admin, fallbackActor: 'test' },
    );
    const api = new ApiClient(server.url, ana.token);
    await api.call('POST', '/api/v1/releases', { version: 'v1' });
    const staging = await api.call<{ job: { id: string } }>('POST', '/api/v1/promotions', {
      version: 'v1',
      env: 'staging',
    });
    for (let waited = 0; ; waited += 200) {
      const { job } = (
        await api.call<{ job: { status: string } }>('GET', `/api/v1/jobs/${staging.body.job.id}`)
      ).body;
      if (job.status !== 'running') {
        if (job.status !== 'succeeded') throw new Error(`v1 did not reach staging: ${job.status}`);
        break;
      }
      if (waited > 20_000) throw new Error('v1 took too long to reach staging');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.setDefaultTimeout(15_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signInAndOpen = async (name: string, password: string) => {
    await page.goto(`${server.url}/#/releases/v1`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Pipeline' }).waitFor();
    await page
      .getByRole('button', { name: /production/ })
      .first()
      .click();
    await page.getByRole('heading', { name: /Gates for production/ }).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  };
  const breakGlass = async (code: string) => {
    await page.getByRole('button', { name: 'Break glass', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('TOTP code').fill(code);
    await dialog.getByLabel(/Reason/).fill('the checkout is down');
    await dialog.getByRole('button', { name: 'Break glass', exact: true }).click();
  };

  it('asks, is agreed to by a second person, and then deploys through the freeze', async () => {
    await signInAndOpen('ana', 'first of the admins here');
    expect(await page.getByRole('main').textContent()).toContain('the big freeze');
    await breakGlass(totpCode(ana.totpSecret));
    await expect
      .poll(() => page.locator('.outcome').textContent(), { timeout: 20_000 })
      .toContain('a second person must agree');
    await screenshot(page, 'break-glass-1-asked');
    await signOut();

    await signInAndOpen('bob', 'second person to agree');
    await page.getByRole('button', { name: 'Agree to break glass' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('TOTP code').fill(totpCode(bob.totpSecret));
    await dialog.getByRole('button', { name: 'Agree to break glass' }).click();
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toContain('You agreed to break the glass for v1 in production');
    await screenshot(page, 'break-glass-2-agreed');
    await signOut();

    await signInAndOpen('ana', 'first of the admins here');
    await breakGlass(totpCode(ana.totpSecret, 1));
    await expect
      .poll(() => page.locator('.outcome').textContent(), { timeout: 30_000 })
      .toContain('deployed');
    const log = await page.getByRole('log', { name: 'Deploy log' }).textContent();
    expect(log).toContain('deploying v1 to production');
    await screenshot(page, 'break-glass-3-deployed');

    const audit = await new ApiClient(server.url, ana.token).call<{
      entries: { action: string }[];
    }>('GET', '/api/v1/audit?limit=200');
    const actions = audit.body.entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['override.requested', 'override.approved', 'override.used']),
    );
  }, 120_000);
});
