/**
 * Transcripts of the modules added from real captures: each expectation is what the module
 * printed in the capture cited beside it (docs/modems.md lists them per module).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { LocalNetworkGate } from '../network/local-network-gate.js';
import { bootedModem, TEST_ICCID, TEST_IMEI } from './testing/terminal.js';

describe('Quectel EC25 / EG25-G', () => {
  it('boots in the captured order and answers as an EG25-G', async () => {
    const { term } = await bootedModem({ dialect: 'ec25', clock: new VirtualClock() });
    // SeeedJP/WioLTEforArduino#5 (EC21-J reboot): RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1, +QIND: SMS DONE, +QIND: PB DONE.
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+QIND: PB DONE']);
    await term.at('ATE0');
    expect(await term.at('ATI')).toEqual(['Quectel', 'EG25', 'Revision: EG25GGBR07A08M2G', 'OK']);
    // EC2x have no Cat-M/NB settings: iotopmode is refused; nwscanmode takes 2 (WCDMA).
    expect(await term.at('AT+QCFG="iotopmode",0,1')).toEqual(['+CME ERROR: 50']);
    expect(await term.at('AT+QCFG="nwscanmode",0,1')).toEqual(['OK']);
    expect(await term.at('AT+QCFG="nwscanmode",2,1')).toEqual(['OK']);
    // koshev-msk/luci-app-modeminfo#14 (EP06): +QCSQ: "LTE",...; 3ginfo-lite#43: +QNWINFO: "FDD LTE",...
    expect((await term.at('AT+QCSQ'))[0]).toMatch(/^\+QCSQ: "LTE",-?\d+,-?\d+,\d+,-?\d+$/);
    expect((await term.at('AT+QNWINFO'))[0]).toMatch(/^\+QNWINFO: "FDD LTE","\d{5}","LTE BAND \d+",\d+$/);
    // koshev-msk/luci-app-modeminfo#45 (EC25): +QENG: "servingcell","NOCONN","LTE","FDD",<mcc>,<mnc>,<ci>,...,<sinr>,-
    expect((await term.at('AT+QENG="servingcell"'))[0]).toMatch(/^\+QENG: "servingcell","NOCONN","LTE","FDD",\d+,\d+,[0-9A-F]+,\d+,\d+,\d+,3,3,[0-9A-F]+,-\d+,-\d+,-\d+,-?\d+,-$/);
    // luci-app-modeminfo#45: +CREG/+CGREG/+CEREG all report registered on LTE.
    expect(await term.at('AT+CREG?')).toEqual(['+CREG: 0,1', 'OK']);
    expect(await term.at('AT+CGREG?')).toEqual(['+CGREG: 0,1', 'OK']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 0,1', 'OK']);
  });

  it('AT+COPS=3,2 switches the operator to numeric (4IceG/luci-app-3ginfo-lite#135)', async () => {
    const { term } = await bootedModem({ dialect: 'ec25', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+COPS?')).toEqual(['+COPS: 0,0,"NTT DOCOMO",7', 'OK']);
    expect(await term.at('AT+COPS=3,2')).toEqual(['OK']);
    expect(await term.at('AT+COPS?')).toEqual(['+COPS: 0,2,"44010",7', 'OK']);
    expect(await term.at('AT+COPS=3,0')).toEqual(['OK']);
    expect(await term.at('AT+COPS?')).toEqual(['+COPS: 0,0,"NTT DOCOMO",7', 'OK']);
  });

  it('on UTRAN +CEREG says 0 while +CREG/+CGREG carry the registration (FactbirdHQ/ublox-cellular-rs startup.md)', async () => {
    const { term, modem } = await bootedModem({ dialect: 'ec25', clock: new VirtualClock() });
    await term.at('ATE0');
    await term.at('AT+CREG=2;+CGREG=2;+CEREG=2');
    expect(modem.setServingRat('utran')).toBe(true);
    expect(term.take()).toEqual(['+CREG: 1,"1A2B","01A2D101",2', '+CGREG: 1,"1A2B","01A2D101",2', '+CEREG: 0']);
    expect(await term.at('AT+CEREG?')).toEqual(['+CEREG: 2,0', 'OK']);
    expect(await term.at('AT+CGREG?')).toEqual(['+CGREG: 2,1,"1A2B","01A2D101",2', 'OK']);
  });

  it('AT+CFUN=1,1: OK, the USB device re-enumerates, then the boot lines', async () => {
    const { term, modem } = await bootedModem({ dialect: 'ec25', clock: new VirtualClock() });
    await term.at('ATE0');
    const changes: boolean[] = [];
    modem.onPortChange((present) => changes.push(present));
    expect(await term.at('AT+CFUN=1,1')).toEqual(['OK']);
    await term.run(100);
    expect(modem.portPresent).toBe(false);
    await term.run(3_000);
    expect(changes).toEqual([false, true]);
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+QIND: PB DONE']);
  });
});

describe('SIMCom SIM7600', () => {
  it('boots RDY, +CPIN: READY, SMS DONE, PB DONE (espressif/esp-protocols#789; Xinyuan-LilyGO/T-SIM7600X#90)', async () => {
    const { term } = await bootedModem({ dialect: 'sim7600', clock: new VirtualClock() });
    expect(term.take()).toEqual(['RDY', '+CPIN: READY', 'SMS DONE', 'PB DONE']);
    await term.at('ATE0');
    // Xinyuan-LilyGO/LilyGo-Modem-Series#471: the labelled identity.
    expect(await term.at('ATI')).toEqual(['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600G-H', 'Revision: LE20B05SIM7600G22', `IMEI: ${TEST_IMEI}`, '+GCAP: +CGSM', 'OK']);
    expect(await term.at('AT+CICCID')).toEqual([`+ICCID: ${TEST_ICCID}`, 'OK']);
    // SIM7600 has no app network (botletics/SIM7000-LTE-Shield#133: it does not know AT+CNACT).
    expect(await term.at('AT+CNACT?')).toEqual(['ERROR']);
    expect(await term.at('AT+CNMP=2')).toEqual(['OK']);
    // 4IceG/luci-app-3ginfo-lite#61 (SIM7906): +CPSI: LTE,Online,250-02,0x0EF8,...
    expect((await term.at('AT+CPSI?'))[0]).toMatch(/^\+CPSI: LTE,Online,\d{3}-\d{2},0x[0-9A-F]{4},\d+,\d+,EUTRAN-BAND\d+,/);
  });

  it('activates with AT+CGACT; NETCLOSE of a closed stack answers +NETCLOSE: 2 and ERROR (LilyGo-Modem-Series#110)', async () => {
    const { term } = await bootedModem({ dialect: 'sim7600', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+NETCLOSE')).toEqual(['+NETCLOSE: 2', 'ERROR']);
    expect(await term.at('AT+CGDCONT=1,"IP","soracom.io"')).toEqual(['OK']);
    expect(await term.at('AT+CGACT=1,1')).toEqual(['OK']);
    expect(await term.at('AT+CGPADDR=1')).toEqual(['+CGPADDR: 1,"10.128.0.1"', 'OK']);
    expect(await term.atThen('AT+NETOPEN', /\+NETOPEN/)).toEqual(['OK', '+NETOPEN: 0']);
  });

  it('AT+CRESET: OK, the USB ports vanish and come back, then the boot lines', async () => {
    const { term, modem } = await bootedModem({ dialect: 'sim7600', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CRESET')).toEqual(['OK']);
    await term.run(100);
    expect(modem.portPresent).toBe(false);
    await term.run(3_000);
    expect(modem.portPresent).toBe(true);
    expect(term.take()).toEqual(['RDY', '+CPIN: READY', 'SMS DONE', 'PB DONE']);
  });
});

describe('SIMCom SIM7080', () => {
  it('AT+CPOWD=1 prints NORMAL POWER DOWN and the module goes away (Xinyuan-LilyGO/LilyGo-T-SIM7080G#98)', async () => {
    const { term, modem } = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CPOWD=1')).toEqual(['NORMAL POWER DOWN']);
    await term.run(100);
    expect(modem.portPresent).toBe(false);
    await term.run(5_000);
    expect(term.take()).toEqual(['RDY', '+CFUN: 1', '+CPIN: READY', 'SMS Ready']);
  });
});

describe('u-blox SARA', () => {
  it('SARA-R412M: silent boot, labelled ATI, CFUN 15 resets, 16 answers ERROR (vshymanskyy/TinyGSM#257)', async () => {
    const { term } = await bootedModem({ dialect: 'sara-r4', clock: new VirtualClock() });
    expect(term.take()).toEqual([]);
    await term.at('ATE0');
    expect(await term.at('ATI')).toEqual(['Manufacturer: u-blox', 'Model: SARA-R412M-02B', 'Revision: M0.05.00 [Jul 06 2018 10:01:55]', 'SVN: 03', `IMEI: ${TEST_IMEI}`, 'OK']);
    expect(await term.at('AT+CFUN=16')).toEqual(['ERROR']);
    expect(await term.at('AT+CFUN=?')).toEqual(['+CFUN: (0,1,4,15),(0-1)', 'OK']);
    // vshymanskyy/TinyGSM#244: no PSD profiles on SARA-R4.
    expect(await term.at('AT+UPSD=0,100,1')).toEqual(['ERROR']);
    expect(await term.at('AT+CFUN=15')).toEqual(['OK']);
    await term.run(500);
    expect(await term.at('AT')).toEqual(['AT', 'OK']);
  });

  it('SARA-R4: +URAT is refused while registered, accepted after AT+COPS=2', async () => {
    const { term } = await bootedModem({ dialect: 'sara-r4', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+URAT=8')).toEqual(['ERROR']);
    expect(await term.at('AT+COPS=2')).toEqual(['OK']);
    expect(await term.at('AT+URAT=8')).toEqual(['OK']);
    expect(await term.at('AT+URAT?')).toEqual(['+URAT: 8', 'OK']);
  });

  it('SARA-R5: identity of u-blox/ubxlib#224, UPSDA answers OK then +UUPSDA, a network drop prints +UUPSDD', async () => {
    const { term, modem } = await bootedModem({ dialect: 'sara-r5', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.at('AT+CGMI')).toEqual(['u-blox', 'OK']);
    expect(await term.at('AT+CGMM')).toEqual(['SARA-R510M8S', 'OK']);
    expect(await term.at('ATI')).toEqual(['SARA-R510M8S-00B-03', 'OK']);
    expect(await term.at('AT+CGMR')).toEqual(['02.10', 'OK']);
    expect(await term.at('AT+CGDCONT=1,"IP","soracom.io"')).toEqual(['OK']);
    expect(await term.at('AT+UPSD=0,100,1')).toEqual(['OK']);
    // FactbirdHQ/ublox-cellular-rs startup.md: AT+UPSDA=0,3 → OK, later +UUPSDA: 0,"<ip>".
    expect(await term.atThen('AT+UPSDA=0,3', /\+UUPSDA/)).toEqual(['OK', '+UUPSDA: 0,"10.128.0.1"']);
    expect(await term.at('AT+UPSND=0,8')).toEqual(['+UPSND: 0,8,1', 'OK']);
    expect(await term.at('AT+UPSND=0,0')).toEqual(['+UPSND: 0,0,"10.128.0.1"', 'OK']);
    modem.faults.deactivatePdp(1);
    // emnify_reset_connectivity.md: the profile's loss is +UUPSDD: 0.
    expect(await term.waitFor(/\+UUPSDD/)).toContain('+UUPSDD: 0');
  });
});

describe('Telit ME910C1', () => {
  it('#SGACT answers the address before OK (pastebin.com/UYDQzQ5u); a failure reads "activation failed"', async () => {
    const gate = new LocalNetworkGate();
    const { term } = await bootedModem({ dialect: 'me910', clock: new VirtualClock(), gate });
    await term.at('ATE0');
    expect(await term.at('AT+CGMI')).toEqual(['Telit', 'OK']);
    expect(await term.at('AT#CCID')).toEqual([`#CCID: ${TEST_ICCID}`, 'OK']);
    await term.at('AT+CGDCONT=1,"IP","soracom.io"');
    expect(await term.at('AT#SGACT=1,1')).toEqual(['#SGACT: 10.128.0.1', 'OK']);
    expect(await term.at('AT#SGACT?')).toEqual(['#SGACT: 1,1', 'OK']);
    expect(await term.at('AT#SGACT=1,0')).toEqual(['OK']);
    gate.setSessionRefusal('*', { esmCause: 33, permanent: true });
    await term.at('AT+CMEE=2');
    expect(await term.at('AT#SGACT=1,1')).toEqual(['+CME ERROR: activation failed']);
  });
});

describe('Nordic nRF9160 (Serial LTE Modem)', () => {
  it('boots offline: "Ready", SIM unpowered, ATI and CMEE=2 refused (vshymanskyy/TinyGSM#486)', async () => {
    const { term } = await bootedModem({ dialect: 'nrf91', clock: new VirtualClock() });
    expect(term.take()).toEqual(['Ready']);
    await term.at('ATE0');
    expect(await term.at('AT+CPIN?')).toEqual(['ERROR']);
    expect(await term.at('ATI')).toEqual(['ERROR']);
    expect(await term.at('AT+CMEE=2')).toEqual(['ERROR']);
    expect(await term.at('AT+CMEE=1')).toEqual(['OK']);
    expect(await term.at('AT+CGMM')).toEqual(['nRF9160-SICA', 'OK']);
    expect(await term.at('AT+CFUN?')).toEqual(['+CFUN: 0', 'OK']);
    expect(await term.at('AT+CFUN=4')).toEqual(['OK']);
    expect(await term.at('AT+CPIN?')).toEqual(['+CPIN: READY', 'OK']);
  });

  it('%XSYSTEMMODE only offline; context 0 comes up by itself at attach; CGACT cannot touch it', async () => {
    const { term } = await bootedModem({ dialect: 'nrf91', clock: new VirtualClock() });
    await term.at('ATE0;+CMEE=1');
    await term.at('AT+CFUN=4');
    expect(await term.at('AT%XSYSTEMMODE=0,1,0,0')).toEqual(['OK']);
    expect(await term.at('AT+CGDCONT=0,"IP","soracom.io"')).toEqual(['OK']);
    expect(await term.at('AT+CEREG=1')).toEqual(['OK']);
    expect(await term.atThen('AT+CFUN=1', /\+CEREG: 1/)).toEqual(['OK', '+CEREG: 2', '+CEREG: 1']);
    expect(await term.at('AT%XSYSTEMMODE=1,0,0,0')).toEqual(['+CME ERROR: 518']);
    await term.run(100);
    expect(await term.at('AT+CGPADDR=0')).toEqual(['+CGPADDR: 0,"10.128.0.1"', 'OK']);
    expect(await term.at('AT+CGACT=0,0')).toEqual(['+CME ERROR: 3']);
  });

  it('AT#XRESET: OK, then "Ready" again', async () => {
    const { term } = await bootedModem({ dialect: 'nrf91', clock: new VirtualClock() });
    await term.at('ATE0');
    expect(await term.atThen('AT#XRESET', /Ready/)).toEqual(['OK', 'Ready']);
  });
});
