/**
 * A real browser for the dashboard tests: Debian's Chromium, driven by playwright-core, headless.
 * When Chromium is missing and we may install packages (root with apt-get), it is installed from
 * Debian — never downloaded by a tool of its own. Screenshots go to test-artifacts/screenshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './test-server.js';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

export const screenshotDir = path.join(repoRoot, 'test-artifacts', 'screenshots');

/** The Chromium binary, installed from Debian's packages when missing (as root). */
export function findChromium(): string {
  const fromEnv = process.env.UNDERSTUDY_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv)) return fromEnv;
  const found = candidates.find((c) => existsSync(c));
  if (found !== undefined) return found;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = (): void => {
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
        env,
        stdio: 'ignore',
        timeout: 600_000,
      });
    };
    try {
      install();
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
      install();
    }
    const installed = candidates.find((c) => existsSync(c));
    if (installed !== undefined) return installed;
  }
  throw new Error(
    'no Chromium: install the Debian package chromium (apt-get install chromium), or set UNDERSTUDY_CHROMIUM',
  );
}

/** Launches headless Chromium the way CI can run it (no sandbox as root, no GPU, no network chatter). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
