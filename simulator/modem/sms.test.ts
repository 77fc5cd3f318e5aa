import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { decodeDeliver } from '../../common/sms/pdu.js';
import type { SmsDeliverOrder } from '../../platform/contract/network-gate.js';
import { LocalNetworkGate } from '../network/local-network-gate.js';
import { executeControl } from './control.js';
import { TEST_IMSI, bootedModem } from './testing/terminal.js';

/**
 * The 27.005 message service of the simulated module, answered as real modules do (formats from
 * TS 27.005 §3 and the Quectel BG96 / SIMCom SMS application notes: `+CMTI: "ME",0`,
 * `+CMGR: 0,,26` then the PDU, `+CMGL: <index>,<stat>,,<length>`, `+CMS ERROR: 321`).
 */
const T0 = Date.UTC(2026, 0, 26, 20, 0, 0);
const order = (text: string, extra: Partial<SmsDeliverOrder> = {}): SmsDeliverOrder => ({
  imsi: TEST_IMSI, messageId: `m-${text.length}`, originator: '900100', encoding: 'gsm7', text, sentAt: T0, utcOffsetMinutes: 540, ...extra,
});

async function modem() {
  const clock = new VirtualClock(T0);
  const gate = new LocalNetworkGate();
  const booted = await bootedModem({ dialect: 'bg96', clock, gate });
  await booted.term.run(500);
  return { ...booted, gate, clock };
}

describe('simulated module: short messages (TS 27.005)', () => {
  it('stores an incoming message, raises +CMTI, serves it in PDU mode, deletes it', async () => {
    const { term, gate } = await modem();
    expect(await term.at('AT+CNMI?')).toEqual(['AT+CNMI?', '+CNMI: 2,1,0,0,0', 'OK']);
    gate.sendSms(order('reconnect'));
    await term.waitFor(/^\+CMTI: "ME",0$/);
    expect(gate.deliveredSms).toEqual(['m-9']);
    expect(await term.at('AT+CPMS?')).toEqual(['AT+CPMS?', '+CPMS: "ME",1,100,"ME",1,100,"ME",1,100', 'OK']);
    const read = await term.at('AT+CMGR=0');
    expect(read[1]).toMatch(/^\+CMGR: 0,,\d+$/);
    const pdu = decodeDeliver(read[2]!);
    expect(pdu).toMatchObject({ smsc: '+999000000000', originator: '900100', text: 'reconnect', timestamp: T0, utcOffsetMinutes: 540 });
    expect(Number(read[1]!.split(',')[2])).toBe(read[2]!.length / 2 - 1 - parseInt(read[2]!.slice(0, 2), 16));
    // Read once: now REC READ (stat 1).
    expect((await term.at('AT+CMGR=0'))[1]).toMatch(/^\+CMGR: 1,,/);
    expect(await term.at('AT+CMGD=0')).toEqual(['AT+CMGD=0', 'OK']);
    expect(await term.at('AT+CMGR=0')).toEqual(['AT+CMGR=0', 'OK']);
    expect(await term.at('AT+CMGR=500')).toEqual(['AT+CMGR=500', '+CMS ERROR: 321']);
  });

  it('shows text mode as modules do: header with the sender and SCTS, UCS2 as hex', async () => {
    const { term, gate } = await modem();
    await term.at('AT+CMGF=1');
    gate.sendSms(order('Price 5€'));
    gate.sendSms(order('再接続', { encoding: 'ucs2', messageId: 'u' }));
    await term.waitFor(/^\+CMTI: "ME",1$/);
    expect(await term.at('AT+CMGL="ALL"')).toEqual([
      'AT+CMGL="ALL"',
      '+CMGL: 0,"REC UNREAD","900100",,"26/01/27,05:00:00+36"',
      'Price 5?',
      '+CMGL: 1,"REC UNREAD","900100",,"26/01/27,05:00:00+36"',
      '518D63A57D9A',
      'OK',
    ]);
    await term.at('AT+CSDH=1');
    expect((await term.at('AT+CMGR=0'))[1]).toBe('+CMGR: "REC READ","900100",,"26/01/27,05:00:00+36",129,4,0,0,"+999000000000",145,8');
    expect(await term.at('AT+CMGL="REC UNREAD"')).toEqual(['AT+CMGL="REC UNREAD"', 'OK']);
    expect(await term.at('AT+CMGL="SOMETHING"')).toEqual(['AT+CMGL="SOMETHING"', '+CMS ERROR: 305']);
  });

  it('routes messages with +CMT when CNMI asks for it, without storing them', async () => {
    const { term, gate } = await modem();
    await term.at('AT+CNMI=2,2,0,0,0');
    gate.sendSms(order('refresh-status'));
    const lines = await term.waitFor(/^[0-9A-F]{20,}$/);
    const i = lines.findIndex((l) => /^\+CMT: ,\d+$/.test(l));
    expect(decodeDeliver(lines[i + 1]!).text).toBe('refresh-status');
    expect(await term.at('AT+CPMS?')).toEqual(['AT+CPMS?', '+CPMS: "ME",0,100,"ME",0,100,"ME",0,100', 'OK']);
  });

  it('concatenates a long message as parts with a UDH, listed in PDU mode', async () => {
    const { modem: m, term } = await modem();
    expect(executeControl(m, `sms +447700900123 ${'hello'.repeat(70)}`)).toBe('ok: 3 parts (gsm7) from +447700900123');
    await term.waitFor(/^\+CMTI: "ME",2$/);
    const list = await term.at('AT+CMGL=4');
    const pdus = list.filter((l) => /^[0-9A-F]{20,}$/.test(l)).map(decodeDeliver);
    expect(pdus.map((p) => p.concat?.seq)).toEqual([1, 2, 3]);
    expect(pdus.map((p) => p.text).join('')).toBe('hello'.repeat(70));
    expect(list.filter((l) => l.startsWith('+CMGL:'))).toEqual(['+CMGL: 0,0,,159', '+CMGL: 1,0,,159', '+CMGL: 2,0,,64']);
  });

  it('holds messages back while memory is full and delivers them once a message is deleted', async () => {
    const { modem: m, term, gate } = await modem();
    executeControl(m, 'sms-capacity ME 2');
    gate.sendSms(order('one', { messageId: 'a' }));
    gate.sendSms(order('two', { messageId: 'b' }));
    gate.sendSms(order('three', { messageId: 'c' }));
    await term.waitFor(/^\+CMTI: "ME",1$/);
    await term.run(200);
    expect(gate.deliveredSms).toEqual(['a', 'b']);
    expect(m.radio.smsWaiting).toBe(1);
    expect(await term.at('AT+CPMS?')).toEqual(['AT+CPMS?', '+CPMS: "ME",2,2,"ME",2,2,"ME",2,2', 'OK']);
    await term.atThen('AT+CMGD=0', /^\+CMTI: "ME",0$/);
    expect(gate.deliveredSms).toEqual(['a', 'b', 'c']);
    expect(decodeDeliver((await term.at('AT+CMGR=0'))[2]!).text).toBe('three');
    await term.at('AT+CMGD=0,4');
    expect(await term.at('AT+CPMS?')).toEqual(['AT+CPMS?', '+CPMS: "ME",0,2,"ME",0,2,"ME",0,2', 'OK']);
  });

  it('waits at the SMSC while the module is not registered', async () => {
    const { term, gate } = await modem();
    await term.at('AT+CFUN=0');
    gate.sendSms(order('later'));
    await term.run(200);
    expect(gate.deliveredSms).toEqual([]);
    await term.atThen('AT+CFUN=1', /^\+CMTI: "ME",0$/);
    expect(gate.deliveredSms).toEqual(['m-5']);
  });

  it('refuses memories it lacks and keeps the settings after a reboot only where modules do', async () => {
    const { modem: m, term } = await modem();
    expect(await term.at('AT+CPMS="BM"')).toEqual(['AT+CPMS="BM"', '+CMS ERROR: 302']);
    expect(await term.at('AT+CPMS="SM","SM","SM"')).toEqual(['AT+CPMS="SM","SM","SM"', '+CPMS: 0,30,0,30,0,30', 'OK']);
    await term.at('AT+CMGF=1');
    executeControl(m, 'sms +15551234567 kept');
    await term.waitFor(/^\+CMTI: "SM",0$/);
    m.faults.reboot();
    await term.run(1000);
    expect(await term.at('AT+CMGF?')).toEqual(['AT+CMGF?', '+CMGF: 0', 'OK']);
    expect((await term.at('AT+CMGL=4')).filter((l) => l.startsWith('+CMGL'))).toEqual(['+CMGL: 0,0,,23']);
  });
});
