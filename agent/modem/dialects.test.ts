import { describe, expect, it } from 'vitest';
import type { AtResponse } from '../at/types.js';
import { chooseDialect, dialectById, dialects, pickDialect } from './dialects.js';

const ok = (lines: string[]): AtResponse => ({ lines, final: { kind: 'ok' } });
const texts = (rows: ReadonlyArray<{ command: { text: string } }>): string[] => rows.map((r) => r.command.text);
const apn = { apn: 'soracom.io', user: 'sora', password: 'sora', auth: 'chap' as const };

describe('pickDialect', () => {
  it.each([
    ['BG96', 'bg96'],
    ['BG95-M3', 'bg95'],
    ['SIMCOM_SIM7080G', 'sim7080'],
    ['SIM7080', 'sim7080'],
    ['GENERIC-LTE-M', 'generic'],
    [undefined, 'generic'],
  ] as const)('%s → %s', (model, id) => {
    expect(pickDialect(model).id).toBe(id);
  });
  it('falls back to the ATI model when +CGMM says nothing useful', () => {
    expect(pickDialect('unknown', 'BG96').id).toBe('bg96');
  });

  // Model strings as real modules print them (AT+CGMM, or the model of ATI).
  it.each([
    ['EC25', 'ec25', 'Quectel EC25 datasheet name; 2c7c:0125 (Pine64-Arch#185)'],
    ['EG25', 'ec25', 'EG25-G revision EG25GGBR07A08M2G (commaai/openpilot#37330)'],
    ['EC21', 'ec25', 'Quectel EC21 (ARMmbed/mbed-os#12412)'],
    ['SIMCOM_SIM7600G-H', 'sim7600', 'Xinyuan-LilyGO/LilyGo-Modem-Series#471'],
    ['SIMCOM_SIM7600JC-H', 'sim7600', 'vshymanskyy/TinyGSM#676'],
    ['SARA-R412M-02B', 'sara-r4', 'vshymanskyy/TinyGSM#257'],
    ['SARA-R410M-02B', 'sara-r4', 'vshymanskyy/TinyGSM#244'],
    ['SARA-R510M8S', 'sara-r5', 'u-blox/ubxlib#224'],
    ['nRF9160-SICA', 'nrf91', 'vshymanskyy/TinyGSM#486'],
    ['ME910C1-WW', 'me910', 'Telit ME910C1 (ARMmbed/mbed-os#11365)'],
    ['SIMCOM_SIM7000G', 'generic', 'SIM7000 has no profile of its own (LilyGO-T-SIM7000G#145)'],
    ['HE910-D', 'generic', 'Telit HE910 (gammu/gammu#455)'],
  ] as const)('%s → %s (%s)', (model, id, _source) => {
    expect(pickDialect(model).id).toBe(id);
  });

  it('says why it chose', () => {
    expect(chooseDialect('SARA-R510M8S').reason).toMatch(/SARA-R510M8S/);
    expect(chooseDialect(undefined, undefined).reason).toMatch(/did not say/);
    expect(chooseDialect('HE910-D').reason).toMatch(/no profile matches 'HE910-D'/);
  });
});

describe('new module profiles', () => {
  it('every profile names its quirks and registration reports, EPS first', () => {
    for (const d of dialects) {
      expect(d.quirks.length).toBeGreaterThan(0);
      expect(d.registration[0]).toBe('eps');
    }
  });

  it('EC25 keeps automatic RAT, activates with QIACT and reads +CGREG as its 3G fallback', () => {
    const ec25 = dialectById('ec25');
    expect(texts(ec25.rat('lte-m'))).toEqual(['AT+QCFG="nwscanmode",0,1']);
    expect(texts(ec25.activate())).toEqual(['AT+QIACT=1']);
    expect(ec25.registration).toEqual(['eps', 'ps']);
  });

  it('SIM7600 activates the 27.007 context and resets with AT+CRESET', () => {
    const sim = dialectById('sim7600');
    expect(texts(sim.activate())).toEqual(['AT+CGATT=1', 'AT+CGACT=1,1']);
    expect(sim.reset.text).toBe('AT+CRESET');
    expect(sim.iccid.parse(ok(['+ICCID: 8901260487759545390F']))).toBe('8901260487759545390');
  });

  it('SARA-R4 has no PSD profiles and resets with CFUN=15; SARA-R5 uses UPSD/UPSDA and +UUPSDD', () => {
    const r4 = dialectById('sara-r4');
    expect([...texts(r4.activate()), ...texts(r4.deactivate())].some((t) => t.startsWith('AT+UPSD'))).toBe(false);
    expect(r4.reset.text).toBe('AT+CFUN=15');
    expect(r4.bootUrc).toBeUndefined();
    expect(texts(r4.rat('lte-m'))).toEqual(['AT+COPS=2', 'AT+URAT=7', 'AT+COPS=0']);
    const r5 = dialectById('sara-r5');
    expect(texts(r5.activate())).toEqual(['AT+CGACT=1,1', 'AT+UPSD=0,100,1', 'AT+UPSDA=0,3']);
    expect(r5.address.parse(ok(['+UPSND: 0,0,"100.92.188.77"']))).toBe('100.92.188.77');
    expect(r5.active!.parse(ok(['+UPSND: 0,8,1']))).toBe(true);
    expect(r5.lossUrcs[0]!.isLoss('0', r5.cid)).toBe(true);
    expect(r5.lossUrcs[0]!.isLoss('1', r5.cid)).toBe(false);
  });

  it('ME910 activates with #SGACT and reads its state from #SGACT?', () => {
    const me = dialectById('me910');
    expect(texts(me.activate())).toEqual(['AT#SGACT=1,1']);
    expect(me.active!.parse(ok(['#SGACT: 1,1']))).toBe(true);
    expect(me.active!.parse(ok(['#SGACT: 1,0']))).toBe(false);
    expect(me.reset.text).toBe('AT#REBOOT');
  });

  it('nRF91 configures in flight mode, uses context 0 and numeric errors', () => {
    const nrf = dialectById('nrf91');
    expect(texts(nrf.rat('nb-iot'))).toEqual(['AT+CFUN=4', 'AT%XSYSTEMMODE=0,1,0,0']);
    expect(texts(nrf.apn(apn))).toEqual(['AT+CGDCONT=0,"IP","soracom.io"', 'AT+CGAUTH=0,2,"sora","sora"', 'AT+CFUN=1']);
    expect(nrf.activate()).toEqual([]);
    expect(nrf.address.text).toBe('AT+CGPADDR=0');
    expect(nrf.pdpCid).toBe(0);
    expect(nrf.cmee).toBe(1);
    expect(nrf.bootUrc).toBe('Ready');
  });
});

describe('dialect profiles', () => {
  it('Quectel sets RAT with iotopmode and the stack context with QICSGP, activates with QIACT', () => {
    const bg96 = dialectById('bg96');
    expect(texts(bg96.rat('nb-iot'))[0]).toBe('AT+QCFG="iotopmode",1,1');
    expect(texts(bg96.rat('lte-m'))[0]).toBe('AT+QCFG="iotopmode",0,1');
    expect(texts(bg96.apn(apn))).toEqual(['AT+CGDCONT=1,"IP","soracom.io"', 'AT+QICSGP=1,1,"soracom.io","sora","sora",2']);
    expect(texts(bg96.activate())).toEqual(['AT+QIACT=1']);
    expect(bg96.activate()[0]!.command.timeoutMs).toBe(150_000);
    expect(bg96.address.parse(ok(['+QIACT: 1,1,1,"10.7.157.1"']))).toBe('10.7.157.1');
    expect(bg96.address.parse(ok([]))).toBeUndefined();
    expect(bg96.lossUrcs.find((u) => u.prefix === '+QIURC')!.isLoss('"pdpdeact",1', 1)).toBe(true);
    expect(bg96.lossUrcs.find((u) => u.prefix === '+QIURC')!.isLoss('"closed",0', 1)).toBe(false);
    expect(bg96.iccid.parse(ok(['+QCCID: 89811000000000000017']))).toBe('89811000000000000017');
  });

  it('SIM7080 never activates with +CGACT: it uses +CNACT and watches +APP PDP', () => {
    const sim = dialectById('sim7080');
    const all = [...texts(sim.activate()), ...texts(sim.deactivate())];
    expect(all.some((t) => t.startsWith('AT+CGACT'))).toBe(false);
    expect(all).toContain('AT+CNACT=0,1');
    expect(all).toContain('AT+CNACT=0,0');
    expect(texts(sim.rat('nb-iot'))).toEqual(['AT+CNMP=38', 'AT+CMNB=2']);
    expect(texts(sim.apn({ ...apn, auth: 'none' }))[1]).toBe('AT+CNCFG=0,1,"soracom.io"');
    expect(sim.address.parse(ok(['+CNACT: 0,1,"10.94.136.72"', '+CNACT: 1,0,"0.0.0.0"']))).toBe('10.94.136.72');
    expect(sim.lossUrcs.find((u) => u.prefix === '+APP PDP')!.isLoss('0,DEACTIVE', 0)).toBe(true);
    expect(sim.lossUrcs.find((u) => u.prefix === '+APP PDP')!.isLoss('0,ACTIVE', 0)).toBe(false);
    expect(sim.iccid.parse(ok(['89882280666027595366']))).toBe('89882280666027595366');
  });

  it('generic 27.007 attaches, activates with +CGACT and reads +CGPADDR', () => {
    const generic = dialectById('generic');
    expect(texts(generic.activate())).toEqual(['AT+CGATT=1', 'AT+CGACT=1,1']);
    expect(texts(generic.apn(apn))).toEqual(['AT+CGDCONT=1,"IP","soracom.io"', 'AT+CGAUTH=1,2,"sora","sora"']);
    expect(generic.address.parse(ok(['+CGPADDR: 1,"10.160.23.7"']))).toBe('10.160.23.7');
  });

  it('refuses an APN that would break the command line', () => {
    expect(() => dialectById('generic').apn({ ...apn, apn: 'a"b' })).toThrow(/quotes/);
  });
});
