import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { LocalNetworkGate } from '../network/local-network-gate.js';
import { bootedModem, TEST_IMSI } from './testing/terminal.js';

describe('registration and PDP flows on a virtual clock', () => {
  it('searches, then registers after the module registration latency', async () => {
    const clock = new VirtualClock();
    const { term } = await bootedModem({ dialect: 'bg96', clock, realistic: true });
    await term.at('ATE0');
    await term.at('AT+CEREG=2');
    await term.at('AT+CFUN=0');
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 2,0', 'OK']);
    term.take();
    const before = clock.now();
    expect(await term.atThen('AT+CFUN=1', /^\+CEREG: 1,/)).toEqual(['OK', '+CEREG: 2', '+CEREG: 1,"1A2B","01A2D101",8']);
    // Registration takes seconds (BG96 profile ~5 s ± 20 %), not an instant.
    expect(clock.now() - before).toBeGreaterThan(3000);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 2,1,"1A2B","01A2D101",8', 'OK']);
  });

  it('shows a registration reject with its EMM cause in +CEREG (n=3) and AT+CEER', async () => {
    const gate = new LocalNetworkGate();
    gate.setAttachReject(TEST_IMSI, 15);
    const { term } = await bootedModem({ dialect: 'generic', clock: new VirtualClock(), gate });
    await term.at('ATE0');
    await term.at('AT+CEREG=3');
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 3,3,"1A2B","01A2D101",7,0,15', 'OK']);
    expect(await term.at('AT+CEER')).toEqual(['+CEER: "EMM cause",15,"No suitable cells in tracking area"', 'OK']);
    await term.at('AT+CMEE=1');
    // A new attach attempt: searching, rejected again, and the command fails with the mapped cause.
    expect(await term.at('AT+CGATT=1')).toEqual(['+CEREG: 2', '+CEREG: 3,"1A2B","01A2D101",7,0,15', '+CME ERROR: 115']);
    expect(await term.at('AT+CEREG=5')).toEqual(['OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 5,3,"1A2B","01A2D101",7,0,15,"00000000","00111000"', 'OK']);
    gate.setAttachReject(TEST_IMSI, undefined);
    await term.at('AT+CFUN=0');
    expect((await term.atThen('AT+CFUN=1', /^\+CEREG: 1/)).at(-1)).toBe('+CEREG: 1,"1A2B","01A2D101",7,,,"00000000","00111000"');
    expect(await term.at('AT+CEREG=4')).toEqual(['OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 4,1,"1A2B","01A2D101",7,,,"00000000","00111000"', 'OK']);
  });

  it('generic flow: CGDCONT, CGAUTH, CGATT, CGACT, CGPADDR, with a slower activation than a query', async () => {
    const clock = new VirtualClock();
    const gate = new LocalNetworkGate();
    const { term } = await bootedModem({ dialect: 'generic', clock, gate, realistic: true });
    await term.at('ATE0');
    expect(await term.at('AT+CGDCONT=1,"IP","soracom.io"')).toEqual(['OK']);
    expect(await term.at('AT+CGAUTH=1,1,"sora","sora"')).toEqual(['OK']);
    expect(await term.at('AT+CGDCONT?')).toEqual(['+CGDCONT: 1,"IP","soracom.io","0.0.0.0",0,0', 'OK']);
    expect(await term.at('AT+CGATT=1')).toEqual(['OK']);
    expect(await term.at('AT+CGEREP=2,1')).toEqual(['OK']);
    let t = clock.now();
    await term.at('AT+CSQ');
    const queryTime = clock.now() - t;
    t = clock.now();
    expect(await term.atThen('AT+CGACT=1,1', /CGEV/)).toEqual(['OK', '+CGEV: ME PDN ACT 1']);
    expect(clock.now() - t).toBeGreaterThan(queryTime * 10);
    expect(await term.at('AT+CGACT?')).toEqual(['+CGACT: 1,1', 'OK']);
    expect(await term.at('AT+CGPADDR=1')).toEqual(['+CGPADDR: 1,"10.128.0.1"', 'OK']);
    expect(gate.listSessions()).toMatchObject([{ imsi: TEST_IMSI, apn: 'soracom.io', ueIpAddress: '10.128.0.1', cell: { mcc: '440', mnc: '10' } }]);
    expect(await term.at('AT+CGACT=0,1')).toEqual(['OK']);
    expect(gate.listSessions()).toEqual([]);
  });

  it('a refused session fails activation with the ESM cause and the modem stays registered', async () => {
    const gate = new LocalNetworkGate();
    gate.setSessionRefusal(TEST_IMSI, { esmCause: 33, permanent: true });
    const { term } = await bootedModem({ dialect: 'generic', clock: new VirtualClock(), gate });
    await term.at('ATE0');
    await term.at('AT+CMEE=2');
    expect(await term.at('AT+CGACT=1,1')).toEqual(['+CME ERROR: requested service option not subscribed']);
    expect(await term.at('AT+CEER')).toEqual(['+CEER: "ESM cause",33,"Requested service option not subscribed"', 'OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 0,1', 'OK']);
    const bg = await bootedModem({ dialect: 'bg96', clock: new VirtualClock(), gate });
    await bg.term.at('ATE0');
    await bg.term.at('AT+CMEE=2');
    // Quectel's TCP/IP commands end a failed activation with a bare ERROR.
    expect(await bg.term.at('AT+QIACT=1')).toEqual(['ERROR']);
    expect(await bg.term.at('AT+CEER')).toEqual(['+CEER: "ESM cause",33,"Requested service option not subscribed"', 'OK']);
  });

  it('a session deleted by the network gives +CGEV: NW PDN DEACT and the vendor URC', async () => {
    const gate = new LocalNetworkGate();
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock(), gate });
    await term.at('ATE0');
    await term.at('AT+CGEREP=2,1');
    await term.at('AT+QIACT=1');
    term.take();
    expect(gate.deleteSession(TEST_IMSI)).toBe(1);
    const lines = await term.waitFor(/pdpdeact/);
    expect(lines).toEqual(['+CGEV: NW PDN DEACT 1', '+QIURC: "pdpdeact",1']);
    expect(await term.at('AT+QIACT?')).toEqual(['OK']);
    expect(await term.at('AT+CGATT?')).toEqual(['+CGATT: 1', 'OK']);
  });

  it('reports usage to the gate periodically and when the session closes', async () => {
    const clock = new VirtualClock();
    const gate = new LocalNetworkGate();
    const { term, modem } = await bootedModem({ dialect: 'generic', clock, gate, usageReportIntervalMs: 60_000 });
    await term.at('AT+CGACT=1,1');
    modem.addTraffic(1, 1000, 5000);
    await term.run(61_000, 1000);
    expect(gate.usage(TEST_IMSI)).toEqual({ uplinkBytes: 1000, downlinkBytes: 5000 });
    modem.addTraffic(1, 10, 20);
    await term.at('AT+CGACT=0,1');
    expect(gate.usage(TEST_IMSI)).toEqual({ uplinkBytes: 1010, downlinkBytes: 5020 });
  });

  it('switching profiles on the card re-attaches with the new IMSI (immediate on Quectel)', async () => {
    const listeners = new Set<() => void>();
    const card = {
      iccid: '8981100000000000018' as string | undefined,
      imsi: '440100000000001' as string | undefined,
      openChannel: () => ({ sw: 0x6a82 }),
      transmit: () => Uint8Array.of(0x6a, 0x82),
      closeChannel: () => false,
      onRefresh: (l: () => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock(), sim: card });
    await term.at('ATE0');
    card.imsi = '440100000000099';
    card.iccid = '8981100000000000992';
    for (const l of listeners) l();
    await term.waitFor(/QUSIM/);
    expect(await term.at('AT+CIMI')).toEqual(['440100000000099', 'OK']);
    const sim = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock(), sim: { ...card, onRefresh: card.onRefresh } });
    await sim.term.at('ATE0');
    expect(await sim.term.at('AT+CIMI')).toEqual(['440100000000099', 'OK']);
  });
});
