/**
 * Real headless Chromium for browser tests and benchmarks (the console's, the fleet HTML
 * report's): Debian's `chromium` package driven by playwright-core, never a browser that a test
 * tool downloads. `.ci/run` installs the package when it is missing. Tests import it through
 * `test/support/browser.ts`; it lives here so the compiled benchmarks (`dist/scripts/bench`) can
 * use it too.
 *
 * Flags as the machine notes say (docs/console.md "Browser tests"): without the
 * background-networking flags Chromium keeps trying hosts this closed network refuses. Playwright's
 * `launch` gives every browser a fresh, empty `--user-data-dir` of its own and removes it on close.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The Chromium binary: `CELLGATE_CHROMIUM` or Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const path = process.env.CELLGATE_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install Debian's chromium (apt-get install chromium; .ci/run does) or set CELLGATE_CHROMIUM`);
  }
  return path;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium; close it in `afterAll`. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
}

/** A new context with a fixed viewport (screenshots comparable between runs) and its first page. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Directory for a suite's artifacts (screenshots), `test-artifacts/<suite>/` at the project root,
 * gitignored; `CELLGATE_TEST_ARTIFACTS` moves the root (CI can keep it).
 */
export function artifactDir(suite: string): string {
  const root = process.env.CELLGATE_TEST_ARTIFACTS ?? resolve(projectRoot(), 'test-artifacts');
  const dir = join(root, suite);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The checkout's root, from `scripts/` or from `dist/scripts/`. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
