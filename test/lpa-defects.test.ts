/**
 * The LPA defects of issue 12, each against the real agent code and the simulated modem over a
 * real TCP serial server: disable on a card left with no enabled profile, channel leaks and
 * recovery, the 27.007 answer formats by default with module quirks opt-in, no LPA work on a SIM
 * without an eUICC, and the +CME ERROR that ends AT+CCHC on a channel a REFRESH closed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from '../common/clock.js';
import { constructed, encodeTlv, primitive, toHex } from '../common/ber-tlv.js';
import { encodeIccid } from '../common/es10.js';
import { silentLogger, type Logger } from '../common/log.js';
import { openChannel } from '../agent/at/index.js';
import { AtCmeError } from '../agent/at/errors.js';
import type { AtChannel } from '../agent/at/types.js';
import { AtApduTransport } from '../agent/lpa/at-apdu-transport.js';
import { LpaClient } from '../agent/lpa/lpa-client.js';
import { LpaService } from '../agent/lpa/service.js';
import { run } from '../agent/lpa-cli.js';
import { Euicc, LocalNetworkGate, startSimulatedModem, type ModemQuirks } from '../simulator/index.js';

const EID = '89049032000000000000000000000099';
const A = { iccid: '8942310000000000017', imsi: '295050000000017' };
const B = { iccid: '8942310000000000025', imsi: '295050000000025' };
type Handle = Awaited<ReturnType<typeof startSimulatedModem>>;

let sim: Handle | undefined;
let channel: AtChannel | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await channel?.close().catch(() => undefined);
  await sim?.close();
  sim = channel = undefined;
});

async function waitFor(done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(dialect: 'bg96' | 'sim7080' | 'generic', options: { quirks?: Partial<ModemQuirks>; card?: Euicc | 'plain' } = {}): Promise<{ sim: Handle; euicc: Euicc | undefined }> {
  const euicc = options.card === 'plain' ? undefined : (options.card ?? new Euicc({ eid: EID, profiles: [{ ...A, enabled: true }, B] }));
  sim = await startSimulatedModem({
    dialect,
    imei: '359221090000099',
    ...(euicc ? { sim: euicc } : { iccid: A.iccid, imsi: A.imsi }),
    gate: new LocalNetworkGate(),
    latency: 'zero',
    quirks: options.quirks ?? {},
    expose: { tcp: { port: 0 } },
  });
  return { sim, euicc };
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

function capture(): { logger: Logger; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const base = silentLogger();
  const record = (level: string) => (a: unknown, b?: unknown) => void lines.push({ level, msg: typeof a === 'string' ? a : String(b ?? '') });
  const logger = Object.assign(Object.create(base) as Logger, { info: record('info'), warn: record('warn'), error: record('error'), debug: () => undefined, child: () => logger });
  return { logger, lines };
}

describe('lpa disable', () => {
  it.each(['bg96', 'sim7080'] as const)('%s: disabling the only enabled profile succeeds although ICCID / IMSI reads then fail', async (dialect) => {
    await start(dialect);
    const disabled = await lpa('--refresh-timeout', '0.5', 'disable', A.iccid);
    expect(disabled.err).toBe('');
    expect(disabled.code).toBe(0);
    expect(disabled.out).toMatch(/^disabled 8942310000000000017: modem shows ICCID \?/);
    expect(sim!.modem.status().iccid).toBeUndefined();
  });
});

describe('logical channels', () => {
  it('a failed operation and a refused download close the channel they opened', async () => {
    const { euicc } = await start('bg96');
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock() });
    const client = new LpaClient(new AtApduTransport(channel));
    // An ES10 request the card does not know (6A88): the operation fails, its channel is closed.
    await expect(client.withSession((s) => s.exchange(Uint8Array.of(0xbf, 0x7f, 0x00)))).rejects.toMatchObject({ code: 'LPA_STATUS_WORD', sw: 0x6a88 });
    expect(euicc!.openChannels()).toEqual([]);
    const service = new LpaService({ channel: () => channel, clock: new RealClock(), config: { es9Attempts: 1, es9TimeoutMs: 500 } });
    const outcome = await service.download({ activationCode: 'LPA:1$127.0.0.1:1$NO-SERVER' });
    expect(outcome).toMatchObject({ ok: false, stage: 'initiate-authentication' });
    expect(euicc!.openChannels()).toEqual([]);
    service.stop();
  });

  it('when every channel is taken (left open by a crashed process), closes the stale ones, says so, and carries on', async () => {
    const { euicc } = await start('bg96');
    for (let i = 0; i < 19; i++) euicc!.openChannel('A0000005591010FFFFFFFF8900000100');
    expect(euicc!.openChannels()).toHaveLength(19);
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock() });
    const { logger, lines } = capture();
    const service = new LpaService({ channel: () => channel, clock: new RealClock(), logger });
    expect((await service.listProfiles()).map((p) => p.iccid)).toEqual([A.iccid, B.iccid]);
    expect(lines).toContainEqual({ level: 'warn', msg: expect.stringMatching(/^no free logical channel: closed 19 stale channel/) });
    expect(euicc!.openChannels()).toEqual([]);
    service.stop();
  });
});

describe('AT answer formats: 27.007 by default, module quirks opt-in', () => {
  it.each(['generic', 'bg96', 'sim7080'] as const)('%s answers +CCHO: <id> and +CGLA: <len>,"…" (what lpac’s AT backend expects)', async (dialect) => {
    await start(dialect);
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock() });
    const opened = await channel.send({ text: 'AT+CCHO="A0000005591010FFFFFFFF8900000100"', parse: (r) => r.lines });
    expect(opened).toEqual(['+CCHO: 1']);
    const apdu = await channel.send({ text: 'AT+CGLA=1,22,"81E2910006BF3E035C015A"', parse: (r) => r.lines });
    expect(apdu).toEqual([`+CGLA: 46,"BF3E125A10${EID}9000"`]);
  });

  it.each([
    ['fibocom-fm350: bare channel number (lpac #179)', { cchoBare: true }, '1'],
    ['sierra-em7590: a session handle, no AT+CGLA=? (lpac #138, #139)', { cchoSessionHandle: true, noChannelTestForms: true }, '+CCHO: 00000000038AA301'],
    ['cgla-nospace', { cglaNoSpace: true }, '+CCHO: 1'],
  ] as const)('%s: the agent lists profiles all the same', async (_name, quirks, ccho) => {
    await start('generic', { quirks });
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock() });
    expect(await channel.send({ text: 'AT+CCHO="A0000005591010FFFFFFFF8900000100"', parse: (r) => r.lines })).toEqual([ccho]);
    await channel.send({ text: `AT+CCHC=${ccho.replace('+CCHO: ', '')}`, parse: () => undefined });
    const service = new LpaService({ channel: () => channel, clock: new RealClock() });
    expect((await service.listProfiles()).map((p) => p.iccid)).toEqual([A.iccid, B.iccid]);
    expect(await service.eid()).toBe(EID);
    service.stop();
  });
});

describe('a SIM without an eUICC', () => {
  it('gets no LPA work: one info line, no warning, no retry timer hitting the card', async () => {
    await start('bg96', { card: 'plain' });
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock() });
    const sent: string[] = [];
    const spied = channel;
    const send = spied.send.bind(spied);
    vi.spyOn(spied, 'send').mockImplementation((c) => {
      sent.push(typeof c === 'string' ? c : c.text);
      return send(c);
    });
    const { logger, lines } = capture();
    const link = { sendEsimNotification: () => 'k', whenAcknowledged: () => Promise.resolve() };
    const service = new LpaService({ channel: () => channel, link, clock: new RealClock(), logger, config: { deliveryRetryMs: 20 } });
    expect(await service.deliverNotifications()).toEqual({ offered: [], removed: [], direct: [], abandoned: [] });
    const after = sent.length;
    expect(await service.deliverNotifications()).toEqual({ offered: [], removed: [], direct: [], abandoned: [] });
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.length).toBe(after);
    expect(lines.filter((l) => l.level === 'info' && /no eUICC/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    service.stop();
  });
});

describe('AT+CCHC on a channel a REFRESH closed', () => {
  it('bg96 with CMEE=1 ends the command with +CME ERROR at once (the LPA does not wait out a timeout)', async () => {
    const { euicc } = await start('bg96');
    channel = await openChannel({ port: sim!.tcpUrl!, clock: new RealClock(), defaultTimeoutMs: 20_000 });
    const opened = await channel.send({ text: 'AT+CCHO="A0000005591010FFFFFFFF8900000100"', parse: (r) => r.lines[0] });
    // EnableProfile B with refreshFlag: the card closes every channel right after answering.
    const request = encodeTlv(constructed(0xbf31, [constructed(0xa0, [primitive(0x5a, encodeIccid(B.iccid))]), primitive(0x81, [0xff])]));
    const apdu = toHex(Uint8Array.from([0x81, 0xe2, 0x91, 0x00, request.length, ...request, 0x00]));
    await channel.send({ text: `AT+CGLA=1,${apdu.length},"${apdu}"`, parse: (r) => r.lines });
    // At once, as LpaClient closes its channel after the enable, while +QUSIM: 1 / +CPIN: READY come in.
    const started = Date.now();
    const closed = await channel.send({ text: 'AT+CCHC=1', parse: () => 'ok' }).catch((e: unknown) => e);
    expect(opened).toBe('+CCHO: 1');
    expect(closed).toBeInstanceOf(AtCmeError);
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(() => euicc!.openChannels().length === 0);
    const again = await channel.send({ text: 'AT+CCHC=1', parse: () => 'ok' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ cmeCode: 50 });
  });
});
