import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../agent/lpa-cli.js';
import { Euicc, LocalNetworkGate, startSimulatedModem, type ModemQuirks } from '../simulator/index.js';
import { executeControl } from '../simulator/modem/control.js';

const EID = '89049032000000000000000000000077';
const A = { iccid: '8942310000000000017', imsi: '295050000000017' };
const B = { iccid: '8942310000000000025', imsi: '295050000000025' };

type Handle = Awaited<ReturnType<typeof startSimulatedModem>>;

/** `cellgate lpa` against a simulated modem over a real TCP serial server. */
describe('cellgate lpa against the simulated modem (quirks per module)', () => {
  let sim: Handle | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await sim?.close();
    sim = undefined;
  });

  async function start(dialect: 'bg96' | 'sim7080' | 'generic', quirks: Partial<ModemQuirks> = {}): Promise<Handle> {
    const euicc = new Euicc({ eid: EID, profiles: [{ ...A, enabled: true }] });
    sim = await startSimulatedModem({ dialect, imei: '359221090000077', sim: euicc, gate: new LocalNetworkGate(), latency: 'zero', quirks, expose: { tcp: { port: 0 } } });
    // The provisioning shortcut, as a person types it at `cellgate sim`.
    expect(executeControl(sim.modem, `install LPA:1$smdp.example.com$MATCH-1 ${B.iccid} ${B.imsi}`)).toMatch(/^ok: installed/);
    sim.modem.faults.rejectRegistration(undefined);
    await waitFor(() => sim!.modem.status().registration === 1);
    return sim;
  }

  async function lpa(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
    const code = await run(['--port', sim!.tcpUrl!, ...args]);
    vi.restoreAllMocks();
    // The TCP serial server takes one client at a time: wait until it has seen this one leave.
    await sim!.whenTcpIdle!();
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it.each([
    ['bg96 (REFRESH, +QUSIM: 1)', 'bg96', {}],
    ['sim7080 (no =? test forms, radio cycle needed)', 'sim7080', {}],
    ['sim7080 with +CGLA: without space', 'sim7080', { cglaNoSpace: true }],
    ['generic with the Fibocom FM350 bare +CCHO, slow APDUs and firmware that ignores REFRESH', 'generic', { cchoBare: true, slowApduMs: 30, needsSimPowerCycle: true }],
    ['generic with Sierra EM7590 session handles', 'generic', { cchoSessionHandle: true, noChannelTestForms: true }],
  ] as const)('%s: list, enable B, the modem registers with B’s IMSI', async (_name, dialect, quirks) => {
    await start(dialect, quirks);
    const listed = await lpa('--json', 'list');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject([
      { iccid: A.iccid, state: 'enabled' },
      { iccid: B.iccid, state: 'disabled', serviceProviderName: 'smdp.example.com' },
    ]);
    expect((await lpa('eid')).out).toBe(EID);

    const enabled = await lpa('--refresh-timeout', '0.5', '--attach-timeout', '5', 'enable', B.iccid);
    expect(enabled.err).toBe('');
    expect(enabled.out).toContain(`modem shows ICCID ${B.iccid}, IMSI ${B.imsi}`);
    expect(sim!.modem.status()).toMatchObject({ imsi: B.imsi, iccid: B.iccid, registration: 1 });

    // The bench tool never removes notifications: only the agent does, after the platform's ack.
    const pending = await lpa('notifications');
    expect(pending.out.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['#1 install', '#2 disable', '#3 enable']);
  }, 30_000);

  it('refusals and bad input are clear and change nothing', async () => {
    await start('bg96');
    expect(await lpa('delete', A.iccid)).toMatchObject({ code: 1, out: 'delete refused by the eUICC: profileNotInDisabledState (2)' });
    expect((await lpa('enable', '12345')).err).toContain('not an ICCID');
    expect((await lpa('frobnicate')).code).toBe(2);
    expect(await lpa('nickname', B.iccid, 'backup')).toMatchObject({ code: 0, out: 'nickname: ok' });
    expect(await lpa('delete', B.iccid)).toMatchObject({ code: 0, out: 'delete: ok' });
    expect(JSON.parse((await lpa('--json', 'list')).out)).toMatchObject([{ iccid: A.iccid, state: 'enabled' }]);
  }, 30_000);
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
