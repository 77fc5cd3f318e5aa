import { describe, expect, it } from 'vitest';
import type { AtResponse } from '../at/types.js';
import { dialectById, pickDialect } from './dialects.js';

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
