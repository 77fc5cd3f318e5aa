import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from './support/built.js';
import { builtCli, killAllCellgate } from './support/process-stack.js';
import { startVirtualPlatform, type VirtualPlatform } from './support/virtual-platform.js';

/**
 * "Done means" of issue 13, time control: the shipped CLI (`node bin/cellgate.js platform --clock
 * virtual`) driven over HTTP only — nothing in-process — through a month close, three days of
 * card retries, and a 24 h token expiry (docs/time-control.md).
 */
afterAll(async () => killAllCellgate());

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'cellgate.js'), ...args], { cwd: projectRoot, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe.skipIf(!builtCli)('cellgate platform --clock virtual, over HTTP', () => {
  let vp: VirtualPlatform;
  beforeAll(async () => {
    vp = await startVirtualPlatform('2026-01-15T00:00:00Z');
  });
  afterAll(async () => vp?.proc.stop());

  it('stands still until told, then closes the month: the bill exists and is paid by card', async () => {
    expect(vp.proc.output()).toContain('clock: virtual, now 2026-01-15T00:00:00.000Z');
    const op = await vp.newOperator();
    const sim = await vp.newSim(op);
    expect((await vp.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: op })).status).toBe(200);
    const before = await vp.call('GET', '/_cellgate/clock', { auth: op });
    expect(before.body).toMatchObject({ virtual: true, now: Date.UTC(2026, 0, 15), nextJobs: [{ job: 'billing-month-close', dueIso: '2026-02-01T00:00:00.000Z' }] });
    expect((await vp.call('GET', '/v1/bills', { auth: op })).body.billList).toEqual([]);

    // The CLI wrapper, as a tester types it (network token from the platform's banner).
    const cli = await runCli(['clock', 'advance', '17d', '--platform', vp.url], { CELLGATE_NETWORK_TOKEN: vp.networkToken });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('virtual time 2026-02-01T00:00:00.000Z (was 2026-01-15T00:00:00.000Z)');
    expect(cli.out).toMatch(/2026-02-01T00:00:00\.000Z {2}billing-month-close +month 202601 closed: 1 operators, 1 statements with charges/);

    const relogin = (await vp.call('POST', '/v1/auth', { body: { email: op.email, password: op.password } })).body;
    const bills = (await vp.call('GET', '/v1/bills', { auth: relogin })).body.billList;
    expect(bills).toMatchObject([{ yearMonth: '202601', state: 'closed', paymentStatus: 'paid' }]);
    expect(bills[0].amount).toBeGreaterThan(0);
    const now = await runCli(['clock', 'now', '--platform', vp.url, '--json'], { CELLGATE_NETWORK_TOKEN: vp.networkToken });
    expect(JSON.parse(now.out)).toMatchObject({ virtual: true, iso: '2026-02-01T00:00:00.000Z' });
  });

  it('retries a declined monthly charge daily: three days of failures, then paid', async () => {
    const op = await vp.newOperator();
    const start = await vp.now();
    const sim = await vp.newSim(op);
    await vp.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: op });
    const script = await vp.call('PUT', '/_cellgate/sandbox/payment_methods/current/charge_outcomes', { auth: op, body: { outcomes: ['card_declined', 'card_declined', 'insufficient_funds', 'success'] } });
    expect(script).toMatchObject({ status: 200, body: { outcomes: ['card_declined', 'card_declined', 'insufficient_funds', 'success'] } });

    // To the next month close: the charge is attempted and declined.
    const monthEnd = new Date(start);
    const nextMonth = Date.UTC(monthEnd.getUTCFullYear(), monthEnd.getUTCMonth() + 1, 1);
    const close = await vp.advance({ to: nextMonth });
    expect(close.ran.map((r: { job: string }) => r.job)).toContain('billing-month-close');
    const login = async () => (await vp.call('POST', '/v1/auth', { body: { email: op.email, password: op.password } })).body;
    let auth = await login();
    const charge = async () => (await vp.call('GET', '/_cellgate/payment_charges', { auth })).body[0];
    expect(await charge()).toMatchObject({ kind: 'monthly', status: 'failed', attempts: 1, errorCode: 'card_declined', nextRetryTime: nextMonth + 86_400_000 });
    expect((await vp.call('GET', '/v1/payment_methods/current', { auth })).body).toMatchObject({ errorCode: 'card_declined' });

    // Day by day: the retries run at 24 h steps, as the clock's report shows.
    const retries: string[] = [];
    for (let day = 1; day <= 3; day++) {
      const moved = await vp.advance({ advance: 'P1D' });
      retries.push(...moved.ran.filter((r: { job: string }) => r.job === 'payment-retry').map((r: { dueIso: string; summary: string }) => `${r.dueIso} ${r.summary.replace(/^.*: /, '')}`));
    }
    expect(retries.map((r) => r.replace(/CH-\S+ /, ''))).toEqual([
      `${new Date(nextMonth + 86_400_000).toISOString()} failed (card_declined)`,
      `${new Date(nextMonth + 2 * 86_400_000).toISOString()} failed (insufficient_funds)`,
      `${new Date(nextMonth + 3 * 86_400_000).toISOString()} paid`,
    ]);
    auth = await login();
    expect(await charge()).toMatchObject({ status: 'paid', attempts: 4 });
    expect((await vp.call('GET', '/_cellgate/sandbox/payment_methods/current/charge_outcomes', { auth })).body).toEqual({ outcomes: [] });
    const bills = (await vp.call('GET', '/v1/bills', { auth })).body.billList;
    expect(bills[0]).toMatchObject({ paymentStatus: 'paid' });
  });

  it('expires an API token after 24 virtual hours', async () => {
    const op = await vp.newOperator();
    const login = (await vp.call('POST', '/v1/auth', { body: { email: op.email, password: op.password } })).body;
    await vp.advance({ advance: 'PT23H59M59S' });
    expect((await vp.call('GET', '/v1/subscribers', { auth: login })).status).toBe(200);
    await vp.advance({ advance: 1000 });
    expect(await vp.call('GET', '/v1/subscribers', { auth: login })).toMatchObject({ status: 401, body: { code: 'AUM0003' } });
    // The clock itself never needs an operator token: the network token is the platform admin's.
    const wrong = await vp.call('POST', '/_cellgate/clock', { body: { advance: 'P1D' }, headers: { authorization: 'Bearer nope' } });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'NET0002' } });
    expect(await vp.call('POST', '/_cellgate/clock', { body: { advance: '1 day' }, headers: { authorization: `Bearer ${vp.networkToken}` } })).toMatchObject({ status: 400, body: { code: 'CLK0001' } });
  });
});

it.skipIf(builtCli)('cellgate platform --clock virtual (skipped: run `npm run build` first)', () => {});
