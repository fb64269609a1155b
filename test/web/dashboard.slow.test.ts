/**
 * The dashboard in a real browser (Debian's Chromium, headless, driven by playwright-core) over
 * the demo's world — real PostgreSQL servers, the sample shop, recorded traffic, the story's
 * reports and releases — through the flows people use: sign in, read the environments, open a
 * replay report, approve a release with a TOTP code, watch a promotion deploy. Each page is saved
 * as a screenshot in test-artifacts/screenshots.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoWorld } from '../../src/demo/demo-world.js';
import { startDemoWorld } from '../../src/demo/demo-world.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { launchBrowser, screenshot } from '../harness/browser.js';

describe('the dashboard, in Chromium, over the demo world', () => {
  let world: DemoWorld;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    world = await startDemoWorld({ log: () => undefined, requests: 300 });
    server = await startServer({
      configFile: world.configFile,
      cwd: world.dir,
      env: {
        ...process.env,
        ...world.env,
        UNDERSTUDY_TOKEN: undefined,
        UNDERSTUDY_TOTP: undefined,
      },
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await world?.close();
  }, 60_000);

  const person = (name: string) => {
    const found = world.people.find((p) => p.name === name);
    if (found === undefined) throw new Error(`the demo has no ${name}`);
    return found;
  };
  const open = async (hash: string, heading: string | RegExp) => {
    await page.goto(`${server.url}/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const signIn = async (name: string, password: string) => {
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('signs in, refusing a wrong password without saying which part was wrong', async () => {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn('approver', 'not-the-password');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('wrong name or password');
    await screenshot(page, '01-sign-in-refused');
    await signIn('approver', person('approver').password);
    await page.getByRole('heading', { level: 1, name: 'Environments' }).waitFor();
    expect(await page.getByText('Signed in as').textContent()).toContain('approver');
  });

  it('shows every environment at a glance: parity, what runs, data age, who holds staging', async () => {
    const main = page.getByRole('main');
    await expect.poll(() => main.textContent()).toContain('approver');
    const text = (await main.textContent()) ?? '';
    expect(text).toContain('staging');
    expect(text).toContain('production');
    expect(text).toMatch(/\d+(\.\d)? %/); // parity scores
    expect(text).toContain('v2'); // staging runs v2
    expect(text).toContain('v1'); // production runs v1
    expect(text).toContain('looking into the v2 replay regression');
    expect(await page.getByRole('img', { name: /parity/i }).count()).toBeGreaterThan(0);
    await screenshot(page, '02-environments');
  });

  it('shows parity reports with the drift and the allowance that explains a difference', async () => {
    await open('#/parity', 'Parity');
    await page
      .getByRole('link', { name: /report/i })
      .first()
      .click();
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toContain('orders_customer_id_idx');
    expect(await page.getByRole('main').textContent()).toContain('LOG_LEVEL');
    await screenshot(page, '03-parity-report');
  });

  it('shows the masked sync with its tables and verification', async () => {
    await open('#/data', 'Data');
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toMatch(/production\s*→\s*staging|staging/);
    await page.getByRole('link', { name: /sync/i }).first().click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('customers');
    expect(await page.getByRole('main').textContent()).toContain('email');
    await screenshot(page, '04-data-sync');
  });

  it('opens a replay report: the regression side by side, and latency by route', async () => {
    await open('#/traffic', 'Traffic');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('capture-');
    await screenshot(page, '05-traffic');
    // The failing replay (v2 on staging) is the newest.
    await page
      .getByRole('link', { name: /Replay/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Regressions' }).waitFor();
    const main = page.getByRole('main');
    await expect.poll(() => main.textContent()).toContain('GET /orders/{id}');
    expect(await main.textContent()).toContain('$.total');
    await page.getByRole('heading', { name: 'Latency by route' }).waitFor();
    expect(await page.getByRole('img', { name: /latency/i }).count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Regressions' }).scrollIntoViewIfNeeded();
    await screenshot(page, '06-replay-report');
  });

  it('approves a release for production with a TOTP code', async () => {
    await open('#/releases', 'Releases');
    await page.getByRole('link', { name: 'v2', exact: true }).click();
    await page.getByRole('list', { name: 'Pipeline' }).waitFor();
    await page
      .getByRole('button', { name: /production/ })
      .first()
      .click();
    const gates = page.getByRole('heading', { name: /Gates for production/ });
    await gates.waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('0 of 2 approvals');

    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('TOTP code').fill('000000');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/wrong, expired or already used/);
    await dialog.getByLabel('TOTP code').fill(await world.totpCode('approver'));
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByRole('main').textContent(), { timeout: 10_000 })
      .toContain('You approved v2 for production');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('1 of 2 approvals');
    await screenshot(page, '07-release-approved');
  });

  it('shows reservations, and lets the holder give staging back', async () => {
    await open('#/reservations', 'Reservations');
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toContain('looking into the v2 replay regression');
    await screenshot(page, '08-reservations');
    await page.getByRole('button', { name: 'Release staging' }).click();
    await expect
      .poll(() => page.getByRole('main').textContent())
      .not.toContain('looking into the v2 replay regression');
  });

  it('promotes a release and shows its deploy log live, then the outcome', async () => {
    page.setDefaultTimeout(10_000);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn('admin', person('admin').password);
    // Signing in again returns to the page that was open.
    await page.getByRole('heading', { level: 1, name: 'Reservations' }).waitFor();
    expect(await page.getByText('Signed in as').textContent()).toContain('admin');
    try {
      await open('#/releases/v1', /v1/);
      await page
        .getByRole('button', { name: /staging/ })
        .first()
        .click();
      await page.getByRole('heading', { name: /Gates for staging/ }).waitFor();
      await page.getByRole('button', { name: 'Promote' }).click();
      await page.getByRole('heading', { name: /Deploy log/ }).waitFor();
      await page.locator('.outcome .notice').waitFor({ timeout: 60_000 });
    } catch (error) {
      await screenshot(page, '09-deploy-log-failed');
      throw error;
    }
    const outcome = await page.locator('.outcome').textContent();
    expect(outcome).toContain('deployed and verified');
    // The deploy command's own output, streamed as it ran.
    const log = await page.getByRole('log', { name: 'Deploy log' }).textContent();
    expect(log).toMatch(/v1/);
    expect(log).not.toContain('No output');
    await screenshot(page, '09-deploy-log');

    // v1 runs in staging now: rolling back deploys the version that ran there before (v2).
    await page.getByRole('button', { name: 'Roll back' }).click();
    await expect
      .poll(() => page.locator('.outcome').textContent(), { timeout: 60_000 })
      .toContain('rolled-back');
    expect(await page.locator('.outcome').textContent()).toContain('v2');
  }, 120_000);

  it('adds a person with a TOTP code, showing their token and enrolment QR once', async () => {
    await open('#/people', 'People');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('approver');
    await page.getByLabel('Name', { exact: true }).fill('carol');
    await page.getByLabel('Roles').first().fill('staging:deployer');
    await page.getByRole('button', { name: 'Add person' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('TOTP code').fill(await world.totpCode('admin'));
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('heading', { name: 'carol is added' }).waitFor();
    expect(await page.getByRole('main').textContent()).toMatch(/us_pat_[\w-]+/);
    await page.getByRole('img', { name: /TOTP enrolment QR code for carol/ }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('staging:deployer');
    await screenshot(page, '11-people');
  });

  it('is usable from the keyboard, with every field labelled', async () => {
    await open('#/reservations', 'Reservations');
    // Every form field has an accessible name.
    const unlabelled = await page.evaluate<string[]>(`
      [...document.querySelectorAll('input, select, textarea')]
        .filter((f) => f.type !== 'hidden' && f.labels.length === 0 &&
          !f.getAttribute('aria-label') && !f.getAttribute('aria-labelledby'))
        .map((f) => f.outerHTML)
    `);
    expect(unlabelled).toEqual([]);
    // From the top of the page: the skip link first, then the navigation, followed with Enter.
    const focused = () =>
      page.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Reservations' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toContain('Skip to content');
    let reached = '';
    for (let i = 0; i < 8 && reached !== 'Audit'; i += 1) {
      await page.keyboard.press('Tab');
      reached = await focused();
    }
    expect(reached).toBe('Audit');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
  });

  it('shows the audit log with its verification', async () => {
    await open('#/audit', 'Audit');
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toMatch(/Chain verified: \d+ entries/);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('deploy.succeeded');
    const text = (await page.getByRole('main').textContent()) ?? '';
    expect(text).toContain('approval.approve');
    expect(text).toContain('reservation.release');
    await screenshot(page, '10-audit');
    // Filtered by action: only those entries.
    await page.getByLabel('Action').fill('deploy.succeeded');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toMatch(/\d+ matching entr/);
    const actions = await page.locator('.audit-table tbody tr td:nth-child(4)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['deploy.succeeded']));
  });
});
