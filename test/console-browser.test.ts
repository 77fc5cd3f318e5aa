/**
 * The web console in real headless Chromium (Debian's package, test/support/browser.ts) against
 * the real stack: platform (SQLite, HTTP, embedded MQTT broker), a simulated modem whose network
 * side is the platform, and the real agent linked over MQTT, all over real sockets on loopback.
 * A person's path through it: a wrong password refused, log in, find a SIM, suspend it and see
 * its device go offline, a refusal in words, reactivate and send a reconnect, issue a Ready
 * transfer and accept it as the other operator, a statement with its chart, a SAM user who sees
 * no payment, and the virtual clock. Screenshots land in test-artifacts/console/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { ApiClient } from '../cli/stack-provision.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { findConsoleDir } from '../platform/http/routes/console-routes.js';
import { artifactDir, launchBrowser, newPage } from './support/browser.js';
import { startEsimStack, type EsimStack } from './support/esim-stack.js';
import { until, untilOnline } from './support/process-stack.js';
import { startStack, type Stack } from './support/stack-harness.js';

/** The console is built by `npm run build` (`npm test` does); say so rather than skip. */
function requireBuiltConsole(): void {
  if (findConsoleDir() === null) throw new Error('dist/console is missing: run `npm run build` first (`npm test` does)');
}
const SHOTS = artifactDir('console');
const WAIT = 20_000;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Operator B: the destination of the transfer. */
let other: { email: string; password: string; operatorId: string };
/** A ready SIM of operator A that never attached: what a Ready transfer moves. */
let spareImsi: string;
const sam = { userName: 'support-desk', password: 'sam-user-password-1' };
/** Every URL the main tab requested. */
const requested: string[] = [];


async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function logIn(credentials: { email: string; password: string } | { operatorId: string; userName: string; password: string }, p: Page = page): Promise<void> {
  const page = p;
  await page.goto(`${stack.platform.url}/console/`);
  // A fresh start: whoever was logged in before (a failed step) is forgotten.
  await page.evaluate('sessionStorage.clear()');
  await page.reload();
  if ('email' in credentials) {
    await page.getByLabel('Root user', { exact: true }).check();
    await page.getByLabel('Email', { exact: true }).fill(credentials.email);
  } else {
    await page.getByLabel('SAM user', { exact: true }).check();
    await page.getByLabel('Operator ID', { exact: true }).fill(credentials.operatorId);
    await page.getByLabel('User name', { exact: true }).fill(credentials.userName);
  }
  await page.getByLabel('Password', { exact: true }).fill(credentials.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** axe-core's WCAG 2 A and AA violations on the page as it is, `rule selector` each. */
async function axeViolations(p: Page): Promise<string[]> {
  await p.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return p.evaluate<string[]>(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }).then((r) => r.violations.flatMap((v) => v.nodes.map((n) => v.id + ' ' + n.target.join(' '))))",
  );
}

async function logOut(): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
}

describe('the console in a real browser', () => {
  beforeAll(async () => {
    requireBuiltConsole();
    stack = await startStack();
    stack.agent.start();
    await untilOnline(stack.api, stack.gateway, WAIT);
    const api = stack.api;
    // A second SIM of A, registered but never attached (ready): the one to transfer.
    const created = await api.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
    await api.call('POST', `/v1/subscribers/${created.imsi}/register`, { registrationSecret: created.registrationSecret });
    await api.call('PUT', `/v1/subscribers/${created.imsi}/tags`, [{ tagName: 'name', tagValue: 'spare-sim' }]);
    spareImsi = created.imsi;
    await api.call('PUT', `/v1/subscribers/${stack.gateway.imsi}/tags`, [{ tagName: 'name', tagValue: 'pump-station-7' }]);
    // The gateway's SIM in a group with a name: the console shows the name, not the id.
    const group = await api.call<{ groupId: string }>('POST', '/v1/groups', { tags: { name: 'pumping-stations' } });
    await api.call('POST', `/v1/subscribers/${stack.gateway.imsi}/set_group`, { groupId: group.groupId });
    // Usage on the gateway's SIM so the open month has data charges on the chart.
    const now = Math.floor(stack.platform.app.ctx.clock.now() / 1000);
    await api.call('POST', `/v1/sandbox/stats/air/subscribers/${stack.gateway.imsi}`, {
      unixtime: now - 60,
      dataTrafficStatsMap: { 's1.standard': { uploadByteSizeTotal: 40_000_000, downloadByteSizeTotal: 80_000_000, uploadPacketSizeTotal: 1, downloadPacketSizeTotal: 1 } },
    });
    // A SAM user of A who may look at SIMs and devices, suspend and activate (and follow live events).
    await api.call('POST', `/v1/operators/${stack.operator.operatorId}/users/${sam.userName}`, {});
    await api.call('POST', `/v1/operators/${stack.operator.operatorId}/users/${sam.userName}/password`, { password: sam.password });
    await api.call('PUT', `/v1/operators/${stack.operator.operatorId}/users/${sam.userName}/permission`, {
      permission: JSON.stringify({
        statements: [
          {
            effect: 'allow',
            api: [
              'Subscriber:listSubscribers',
              'Subscriber:getSubscriber',
              'Subscriber:listSessionEvents',
              'Subscriber:listCellgateSubscriberStatusHistory',
              'Subscriber:suspendSubscriber',
              'Subscriber:activateSubscriber',
              'Device:*',
              'Group:listGroups',
              'Billing:*',
              'Cellgate:streamCellgateEvents',
            ],
          },
        ],
      }),
    });
    // Operator B (with the sandbox's test card, so it may accept a transfer).
    const b = { email: `dest-${process.pid}@example.com`, password: 'destination-password' };
    const init = await new ApiClient(stack.platform.url).call<{ operatorId: string }>('POST', '/v1/sandbox/init', b);
    other = { ...b, operatorId: init.operatorId };

    browser = await launchBrowser();
    ({ context, page } = await newPage(browser));
    page.on('request', (request) => requested.push(request.url()));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  it('refuses a wrong password in words and keeps the user on the login page', async () => {
    await logIn({ email: stack.operator.email, password: 'not-the-password' });
    await page.getByRole('alert').filter({ hasText: 'Login refused: Authentication failed: wrong credentials. (AUM0004)' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Log in' }).isVisible()).toBe(true);
    await shot('login-refused');
  });

  it('logs in as root, lists the SIMs with their session state, and finds one by IMSI', async () => {
    await logIn(stack.operator);
    const row = page.locator(`tr[data-imsi="${stack.gateway.imsi}"]`);
    await row.getByText('Online').waitFor();
    expect(await row.innerText()).toContain('pump-station-7');
    expect(await row.innerText()).toContain(stack.gateway.imei);
    expect(await page.locator(`tr[data-imsi="${spareImsi}"]`).getByText('ready').isVisible()).toBe(true);
    await page.getByText('Live', { exact: true }).waitFor();
    // The token is in sessionStorage and headers, never in the address bar.
    const session = await page.evaluate<string | null>("sessionStorage.getItem('cellgate.console.session')");
    expect(page.url()).not.toContain(JSON.parse(session!).token);
    await shot('sims');

    await row.getByText('pumping-stations').waitFor();
    // Filters as listSubscribers offers them: several statuses, a serial number prefix.
    const filters = page.getByRole('form', { name: 'Filter SIMs' });
    await filters.getByRole('group', { name: /^Status/ }).getByLabel('ready', { exact: true }).check();
    await filters.getByRole('group', { name: /^Status/ }).getByLabel('suspended', { exact: true }).check();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await row.waitFor({ state: 'detached' });
    expect(page.url()).toContain('status=ready%7Csuspended');
    expect(await page.locator('tr[data-imsi]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-imsi')))).toEqual([spareImsi]);
    await filters.getByRole('link', { name: 'Clear' }).click();
    await row.waitFor();
    const { serialNumber } = await stack.api.call<{ serialNumber: string }>('GET', `/v1/subscribers/${stack.gateway.imsi}`);
    await filters.getByLabel('Serial number starts with', { exact: true }).fill(`${serialNumber.slice(0, -2)}|XX`);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator(`tr[data-imsi="${spareImsi}"]`).waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-imsi]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-imsi')))).toEqual([stack.gateway.imsi]);
    await filters.getByRole('link', { name: 'Clear' }).click();
    await page.locator(`tr[data-imsi="${spareImsi}"]`).waitFor();
    // "Open SIM" finds a SIM by its SIM ID (the Sim API) as well as by IMSI.
    const { simId } = await stack.api.call<{ simId: string }>('GET', `/v1/subscribers/${spareImsi}`);
    await page.getByLabel('IMSI or SIM ID', { exact: true }).fill(simId);
    await page.getByRole('button', { name: 'Open SIM' }).click();
    await page.getByRole('heading', { name: `SIM ${spareImsi} · spare-sim` }).waitFor();
    await page.getByRole('link', { name: 'SIMs', exact: true }).click();
    await page.getByLabel('IMSI or SIM ID', { exact: true }).fill('8900000000000000000');
    await page.getByRole('button', { name: 'Open SIM' }).click();
    await page.getByRole('alert').filter({ hasText: 'No SIM 8900000000000000000:' }).waitFor();
    await page.getByLabel('IMSI or SIM ID', { exact: true }).fill(stack.gateway.imsi);
    await page.getByRole('button', { name: 'Open SIM' }).click();
    await page.getByRole('heading', { name: `SIM ${stack.gateway.imsi} · pump-station-7` }).waitFor();
    await page.getByRole('region', { name: 'Overview' }).getByText('pumping-stations', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Status history' }).getByText('active').first().waitFor();
    await page.getByRole('table', { name: 'Session events' }).getByText('Created').first().waitFor();
  }, 60_000);

  it('suspends the SIM: status and session change live, the device goes offline; a refusal is shown in words', async () => {
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Suspend' }).waitFor();
    const overview = page.getByRole('region', { name: 'Overview' });
    await overview.getByText('suspended').waitFor();
    await overview.getByText('Offline').waitFor();
    await page.getByRole('table', { name: 'Session events' }).getByText('Deleted').first().waitFor();

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Terminate', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Terminate refused:' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/\(SEM\d{4}\)/);
    await shot('sim-detail');

    // The SIM list shows it offline, and the device's own report says its data session is down.
    await page.getByRole('link', { name: 'SIMs', exact: true }).click();
    await page.locator(`tr[data-imsi="${stack.gateway.imsi}"]`).getByText('Offline').waitFor();
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.getByRole('link', { name: stack.gateway.deviceId }).click();
    await until(
      async () => {
        await page.reload();
        const facts = page.getByRole('region', { name: 'Last status report' });
        await facts.waitFor();
        return /Data session\s*(down|connecting)/.test(await facts.innerText());
      },
      WAIT,
      'the device reporting its data session down',
    );
  }, 60_000);

  it('reactivates the SIM, sends a reconnect from the device page, and another tab sees it online without a reload', async () => {
    await page.goto(`${stack.platform.url}/console/#/sims/${stack.gateway.imsi}`);
    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('region', { name: 'Overview' }).getByText('active').waitFor();
    // This tab stays on the SIM list from now on: only the live events can change what it shows.
    await page.getByRole('link', { name: 'SIMs', exact: true }).click();
    const row = page.locator(`tr[data-imsi="${stack.gateway.imsi}"]`);
    await row.getByText('Offline').waitFor();
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    const { page: second } = { page: await context.newPage() };
    await logIn(stack.operator, second);
    await second.getByRole('heading', { name: 'SIMs' }).waitFor();
    await second.goto(`${stack.platform.url}/console/#/devices/${stack.gateway.deviceId}`);
    const events = second.getByRole('table', { name: 'Device events' });
    await events.getByText('session.online').first().waitFor();
    await second.getByLabel('Command', { exact: true }).selectOption('reconnect');
    await second.getByRole('button', { name: 'Send command' }).click();
    const result = second.getByTestId('command-result');
    await result.waitFor({ timeout: 40_000 });
    expect(await result.innerText()).toMatch(/^Reconnect: ok/);
    // The device's new session.online event arrives on the open page (SSE), no reload.
    await events.getByText('session.reconnected').waitFor();
    const report = second.getByRole('region', { name: 'Last status report' });
    await report.getByText(/^up APN/).waitFor();
    expect(await report.innerText()).toMatch(/Reconnects\s+1\b/);
    await second.screenshot({ path: join(SHOTS, 'device.png'), fullPage: true });

    // Set APN with PAP credentials: the device's answer in words, the password nowhere on the page.
    const apn = (await report.innerText()).match(/up APN (\S+)/)![1]!;
    await second.getByLabel('Command', { exact: true }).selectOption('set-apn');
    await second.getByLabel('APN', { exact: true }).fill(apn);
    await second.getByLabel('Authentication', { exact: true }).selectOption('pap');
    await second.getByLabel('APN user name', { exact: true }).fill('sora');
    await second.getByLabel('APN password', { exact: true }).fill('apn-secret-7');
    await second.getByRole('button', { name: 'Send command' }).click();
    await result.filter({ hasText: /^Set APN: / }).waitFor({ timeout: 40_000 });
    expect(await result.innerText()).toMatch(new RegExp(`^Set APN: ok — APN ${apn.replace(/\./g, '\\.')} \\(auth pap\\)`));
    expect(await second.locator('main').textContent()).not.toContain('apn-secret-7'); // the device's raw answer too
    await second.close();

    await row.getByText('Online').waitFor();
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }, 90_000);

  it('issues a Ready transfer token and the other operator accepts it', async () => {
    await page.getByRole('link', { name: 'Transfers' }).click();
    const issue = page.getByRole('region', { name: 'Issue a Ready transfer token' });
    await issue.getByLabel('Destination operator email', { exact: true }).fill(other.email);
    await issue.getByLabel('Destination operator ID', { exact: true }).fill(other.operatorId);
    await issue.getByLabel('IMSIs to transfer', { exact: true }).fill(spareImsi);
    await issue.getByRole('button', { name: 'Issue token' }).click();
    await page.getByRole('status').filter({ hasText: 'Transfer token issued' }).waitFor();
    await page.getByRole('table', { name: 'Issued tokens' }).getByText(spareImsi).waitFor();
    await shot('transfers-issued');
    await logOut();

    await logIn(other);
    await page.getByRole('heading', { name: 'SIMs' }).waitFor();
    await page.getByRole('link', { name: 'Transfers' }).click();
    const incoming = page.getByRole('table', { name: 'Incoming transfer requests' });
    await incoming.getByText(spareImsi).waitFor();
    await shot('transfers-incoming');
    await incoming.getByRole('button', { name: /^Accept transfer/ }).click();
    await page.getByRole('status').filter({ hasText: 'Transfer accepted' }).waitFor();
    await page.getByRole('link', { name: 'SIMs', exact: true }).click();
    await page.locator(`tr[data-imsi="${spareImsi}"]`).getByText('ready').waitFor();
    await logOut();
  }, 60_000);

  it('shows the open statement with its chart of daily charges and the payment method to root', async () => {
    await logIn(stack.operator);
    await page.getByRole('link', { name: 'Billing and payment' }).click();
    const statement = page.getByRole('region', { name: /^Statement / });
    await statement.getByText(/^Total/).waitFor();
    const chart = statement.locator('svg.chart');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-bars'))).toBeGreaterThan(0);
    expect(await chart.locator('rect.bar').count()).toBeGreaterThan(0);
    await shot('billing');
    await page.getByRole('table', { name: 'Charges per fee' }).getByText('plan01s basic fee (daily)').waitFor();
    // Per SIM: the gateway's SIM by its SIM ID (the Billing API's simId).
    const { simId } = await stack.api.call<{ simId: string }>('GET', `/v1/subscribers/${stack.gateway.imsi}`);
    await page.getByRole('table', { name: 'Charges per SIM' }).getByRole('cell', { name: simId, exact: true }).waitFor();
    await page.getByRole('region', { name: 'Payment' }).getByText(/^Card /).waitFor();
    // Everything the console loaded so far came from the platform itself: no CDN, works offline.
    expect(requested.filter((url) => !url.startsWith(`${stack.platform.url}/`))).toEqual([]);
    expect(requested.length).toBeGreaterThan(10);
    await logOut();
  }, 60_000);

  it('offers a SAM user only what its permission allows, and never payment: no menu entry, no page', async () => {
    await logIn({ operatorId: stack.operator.operatorId, ...sam });
    await page.locator(`tr[data-imsi="${stack.gateway.imsi}"]`).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['SIMs', 'Devices']);
    expect(await page.getByText(/payment/i).count()).toBe(0);
    await page.goto(`${stack.platform.url}/console/#/billing`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.goto(`${stack.platform.url}/console/#/esim`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.goto(`${stack.platform.url}/console/#/sims/${stack.gateway.imsi}`);
    const actions = page.getByRole('group', { name: 'Status' });
    await actions.getByRole('button', { name: 'Suspend' }).waitFor();
    expect(await actions.getByRole('button').allInnerTexts()).toEqual(['Activate', 'Suspend']);
    expect(await page.getByRole('button', { name: 'Set tag' }).count()).toBe(0);
    await page.getByRole('table', { name: 'Status history' }).waitFor();
    await shot('sam-user');
    await page.goto(`${stack.platform.url}/console/#/sims`);
    await page.locator(`tr[data-imsi="${stack.gateway.imsi}"]`).waitFor();
    await logOut();
  }, 60_000);

  it('runs every other action of a SIM page, each done or refused in words (SPEC §1.2 status table)', async () => {
    const created = await stack.api.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
    await stack.api.call('POST', `/v1/subscribers/${created.imsi}/register`, { registrationSecret: created.registrationSecret });
    await logIn(stack.operator);
    await page.getByRole('heading', { name: 'SIMs' }).waitFor();
    await page.goto(`${stack.platform.url}/console/#/sims/${created.imsi}`);
    const overview = page.getByRole('region', { name: 'Overview' });
    const fact = async (name: string): Promise<string> => (await overview.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
    /** Waits for the action's outcome: done, or (failing the test with the words shown) refused. */
    const done = async (what: string): Promise<void> => {
      const outcome = page.getByRole('status').filter({ hasText: new RegExp(`^${what}$`) }).or(page.getByRole('alert').filter({ hasText: `${what} refused:` }));
      await outcome.waitFor();
      expect(await outcome.innerText()).toBe(what);
    };
    const refused = async (what: string, code: string): Promise<void> => {
      await page.getByRole('alert').filter({ hasText: `${what} refused:` }).waitFor();
      expect(await page.getByRole('alert').innerText()).toContain(`(${code})`);
    };
    const status = page.getByRole('group', { name: 'Status' });
    await until(async () => (await fact('Status')) === 'ready', WAIT, 'the new SIM ready');

    // ready → standby; standby again is refused (already in it); standby → inactive.
    await status.getByRole('button', { name: 'Standby', exact: true }).click();
    await done('Standby');
    await until(async () => (await fact('Status')) === 'standby', WAIT, 'standby');
    await status.getByRole('button', { name: 'Standby', exact: true }).click();
    await refused('Standby', 'SEM0013');
    await status.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await done('Deactivate');
    await until(async () => (await fact('Status')) === 'inactive', WAIT, 'inactive');
    // No session to delete: refused in words.
    await page.getByRole('button', { name: 'Delete session', exact: true }).click();
    await refused('Delete session', 'SEM0016');

    // Speed class, group (shown by its name), expiry set and removed.
    await page.getByLabel('Speed class', { exact: true }).selectOption('s1.fast');
    await page.getByRole('button', { name: 'Change speed class' }).click();
    await done('Change speed class to s1.fast');
    await until(async () => (await fact('Speed class')) === 's1.fast', WAIT, 'speed class s1.fast');
    // The account has two groups (the stack's own and pumping-stations): pick by name.
    const group = (await stack.api.call<Array<{ groupId: string; tags: Record<string, string> }>>('GET', '/v1/groups')).find((g) => g.tags.name === 'pumping-stations');
    await page.getByLabel('Group', { exact: true }).selectOption(group!.groupId);
    await page.getByRole('button', { name: 'Set group' }).click();
    await done(`Set group ${group!.groupId}`);
    await until(async () => (await fact('Group')) === 'pumping-stations', WAIT, 'in group pumping-stations');
    await page.getByLabel('Expiry (UTC)', { exact: true }).fill('2030-01-02T03:04');
    await page.getByLabel('Then', { exact: true }).selectOption('terminate');
    await page.getByRole('button', { name: 'Set expiry' }).click();
    await refused('Set expiry', 'SEM0011'); // terminate on expiry needs the protection off
    await page.getByLabel('Then', { exact: true }).selectOption('suspend');
    await page.getByRole('button', { name: 'Set expiry' }).click();
    await done('Set expiry');
    await until(async () => (await fact('Expiry')) === '2030-01-02 03:04:00 UTC → suspend', WAIT, 'the expiry shown');
    await page.getByRole('button', { name: 'Remove expiry' }).click();
    await done('Remove expiry');
    await until(async () => (await fact('Expiry')) === 'none', WAIT, 'no expiry');

    // Tags: set one, then delete it.
    const tags = page.getByRole('region', { name: 'Tags' });
    await tags.getByLabel('Tag name', { exact: true }).fill('site');
    await tags.getByLabel('Tag value', { exact: true }).fill('north-field');
    await tags.getByRole('button', { name: 'Set tag' }).click();
    await tags.getByText('= north-field').waitFor();
    await tags.getByRole('button', { name: 'Delete tag site' }).click();
    await done('Delete tag site');
    await tags.getByText('= north-field').waitFor({ state: 'detached' });

    // Termination: protected, so refused; allowed, then terminated (final).
    expect(await fact('Termination protection')).toBe('on');
    page.once('dialog', (d) => void d.accept());
    await status.getByRole('button', { name: 'Terminate', exact: true }).click();
    await refused('Terminate', 'SEM0004');
    await page.getByRole('button', { name: 'Allow termination' }).click();
    await done('Allow termination');
    await until(async () => (await fact('Termination protection')) === 'off (can be terminated)', WAIT, 'protection off');
    page.once('dialog', (d) => void d.accept());
    await status.getByRole('button', { name: 'Terminate', exact: true }).click();
    await done('Terminate');
    await until(async () => (await fact('Status')) === 'terminated', WAIT, 'terminated');
    await status.getByRole('button', { name: 'Activate', exact: true }).click();
    await refused('Activate', 'SEM0003');
    expect((await stack.api.call<{ status: string }>('GET', `/v1/subscribers/${created.imsi}`)).status).toBe('terminated');
    await logOut();
  }, 90_000);
});

describe('the console on a virtual clock', () => {
  let platform: RunningPlatform;
  let clockBrowser: Browser;
  beforeAll(async () => {
    requireBuiltConsole();
    platform = await startPlatform({ dataDir: ':memory:', clock: new VirtualClock(Date.UTC(2026, 2, 1)), http: { port: 0 }, mqtt: false });
    clockBrowser = await launchBrowser();
  });
  afterAll(async () => {
    await clockBrowser?.close();
    await platform?.close();
  });

  it('shows the platform time and moves it forward', async () => {
    const login = { email: 'clock@example.com', password: 'clock-password' };
    const api = new ApiClient(platform.url);
    api.use(await api.call<{ apiKey: string; token: string }>('POST', '/v1/sandbox/init', login));
    // An active SIM with some data every day: a month of daily charges for the chart.
    const sim = await api.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
    await api.call('POST', `/v1/subscribers/${sim.imsi}/register`, { registrationSecret: sim.registrationSecret });
    await api.call('POST', `/v1/subscribers/${sim.imsi}/activate`);
    const start = Date.UTC(2026, 2, 1, 12);
    await api.call('POST', '/_cellgate/clock', { to: start });
    for (let day = 0; day < 29; day++) {
      const at = start + day * 86_400_000;
      await api.call('POST', '/_cellgate/clock', { to: at + 3_600_000 });
      await api.login(login); // tokens live 24 h of platform time
      const bytes = (1 + ((day * 7) % 10)) * 30_000_000;
      await api.call('POST', `/v1/sandbox/stats/air/subscribers/${sim.imsi}`, {
        unixtime: Math.floor(at / 1000),
        dataTrafficStatsMap: { 's1.standard': { uploadByteSizeTotal: bytes / 4, downloadByteSizeTotal: bytes } },
      });
    }
    await api.call('POST', '/_cellgate/clock', { to: Date.UTC(2026, 2, 30, 12) });

    const { context: ctx, page: p } = await newPage(clockBrowser);
    await p.goto(`${platform.url}/console/`);
    await p.getByLabel('Email', { exact: true }).fill(login.email);
    await p.getByLabel('Password', { exact: true }).fill(login.password);
    await p.getByRole('button', { name: 'Log in' }).click();

    await p.getByRole('link', { name: 'Billing and payment' }).click();
    const chart = p.getByRole('region', { name: 'Statement 2026-03' }).locator('svg.chart');
    await chart.waitFor();
    // 1 to 30 March: the basic fee of every day so far, data on the first 29.
    expect(Number(await chart.getAttribute('data-bars'))).toBe(30);
    await p.getByRole('table', { name: 'Charges per fee' }).getByText(/data/i).first().waitFor();
    await p.screenshot({ path: join(SHOTS, 'billing-month.png'), fullPage: true });

    await p.getByRole('link', { name: /Platform time 2026-03-30 12:00:00 UTC/ }).click();
    await p.getByRole('button', { name: '+7 days' }).click();
    await p.getByRole('status').filter({ hasText: 'Clock moved +7 days' }).waitFor();
    await p.getByText('2026-04-06 12:00:00 UTC').first().waitFor();
    // Crossing 1 April closed March: the month close is among the jobs that ran on the way.
    await p.getByRole('table', { name: 'Jobs that ran' }).getByText('billing-month-close').first().waitFor();
    await p.screenshot({ path: join(SHOTS, 'clock.png'), fullPage: true });
    expect(platform.app.ctx.clock.now()).toBe(Date.UTC(2026, 3, 6, 12));
    // The console's token (24 h of platform time) has expired on the way: the next page load says
    // so on the login page; after logging in again March is a past statement with items per SIM.
    await p.getByRole('link', { name: 'Billing and payment' }).click();
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await p.getByRole('status').innerText()).toMatch(/^Your session has ended: the platform no longer accepts its token/);
    await p.getByLabel('Email', { exact: true }).fill(login.email);
    await p.getByLabel('Password', { exact: true }).fill(login.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'SIMs' }).waitFor();
    expect(await p.getByText(/Your session has ended/).count()).toBe(0);
    await p.getByRole('link', { name: 'Billing and payment' }).click();
    await p.getByRole('table', { name: 'Past statements' }).getByRole('button', { name: '202603' }).click();
    await p.getByRole('region', { name: 'Statement 2026-03' }).getByRole('table', { name: 'Charges per SIM' }).getByRole('row').nth(1).waitFor();
    await ctx.close();
  }, 60_000);

  it('orders eSIM profiles, sees them provisioned, and downloads their CSV', async () => {
    const login = { email: 'clock@example.com', password: 'clock-password' };
    const { context: ctx, page: p } = await newPage(clockBrowser);
    await p.goto(`${platform.url}/console/`);
    await p.getByLabel('Email', { exact: true }).fill(login.email);
    await p.getByLabel('Password', { exact: true }).fill(login.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('link', { name: 'eSIM' }).click();
    await p.getByLabel('Quantity', { exact: true }).fill('2');
    await p.getByLabel('Description', { exact: true }).fill('bench gateways');
    await p.getByRole('button', { name: 'Create order' }).click();
    await p.getByRole('status').filter({ hasText: 'Order created (DRAFT)' }).waitFor();
    const orders = p.getByRole('table', { name: 'Profile orders' });
    const row = orders.getByRole('row').filter({ hasText: 'bench gateways' });
    await row.getByText('DRAFT').waitFor();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await p.getByRole('status').filter({ hasText: /confirmed$/ }).waitFor();
    // Provisioning runs on the scheduler: move the platform's time past it, then look again.
    const api = new ApiClient(platform.url);
    await api.login(login);
    await api.call('POST', '/_cellgate/clock', { advance: 60_000 });
    await p.reload();
    await row.getByText('COMPLETED').waitFor();
    await row.getByRole('button', { name: 'Profiles' }).click();
    const profiles = p.getByRole('table', { name: /^Profiles of / });
    await profiles.getByRole('row').nth(2).waitFor(); // header + 2 profiles
    const [download] = await Promise.all([p.waitForEvent('download'), row.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^SIM ID,IMSI,Subscription,/); // seed 002's columns
    const shown = await profiles.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(shown).toHaveLength(2);
    for (const imsi of shown) expect(csv.some((line) => line.includes(imsi))).toBe(true);
    await p.screenshot({ path: join(SHOTS, 'esim.png'), fullPage: true });
    await ctx.close();
  });

  it('cancels a Ready transfer token, and runs a support-assisted transfer to its planned date', async () => {
    const a = { email: 'clock@example.com', password: 'clock-password' };
    const b = { email: 'clock-dest@example.com', password: 'clock-dest-password' };
    const apiA = new ApiClient(platform.url);
    await apiA.login(a);
    const { operatorId: bId } = await new ApiClient(platform.url).call<{ operatorId: string }>('POST', '/v1/sandbox/init', b);
    const ready = await apiA.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
    await apiA.call('POST', `/v1/subscribers/${ready.imsi}/register`, { registrationSecret: ready.registrationSecret });
    const active = (await apiA.call<{ imsi: string; simId: string; status: string }[]>('GET', '/v1/subscribers?status_filter=active'))[0]!;

    const { context: ctx, page: p } = await newPage(clockBrowser);
    p.setDefaultTimeout(15_000);
    const logInAs = async (who: { email: string; password: string }): Promise<void> => {
      await p.goto(`${platform.url}/console/`);
      await p.evaluate('sessionStorage.clear()');
      await p.reload();
      await p.getByLabel('Email', { exact: true }).fill(who.email);
      await p.getByLabel('Password', { exact: true }).fill(who.password);
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.getByRole('heading', { name: 'SIMs' }).waitFor();
    };
    await logInAs(a);
    await p.getByRole('link', { name: 'Transfers' }).click();
    // A Ready token, then cancelled: the SIM is transferring, then ready again.
    const issue = p.getByRole('region', { name: 'Issue a Ready transfer token' });
    await issue.getByLabel('Destination operator email', { exact: true }).fill(b.email);
    await issue.getByLabel('Destination operator ID', { exact: true }).fill(bId);
    await issue.getByLabel('IMSIs to transfer', { exact: true }).fill(ready.imsi);
    await issue.getByRole('button', { name: 'Issue token' }).click();
    await p.getByRole('status').filter({ hasText: 'Transfer token issued' }).waitFor();
    expect((await apiA.call<{ status: string }>('GET', `/v1/subscribers/${ready.imsi}`)).status).toBe('transferring');
    await p.getByRole('table', { name: 'Issued tokens' }).getByRole('button', { name: 'Cancel token' }).click();
    await p.getByRole('status').filter({ hasText: 'Transfer token cancelled' }).waitFor();
    expect((await apiA.call<{ status: string }>('GET', `/v1/subscribers/${ready.imsi}`)).status).toBe('ready');

    // Support-assisted: A requests and reviews, B accepts, the planned date shows on both sides.
    const support = p.getByRole('region', { name: 'Support-assisted transfers' });
    await support.getByLabel('Destination email', { exact: true }).fill(b.email);
    await support.getByLabel('Destination operator ID', { exact: true }).fill(bId);
    await support.getByLabel('SIM IDs', { exact: true }).fill(active.simId);
    await support.getByRole('button', { name: 'Request transfer' }).click();
    await p.getByRole('status').filter({ hasText: 'Support-assisted transfer requested' }).waitFor();
    const requests = p.getByRole('table', { name: 'Support-assisted transfers' });
    await requests.getByText('requested').waitFor();
    await requests.getByRole('button', { name: 'Review' }).click();
    await requests.getByText('awaiting-reply').waitFor();

    await logInAs(b);
    await p.getByRole('link', { name: 'Transfers' }).click();
    const incoming = p.getByRole('table', { name: 'Support-assisted transfers' });
    await incoming.getByText('awaiting-reply').waitFor();
    await incoming.getByRole('button', { name: 'Accept' }).click();
    await p.getByRole('status').filter({ hasText: 'Transfer request accepted' }).waitFor();
    const row = incoming.getByRole('row').filter({ hasText: active.simId });
    await row.getByText('scheduled').waitFor();
    // The planned date is the 1st of a coming month (docs/transfers-and-esim.md).
    expect(await row.innerText()).toMatch(/\b2026-0[5-6]-01\b/);
    await p.screenshot({ path: join(SHOTS, 'transfers-support.png'), fullPage: true });
    await ctx.close();
  }, 60_000);

  it('shows a declined monthly charge and pays it with Retry payment', async () => {
    const a = { email: 'clock@example.com', password: 'clock-password' };
    const api = new ApiClient(platform.url);
    await api.login(a);
    // The card declines the next charge (a sandbox knob), then behaves as the test card again.
    await api.call('PUT', '/_cellgate/sandbox/payment_methods/current/charge_outcomes', { outcomes: ['card_declined'] });
    await api.call('POST', '/_cellgate/clock', { to: '2026-05-01T00:30:00Z' }); // April closes and is charged
    await api.login(a);

    const { context: ctx, page: p } = await newPage(clockBrowser);
    p.setDefaultTimeout(15_000);
    await p.goto(`${platform.url}/console/`);
    await p.getByLabel('Email', { exact: true }).fill(a.email);
    await p.getByLabel('Password', { exact: true }).fill(a.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('link', { name: 'Billing and payment' }).click();
    const payment = p.getByRole('region', { name: 'Payment' });
    const april = payment.getByRole('table', { name: 'Charges' }).getByRole('row').filter({ hasText: '202604' });
    await april.getByText(/failed/).waitFor();
    expect(await april.innerText()).toMatch(/card_declined/);
    await payment.getByRole('button', { name: 'Retry payment' }).click();
    await p.getByRole('status').filter({ hasText: 'Payment retried' }).waitFor();
    await april.getByRole('cell', { name: 'paid', exact: true }).waitFor();
    const statement = p.getByRole('table', { name: 'Past statements' }).getByRole('row').filter({ hasText: '202604' });
    await statement.getByRole('cell', { name: 'paid', exact: true }).waitFor();
    await p.screenshot({ path: join(SHOTS, 'payment-retry.png'), fullPage: true });
    await ctx.close();
  }, 60_000);

  it('passes axe-core’s WCAG 2 A and AA checks on every page and works from the keyboard alone', async () => {
    const login = { email: 'clock@example.com', password: 'clock-password' };
    const { context: ctx, page: p } = await newPage(clockBrowser);
    const violations = (): Promise<string[]> => axeViolations(p);
    const focused = (): Promise<string> => p.evaluate<string>("(document.activeElement && (document.activeElement.id || document.activeElement.textContent || '')).trim()");

    await p.goto(`${platform.url}/console/`);
    await p.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await violations()).toEqual([]);
    // Keyboard only: the account radios are one stop, then email, password; Enter submits.
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('login-email');
    await p.keyboard.type(login.email);
    await p.keyboard.press('Tab');
    await p.keyboard.type(login.password);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'SIMs' }).waitFor();
    const imsi = await p.locator('tr[data-imsi]').first().getAttribute('data-imsi');
    // The skip link is the first stop and moves the focus to the content, not to another page.
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await p.keyboard.press('Enter');
    expect(await focused()).toBe('main');
    expect(await p.getByRole('heading', { name: 'SIMs' }).isVisible()).toBe(true);
    // To Devices from the menu with Tab and Enter.
    await p.getByRole('button', { name: 'Log out' }).focus();
    for (let i = 0; i < 5 && (await focused()) !== 'Devices'; i++) await p.keyboard.press('Tab');
    expect(await focused()).toBe('Devices');
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Devices' }).waitFor();

    for (const [hash, ready] of [
      ['#/sims', () => p.locator('tr[data-imsi]').first().waitFor()],
      [`#/sims/${imsi!}`, () => p.getByRole('table', { name: 'Status history' }).waitFor()],
      ['#/devices', () => p.getByRole('heading', { name: 'Devices' }).waitFor()],
      ['#/esim', () => p.getByRole('region', { name: 'Profile orders' }).waitFor()],
      ['#/transfers', () => p.getByRole('region', { name: 'Support-assisted transfers' }).waitFor()],
      ['#/billing', () => p.locator('svg.chart').waitFor()],
      ['#/clock', () => p.getByRole('region', { name: 'Next jobs' }).waitFor()],
    ] as const) {
      await p.goto(`${platform.url}/console/${hash}`);
      await ready();
      expect([hash, await violations()]).toEqual([hash, []]);
    }
    await ctx.close();
  });
});

describe('the console with an eSIM gateway', () => {
  let esim: EsimStack;
  let esimBrowser: Browser;
  beforeAll(async () => {
    requireBuiltConsole();
    // A gateway whose eUICC starts empty and trusts the platform's SM-DP+ (its CI), the agent
    // with its LPA, and an order of two profiles, A and B (test/support/esim-stack.ts).
    esim = await startEsimStack({ shortcut: false });
    esim.startAgent();
    await esim.whenGatewayReported();
    esimBrowser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await esimBrowser?.close();
    await esim?.close();
  }, 30_000);

  it('downloads an ordered profile into the gateway, enables, switches and deletes profiles, each with its result in words', async () => {
    const [a, b] = esim.profiles;
    // The operator asks for a confirmation code on B (SGP.22 §3.1.3; set on the SM-DP+).
    const operatorId = (await esim.api.call<Array<{ operatorId: string }>>('GET', '/v1/subscribers'))[0]!.operatorId;
    const codeB = (await esim.platform.smdp!.service.setConfirmationCode(operatorId, b.iccid, '2468')).activationCode;
    const { context: ctx, page: p } = await newPage(esimBrowser);
    p.setDefaultTimeout(WAIT);
    p.on('dialog', (d) => void d.accept());
    await p.goto(`${esim.platform.url}/console/`);
    await p.getByLabel('Email', { exact: true }).fill(esim.login.email);
    await p.getByLabel('Password', { exact: true }).fill(esim.login.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'SIMs' }).waitFor();

    // The order's profiles on the eSIM page: ready to download, each with its activation code.
    const openProfiles = async (): Promise<Locator> => {
      await p.getByRole('link', { name: 'eSIM', exact: true }).click();
      await p.getByRole('table', { name: 'Profile orders' }).getByRole('row').filter({ hasText: esim.orderId }).getByRole('button', { name: 'Profiles' }).click();
      return p.getByRole('table', { name: `Profiles of ${esim.orderId}` });
    };
    let ordered = await openProfiles();
    const rowA = ordered.getByRole('row').filter({ hasText: a.iccid });
    await rowA.getByText('Ready to download').waitFor();
    const codeA = await rowA.locator('code').innerText();
    expect(codeA).toBe(a.activationCode);

    // The device page: download A by its activation code, enabled once installed.
    const openDevice = async (): Promise<void> => {
      await p.getByRole('link', { name: 'Devices', exact: true }).click();
      await p.getByRole('link', { name: esim.credentials.deviceId }).click();
    };
    await openDevice();
    const card = p.getByRole('region', { name: 'eSIM profiles on the card' });
    const result = card.getByTestId('esim-result');
    const onCard = card.getByRole('table', { name: 'Profiles on the card' });
    await card.getByLabel('Activation code', { exact: true }).fill(codeA);
    await card.getByRole('button', { name: 'Download profile' }).click();
    await result.filter({ hasText: /^Download eSIM profile: ok/ }).waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toMatch(new RegExp(`^Download eSIM profile: ok — profile ${a.iccid} .*installed from ${esim.platform.smdp!.address.replace(/[.$]/g, '\\$&')}; profile ${a.iccid} enabled, IMSI ${a.imsi}, attached`));
    await onCard.getByRole('row').filter({ hasText: a.iccid }).getByRole('cell', { name: 'enabled', exact: true }).waitFor();
    await p.screenshot({ path: join(SHOTS, 'device-esim.png'), fullPage: true });
    expect(await axeViolations(p)).toEqual([]);

    // The platform heard the card's notifications: A is Activated on the eSIM page.
    await until(async () => (await esim.profileStatuses())[a.iccid] === 'ACTIVATION_SUCCEEDED', WAIT, 'A activated on the platform');
    ordered = await openProfiles();
    await ordered.getByRole('row').filter({ hasText: a.iccid }).getByText('Activated', { exact: true }).waitFor();
    expect(await ordered.getByRole('row').filter({ hasText: b.iccid }).locator('code').innerText()).toBe(codeB);

    // B needs its confirmation code: a wrong one is refused in words, the right one installs it.
    await openDevice();
    await card.getByLabel('Activation code', { exact: true }).fill(codeB);
    await card.getByLabel('Confirmation code', { exact: true }).fill('1111');
    await card.getByLabel('Enable it once installed').uncheck();
    await card.getByRole('button', { name: 'Download profile' }).click();
    await result.filter({ hasText: /^Download eSIM profile: error/ }).waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toBe('Download eSIM profile: error — the confirmation code is wrong at get-bound-profile-package (SM-DP+ status 8.2.7 / 3.8)');
    expect(await result.getAttribute('role')).toBe('alert');
    await card.getByLabel('Confirmation code', { exact: true }).fill('2468');
    await card.getByRole('button', { name: 'Download profile' }).click();
    await result.filter({ hasText: /^Download eSIM profile: ok/ }).waitFor({ timeout: 60_000 });
    await onCard.getByRole('row').filter({ hasText: b.iccid }).getByRole('cell', { name: 'disabled', exact: true }).waitFor();

    // The card refuses to delete the enabled profile; the console says why.
    await onCard.getByRole('button', { name: `Delete ${a.iccid}` }).click();
    await result.filter({ hasText: /^Delete profile: error/ }).waitFor();
    expect(await result.innerText()).toBe('Delete profile: error — the profile is not disabled (disable it first)');
    // Switch to B, then delete A.
    await onCard.getByRole('button', { name: `Enable ${b.iccid}` }).click();
    await result.filter({ hasText: /^Enable profile: ok/ }).waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toMatch(new RegExp(`^Enable profile: ok — profile ${b.iccid} enabled, IMSI ${b.imsi}, attached`));
    await onCard.getByRole('row').filter({ hasText: a.iccid }).getByRole('cell', { name: 'disabled', exact: true }).waitFor();
    await onCard.getByRole('button', { name: `Delete ${a.iccid}` }).click();
    await result.filter({ hasText: /^Delete profile: ok/ }).waitFor();
    expect(await result.innerText()).toBe(`Delete profile: ok — profile ${a.iccid} deleted from the card`);
    await onCard.getByRole('row').filter({ hasText: b.iccid }).getByRole('cell', { name: 'enabled', exact: true }).waitFor();
    await onCard.getByRole('row').filter({ hasText: a.iccid }).waitFor({ state: 'detached' });
    expect(esim.euicc.profiles().map((x) => x.iccid)).toEqual([b.iccid]);

    // The eSIM page: B activated, A deleted and listed as deleted but not terminated (still billed).
    await until(async () => (await esim.profileStatuses())[a.iccid] === 'DELETION_SUCCEEDED', WAIT, 'A deleted on the platform');
    ordered = await openProfiles();
    await ordered.getByRole('row').filter({ hasText: b.iccid }).getByText('Activated', { exact: true }).waitFor();
    await ordered.getByRole('row').filter({ hasText: a.iccid }).getByText('Deleted', { exact: true }).waitFor();
    await p.getByRole('table', { name: 'Deleted profiles' }).getByText(a.iccid).waitFor();
    await p.screenshot({ path: join(SHOTS, 'esim-downloaded.png'), fullPage: true });
    expect(await axeViolations(p)).toEqual([]);
    await ctx.close();
  }, 180_000);
});
