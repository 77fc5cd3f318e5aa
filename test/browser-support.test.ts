import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactDir, launchBrowser, newPage } from './support/browser.js';

// The shared browser helper itself: Debian's Chromium starts headless with the closed-network
// flags, runs a page's script against a loopback server and writes a screenshot artifact.
describe('browser test support', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/count') return res.end('41');
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><main><button>count</button><output></output></main>
<script>document.querySelector('button').onclick = async () => {
  document.querySelector('output').textContent = Number(await (await fetch('/count')).text()) + 1;
};</script>`);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server.close(done));
  });

  it('clicks, sees the script answer, saves a screenshot', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(url);
    await page.getByRole('button', { name: 'count' }).click();
    await expect.poll(() => page.locator('output').textContent()).toBe('42');
    const file = join(artifactDir('browser-support'), 'page.png');
    await page.screenshot({ path: file });
    expect(existsSync(file)).toBe(true);
    await context.close();
  });
});
