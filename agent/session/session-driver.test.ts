import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { ScriptedChannel, type Reply } from '../../test/support/scripted-channel.js';
import { defaultSessionConfig } from './session-config.js';
import { SessionDriver } from './session-driver.js';

/** A tiny 27.007 modem: enough state to answer the driver the way a module would. */
function genericModem() {
  const modem = { stat: 2, pdp: false, refuseCause: undefined as number | undefined, mute: false };
  const respond = (text: string): Reply => {
    if (modem.mute) return 'timeout';
    if (['AT', 'ATE0', 'AT+CMEE=2', 'AT+CEREG=3', 'AT+CGEREP=2,1', 'AT+CGATT=1', 'AT+CFUN=0', 'AT+CFUN=1'].includes(text)) return [];
    if (text.startsWith('AT+CGDCONT=') || text.startsWith('AT+CGAUTH=')) return [];
    switch (text) {
      case 'AT+CGMI':
        return ['Cellgate'];
      case 'AT+CGMM':
        return ['GENERIC-LTE-M'];
      case 'AT+CGMR':
        return ['CG1.0.0'];
      case 'AT+CGSN':
        return ['866425030000001'];
      case 'AT+CPIN?':
        return ['+CPIN: READY'];
      case 'AT+CIMI':
        return ['440103000000001'];
      case 'AT+CCID':
        return ['+CCID: 89811000000000000017'];
      case 'AT+CEREG?':
        return [`+CEREG: 3,${modem.stat}`];
      case 'AT+CGACT=1,1':
        if (modem.refuseCause !== undefined) return { lines: [], final: { kind: 'cme', text: 'unknown' } };
        modem.pdp = true;
        return [];
      case 'AT+CGACT=0,1':
        modem.pdp = false;
        return [];
      case 'AT+CGACT?':
        return [`+CGACT: 1,${modem.pdp ? 1 : 0}`];
      case 'AT+CGPADDR=1':
        return modem.pdp ? ['+CGPADDR: 1,"10.160.23.7"'] : ['+CGPADDR: 1'];
      case 'AT+CEER':
        return [modem.refuseCause !== undefined ? `+CEER: "ESM cause ${modem.refuseCause}"` : '+CEER: "No cause information available"'];
      case 'AT+CSQ':
        return ['+CSQ: 20,99'];
      case 'AT+COPS?':
        return ['+COPS: 0,0,"SORACOM",7'];
      case 'AT+CFUN=1,1':
        return [];
      default:
        return 'ERROR';
    }
  };
  return { modem, respond };
}

function setup() {
  const clock = new VirtualClock();
  const { modem, respond } = genericModem();
  const channels: ScriptedChannel[] = [];
  const driver = new SessionDriver({
    openChannel: async () => {
      const channel = new ScriptedChannel(clock, respond);
      channels.push(channel);
      return channel;
    },
    config: defaultSessionConfig,
    clock,
    logger: silentLogger(),
    random: () => 0.5,
  });
  const channel = () => channels.at(-1)!;
  return { clock, modem, driver, channels, channel };
}

/** Advances virtual time in small steps until `done()` or the budget runs out. */
async function until(clock: VirtualClock, done: () => boolean, budgetMs = 600_000, stepMs = 100): Promise<void> {
  for (let spent = 0; !done() && spent < budgetMs; spent += stepMs) await clock.advance(stepMs);
  expect(done()).toBe(true);
}

describe('SessionDriver against a scripted modem', () => {
  it('attaches on the +CEREG URC, not by busy polling, and reports what it learnt', async () => {
    const { clock, driver, channel } = setup();
    driver.start();
    await until(clock, () => driver.status().state === 'registering');
    await clock.advance(5_000);
    expect(channel().sent.filter((t) => t === 'AT+CEREG?')).toHaveLength(1);
    channel().urc('+CEREG: 1,"1A2B","01A2D101",7');
    await until(clock, () => driver.status().online);
    const status = driver.status();
    expect(status).toMatchObject({
      state: 'online',
      ip: '10.160.23.7',
      imei: '866425030000001',
      imsi: '440103000000001',
      iccid: '89811000000000000017',
      dialect: 'generic',
      rat: 'lte-m',
      operator: 'SORACOM',
      registration: { stat: 1, tac: 0x1a2b, cellId: 0x01a2d101, act: 7 },
      signal: { rssiDbm: -73 },
    });
    expect(status.counters.online).toBe(1);
    expect(channel().sent).toContain('AT+CGDCONT=1,"IP","soracom.io"');
    await driver.stop();
  });

  it('re-activates after the network deactivates the PDN context', async () => {
    const { clock, driver, channel, modem } = setup();
    modem.stat = 1;
    const states: string[] = [];
    driver.onStateChange((c) => states.push(c.to));
    driver.start();
    await until(clock, () => driver.status().online);
    modem.pdp = false;
    channel().urc('+CGEV: NW PDN DEACT 1');
    await until(clock, () => driver.status().state === 'lost' || driver.status().counters.online === 2);
    await until(clock, () => driver.status().counters.online === 2);
    expect(states).toContain('lost');
    expect(driver.status().counters['losses_pdp-deactivated']).toBe(1);
    expect(driver.status().counters.plan_reactivate).toBe(1);
    await driver.stop();
  });

  it('declares the module unresponsive after consecutive probe timeouts and resets it', async () => {
    const { clock, driver, modem, channel } = setup();
    modem.stat = 1;
    driver.start();
    await until(clock, () => driver.status().online);
    modem.mute = true;
    await until(clock, () => driver.status().counters.losses_unresponsive === 1, 300_000, 1_000);
    expect(driver.status().counters.probe_timeouts).toBe(3);
    modem.mute = false;
    await until(clock, () => channel().sent.includes('AT+CFUN=1,1'), 60_000);
    channel().urc('RDY');
    await until(clock, () => driver.status().online, 120_000);
    expect(driver.status().counters.module_resets).toBe(1);
    await driver.stop();
  });

  it('backs off T3402 after a registration reject and reads the cause from +CEREG', async () => {
    const { clock, driver, channel } = setup();
    driver.start();
    await until(clock, () => driver.status().state === 'registering');
    channel().urc('+CEREG: 3,,,,0,7');
    await until(clock, () => driver.status().state === 'backoff');
    expect(driver.status().lastFailure).toMatchObject({ kind: 'registration-rejected', cause: 7, severity: 'permanent' });
    const failedAt = clock.now();
    const sentBefore = channel().sent.length;
    await clock.advance(11 * 60_000);
    expect(channel().sent.length).toBe(sentBefore);
    await until(clock, () => channel().sent.includes('AT+CFUN=0'), 5 * 60_000, 1_000);
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(720_000);
    await driver.stop();
  });

  it('reads a refused session cause with AT+CEER and rests after permanent refusals', async () => {
    const { clock, driver, modem } = setup();
    modem.stat = 1;
    modem.refuseCause = 33;
    driver.start();
    await until(clock, () => driver.status().state === 'backoff');
    expect(driver.status().lastFailure).toMatchObject({ kind: 'session-refused', cause: 33, severity: 'permanent' });
    const first = driver.status().nextAttemptAt! - clock.now();
    // The time until the next attempt is the T3402-like backoff, less the steps `until` took.
    expect(first).toBeGreaterThan(715_000);
    expect(first).toBeLessThanOrEqual(720_000);
    await until(clock, () => driver.status().counters['failures_session-refused'] === 2, 20 * 60_000, 10_000);
    expect(driver.status().counters.rests).toBe(1);
    expect(driver.status().nextAttemptAt! - clock.now()).toBeGreaterThan(3_500_000);
    await driver.stop();
  });

  it('reopens the port after it disappears and comes back', async () => {
    const { clock, driver, channel, channels, modem } = setup();
    modem.stat = 1;
    driver.start();
    await until(clock, () => driver.status().online);
    channel().drop();
    await until(clock, () => driver.status().counters.online === 2, 120_000);
    expect(channels).toHaveLength(2);
    expect(driver.status().counters['losses_port-closed']).toBe(1);
    // The context survived the port blink: the agent adopts it instead of activating again.
    expect(driver.status().counters.sessions_adopted).toBe(1);
    await driver.stop();
  });

  it('closes the data session politely on stop', async () => {
    const { clock, driver, channel, modem } = setup();
    modem.stat = 1;
    driver.start();
    await until(clock, () => driver.status().online);
    const ch = channel();
    const stopping = driver.stop();
    await clock.advance(10);
    await stopping;
    expect(ch.sent.at(-1)).toBe('AT+CGACT=0,1');
    expect(ch.isOpen).toBe(false);
    expect(driver.status().state).toBe('stopped');
  });
});
