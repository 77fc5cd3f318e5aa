import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { LocalNetworkGate } from '../network/local-network-gate.js';
import { bootedModem, TEST_IMSI } from './testing/terminal.js';

describe('fault injection', () => {
  it('drop port: the device disappears, input is lost, it comes back after the delay', async () => {
    const clock = new VirtualClock();
    const { term, modem } = await bootedModem({ dialect: 'bg96', clock });
    const changes: boolean[] = [];
    modem.onPortChange((p) => changes.push(p));
    modem.faults.dropPort(5000);
    expect(modem.portPresent).toBe(false);
    term.take();
    modem.write('AT\r');
    await term.run(4000);
    expect(term.take()).toEqual([]);
    await term.run(1100);
    expect(modem.portPresent).toBe(true);
    expect(changes).toEqual([false, true]);
    expect(await term.at('AT')).toEqual(['AT', 'OK']);
  });

  it('mute: nothing answers until unmuted; garbage: noise before or instead of answers', async () => {
    const { term, modem } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await term.at('ATE0');
    modem.faults.mute();
    modem.write('AT\r');
    await term.run(1000);
    expect(term.take()).toEqual([]);
    modem.faults.unmute();
    expect(await term.at('AT')).toEqual(['OK']);
    modem.faults.garbage('inject');
    const noisy = await term.at('AT+CSQ');
    expect(noisy.slice(-2)).toEqual(['+CSQ: 24,99', 'OK']);
    expect(noisy.length).toBeGreaterThan(2);
    modem.faults.garbage('replace');
    modem.write('AT\r');
    await term.run(500);
    const text = term.output.slice(-200);
    expect(text).not.toMatch(/\r\nOK\r\n$/);
    modem.faults.garbage('off');
    expect(await term.at('AT')).toEqual(['OK']);
  });

  it('reboot: silent, then RDY..., echo on, unregistered, settings as after boot, sessions closed', async () => {
    const clock = new VirtualClock();
    const gate = new LocalNetworkGate();
    const { term, modem } = await bootedModem({ dialect: 'bg96', clock, gate, realistic: true });
    await term.at('ATE0');
    await term.at('AT+CEREG=2');
    await term.at('AT+QICSGP=1,1,"soracom.io","sora","sora",1');
    await term.at('AT+QIACT=1');
    expect(gate.listSessions()).toHaveLength(1);
    term.take();
    modem.faults.reboot();
    modem.write('AT\r');
    await term.run(1000);
    expect(term.take()).toEqual([]);
    expect(gate.listSessions()).toHaveLength(0);
    await term.waitFor(/APP RDY/, 30_000);
    expect(await term.at('AT+CEREG?')).toEqual(['AT+CEREG?', '+CEREG: 0,2', 'OK']);
    // The APN lives in NV and survives the reset.
    expect(await term.at('AT+QICSGP=1')).toEqual(['AT+QICSGP=1', '+QICSGP: 1,"soracom.io","sora","sora",1', 'OK']);
    await term.run(15_000);
    expect(await term.at('AT+CEREG?')).toEqual(['AT+CEREG?', '+CEREG: 0,1', 'OK']);
  });

  it('AT+CFUN=1,1 answers OK and then reboots with the boot URCs', async () => {
    const { term } = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock() });
    await term.at('ATE0');
    const lines = await term.atThen('AT+CFUN=1,1', /SMS Ready/);
    expect(lines).toEqual(['OK', 'RDY', '+CFUN: 1', '+CPIN: READY', 'SMS Ready']);
    expect(await term.at('AT')).toEqual(['AT', 'OK']);
  });

  it('coverage loss: bearer dropped, +CEREG: 4 (2 on Quectel), NW DETACH; back: searching then home', async () => {
    const { term, modem } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await term.at('ATE0');
    await term.at('AT+CEREG=1');
    await term.at('AT+CGEREP=2,1');
    await term.atThen('AT+CGACT=1,1', /ME PDN ACT/);
    modem.faults.coverage(false);
    expect(await term.waitFor(/NW DETACH/)).toEqual(['+CGEV: NW PDN DEACT 1', '+CEREG: 4', '+CGEV: NW DETACH']);
    expect(await term.at('AT+CSQ')).toEqual(['+CSQ: 99,99', 'OK']);
    modem.faults.coverage(true);
    expect(await term.waitFor(/^\+CEREG: 1/)).toEqual(['+CEREG: 2', '+CEREG: 1']);
    const bg = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    await bg.term.at('ATE0');
    await bg.term.at('AT+CEREG=1');
    bg.modem.faults.coverage(false);
    expect(await bg.term.waitFor(/CEREG/)).toEqual(['+CEREG: 2']);
  });

  it('deactivate PDP: vendor URCs per dialect', async () => {
    const sim = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock() });
    await sim.term.at('ATE0');
    await sim.term.atThen('AT+CNACT=0,1', /ACTIVE/);
    sim.modem.faults.deactivatePdp();
    expect(await sim.term.waitFor(/APP PDP/)).toEqual(['+APP PDP: 0,DEACTIVE']);
    expect(await sim.term.at('AT+CNACT?')).toContain('+CNACT: 0,0,"0.0.0.0"');
  });

  it('SIM out / in: +CPIN: NOT READY, CME 10, then READY and QUSIM and registration again', async () => {
    const { term, modem } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    await term.at('ATE0');
    await term.at('AT+CEREG=1');
    modem.faults.removeSim();
    expect(await term.waitFor(/CEREG/)).toEqual(['+CPIN: NOT READY', '+CEREG: 0']);
    expect(await term.at('AT+CPIN?')).toEqual(['+CME ERROR: 10']);
    expect(await term.at('AT+CIMI')).toEqual(['+CME ERROR: 10']);
    modem.faults.insertSim();
    expect(await term.waitFor(/^\+CEREG: 1/)).toEqual(['+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+CEREG: 2', '+CEREG: 1']);
    expect(await term.at('AT+CIMI')).toEqual([TEST_IMSI, 'OK']);
  });

  it('reject registration with a cause: detached and denied until lifted', async () => {
    const { term, modem } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await term.at('ATE0');
    await term.at('AT+CEREG=3');
    modem.faults.rejectRegistration(7);
    expect(await term.waitFor(/^\+CEREG: 3/)).toEqual(['+CEREG: 2', '+CEREG: 3,"1A2B","01A2D101",7,0,7']);
    expect(await term.at('AT+CEER')).toEqual(['+CEER: "EMM cause",7,"EPS services not allowed"', 'OK']);
    modem.faults.rejectRegistration(undefined);
    expect(await term.waitFor(/^\+CEREG: 1/)).toEqual(['+CEREG: 2', '+CEREG: 1,"1A2B","01A2D101",7']);
  });
});
