import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it); never a downloaded browser build. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots of the e2e runs: artefacts, not sources (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/e2e/', import.meta.url));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PortalBrowser {
  page: Page;
  context: BrowserContext;
  /** console errors, uncaught exceptions and CSP violations of the page so far */
  errors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile, its page on `baseUrl`, every console error and
 * uncaught exception collected (a test asserts the list is empty). Downloads are accepted.
 */
export async function openBrowser(baseUrl: string, viewport = { width: 1280, height: 860 }): Promise<PortalBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'ov2x-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, baseURL: baseUrl, viewport, acceptDownloads: true,
    // the portal's own clock decides idle sign-out: keep the page's timers real
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page, context, errors,
    async screenshot(name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
