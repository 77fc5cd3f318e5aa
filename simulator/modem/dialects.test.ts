import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { LocalNetworkGate } from '../network/local-network-gate.js';
import { bootedModem, TEST_ICCID, TEST_IMEI } from './testing/terminal.js';

describe('Quectel BG96 transcript', () => {
  it('boots like a BG96 and speaks the Quectel commands', async () => {
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', 'APP RDY']);
    expect(await term.at('ATI')).toEqual(['ATI', 'Quectel', 'BG96', 'Revision: BG96MAR02A07M1G', 'OK']);
    await term.at('ATE0');
    expect(await term.at('AT+QCCID')).toEqual([`+QCCID: ${TEST_ICCID}`, 'OK']);
    expect(await term.at('AT+ICCID')).toEqual(['ERROR']);
    expect(await term.at('AT+QCFG="iotopmode",0,1')).toEqual(['OK']);
    expect(await term.at('AT+QCFG="iotopmode"')).toEqual(['+QCFG: "iotopmode",0', 'OK']);
    expect(await term.at('AT+QCFG="nwscanseq",020301,1')).toEqual(['OK']);
    expect(await term.at('AT+QCFG="nwscanseq"')).toEqual(['+QCFG: "nwscanseq",020301', 'OK']);
    expect(await term.at('AT+QCFG="nwscanmode",3,1')).toEqual(['OK']);
    expect(await term.at('AT+QCFG="band",0xf,0x80084,0x80084,1')).toEqual(['OK']);
    expect(await term.at('AT+QCFG="band"')).toEqual(['+QCFG: "band",0xf,0x80084,0x80084', 'OK']);
    expect(await term.at('AT+QCFG="bogus",1')).toEqual(['+CME ERROR: 50']);
    expect(await term.at('AT+QSIMDET=1,0')).toEqual(['OK']);
    expect(await term.at('AT+QSIMDET?')).toEqual(['+QSIMDET: 1,0', 'OK']);
    expect(await term.at('AT+QNWINFO')).toEqual(['+QNWINFO: "eMTC","44010","LTE BAND 1",300', 'OK']);
    expect(await term.at('AT+COPS?')).toEqual(['+COPS: 0,0,"NTT DOCOMO",8', 'OK']);
    expect(await term.at('AT+CSQ')).toEqual(['+CSQ: 24,99', 'OK']);
    expect(await term.at('AT+CESQ')).toEqual(['+CESQ: 99,99,255,255,20,49', 'OK']);
    // BG96MAR02A10M1G: +QCSQ: "NOSERVICE","GSM","CAT-M1","CAT-NB1" (FreeRTOS/FreeRTOS-Cellular-Interface#25).
    expect(await term.at('AT+QCSQ=?')).toEqual(['+QCSQ: "NOSERVICE","GSM","CAT-M1","CAT-NB1"', 'OK']);
    expect(await term.at('AT+QCSQ')).toEqual(['+QCSQ: "CAT-M1",-65,-92,175,-10', 'OK']);
    expect(await term.at('AT+CNACT?')).toEqual(['ERROR']);
  });

  it('activates with QICSGP / QIACT and reports the address', async () => {
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+QICSGP=1,1,"soracom.io","sora","sora",1')).toEqual(['OK']);
    expect(await term.at('AT+QICSGP=1')).toEqual(['+QICSGP: 1,"soracom.io","sora","sora",1', 'OK']);
    expect(await term.at('AT+QIACT=1')).toEqual(['OK']);
    expect(await term.at('AT+QIACT?')).toEqual(['+QIACT: 1,1,1,"10.128.0.1"', 'OK']);
    expect(await term.at('AT+QIACT=1')).toEqual(['ERROR']);
    expect(await term.at('AT+CGPADDR=1')).toEqual(['+CGPADDR: 1,"10.128.0.1"', 'OK']);
    expect(await term.at('AT+QIDEACT=1')).toEqual(['OK']);
    expect(await term.at('AT+QIACT?')).toEqual(['OK']);
  });

  it('AT+QPOWD=1: OK, POWERED DOWN, the device vanishes, and the module comes back booting', async () => {
    const { term, modem } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+QPOWD=1')).toEqual(['OK', 'POWERED DOWN']);
    await term.run(100);
    expect(modem.portPresent).toBe(false);
    await term.run(5_000);
    expect(modem.portPresent).toBe(true);
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', 'APP RDY']);
  });

  it('BG95 identifies as BG95-M3 and reports NB-IoT when told to', async () => {
    const { term } = await bootedModem({ dialect: 'bg95', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CGMM')).toEqual(['BG95-M3', 'OK']);
    expect(await term.at('AT+CGMI')).toEqual(['Quectel', 'OK']);
    await term.at('AT+QCFG="iotopmode",1,1');
    await term.at('AT+CEREG=2');
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 2,1,"1A2B","01A2D101",9', 'OK']);
    expect(await term.at('AT+QNWINFO')).toEqual(['+QNWINFO: "NBIoT","44010","LTE BAND 1",300', 'OK']);
  });
});

describe('SIMCom SIM7080G transcript', () => {
  it('boots like a SIM7080G and answers its identification', async () => {
    const { term } = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock() });
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', 'SMS Ready']);
    await term.at('ATE0');
    expect(await term.at('ATI')).toEqual(['Manufacturer: SIMCOM_Ltd', 'Model: SIMCOM_SIM7080G', 'Revision: 1951B04SIM7080', `IMEI: ${TEST_IMEI}`, 'OK']);
    expect(await term.at('AT+CCID')).toEqual([TEST_ICCID, 'OK']);
    expect(await term.at('AT+QCCID')).toEqual(['ERROR']);
    expect(await term.at('AT+CNMP=38')).toEqual(['OK']);
    expect(await term.at('AT+CNMP?')).toEqual(['+CNMP: 38', 'OK']);
    expect(await term.at('AT+CMNB=1')).toEqual(['OK']);
    expect(await term.at('AT+CMNB?')).toEqual(['+CMNB: 1', 'OK']);
    expect(await term.at('AT+CPSI?')).toEqual(['+CPSI: LTE CAT-M1,Online,440-10,0x1A2B,27447553,302,EUTRAN-BAND1,300,3,3,-10,-92,-65,15', 'OK']);
    expect(await term.at('AT+CCHO=?')).toEqual(['ERROR']);
  });

  it('activates the app network with CNACT and reports +APP PDP', async () => {
    const { term } = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CNCFG=0,1,"soracom.io","sora","sora",3')).toEqual(['OK']);
    expect(await term.atThen('AT+CNACT=0,1', /\+APP PDP/)).toEqual(['OK', '+APP PDP: 0,ACTIVE']);
    expect(await term.at('AT+CNACT?')).toEqual([
      '+CNACT: 0,1,"10.128.0.1"', '+CNACT: 1,0,"0.0.0.0"', '+CNACT: 2,0,"0.0.0.0"', '+CNACT: 3,0,"0.0.0.0"', 'OK',
    ]);
    expect(await term.atThen('AT+CNACT=0,0', /\+APP PDP/)).toEqual(['OK', '+APP PDP: 0,DEACTIVE']);
  });

  it('reports a refused app network with +APP PDP: 0,DEACTIVE and the ESM cause in CEER', async () => {
    const gate = new LocalNetworkGate();
    gate.setSessionRefusal('*', { esmCause: 33, permanent: true });
    const { term } = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock(), gate });
    await term.at('ATE0');
    expect(await term.atThen('AT+CNACT=0,1', /\+APP PDP/)).toEqual(['OK', '+APP PDP: 0,DEACTIVE']);
    expect(await term.at('AT+CEER')).toEqual(['+CEER: ESM cause 33,Requested service option not subscribed', 'OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 0,1', 'OK']);
  });
});
