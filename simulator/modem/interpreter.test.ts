import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { bootedModem, TEST_ICCID, TEST_IMEI, TEST_IMSI } from './testing/terminal.js';

describe('generic dialect transcript', () => {
  it('boots with RDY and +CPIN: READY, echo on', async () => {
    const { term } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    expect(term.take()).toEqual(['RDY', '+CPIN: READY']);
    expect(await term.at('AT')).toEqual(['AT', 'OK']);
    expect(await term.at('ATE0')).toEqual(['ATE0', 'OK']);
    expect(await term.at('AT')).toEqual(['OK']);
  });

  it('identifies itself and its SIM', async () => {
    const { term } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CGSN')).toEqual([TEST_IMEI, 'OK']);
    expect(await term.at('AT+GSN')).toEqual([TEST_IMEI, 'OK']);
    expect(await term.at('AT+CIMI')).toEqual([TEST_IMSI, 'OK']);
    expect(await term.at('AT+CCID')).toEqual([`+CCID: ${TEST_ICCID}`, 'OK']);
    expect(await term.at('AT+CPIN?')).toEqual(['+CPIN: READY', 'OK']);
    expect(await term.at('AT+CGMM')).toEqual(['GENERIC-LTE-M', 'OK']);
  });

  it('answers unknown commands per CMEE and never breaks on malformed input', async () => {
    const { term } = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+NOPE')).toEqual(['ERROR']);
    await term.at('AT+CMEE=1');
    expect(await term.at('AT+NOPE')).toEqual(['+CME ERROR: 4']);
    await term.at('AT+CMEE=2');
    expect(await term.at('AT+NOPE')).toEqual(['+CME ERROR: operation not supported']);
    expect(await term.at('AT+CEREG=9')).toEqual(['+CME ERROR: incorrect parameters']);
    expect(await term.at('AT+CGDCONT=1,"IP,"x')).toEqual(['+CME ERROR: incorrect parameters']);
    expect(await term.at('AT\x00\xff+CSQ')).toEqual(['ERROR']);
    expect(await term.at('ATE0;+CMEE=2;+CEREG=2')).toEqual(['OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 2,1,"1A2B","01A2D101",7', 'OK']);
  });
});
