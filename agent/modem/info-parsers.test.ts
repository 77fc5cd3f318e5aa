/** Identification and radio answers from real modules, each with its source (notation as in registration.test.ts). */
import { describe, expect, it } from 'vitest';
import { parseCchoAnswer, parseCfun, parseCops, parseCpsi, parseQcsq, parseQengServingCell } from './info-parsers.js';
import { parseAti, parseCesq, parseCpin, parseCsq, normaliseIccid, parseIdentity } from './parsers.js';

describe('+COPS? (27.007 §7.3)', () => {
  it.each([
    ['MM cops_query_data', '1,0,"CHINA MOBILE"', { mode: 1, format: 0, name: 'CHINA MOBILE' }],
    ['MM cops_query_data', '1,0,"CHINA MOBILE",7', { mode: 1, format: 0, name: 'CHINA MOBILE', act: 7 }],
    ['MM cops_query_data', '1,2,"46000"', { mode: 1, format: 2, name: '46000', mcc: '460', mnc: '00' }],
    ['MM cops_query_data', '1,2,"46000",7', { mode: 1, format: 2, mcc: '460', mnc: '00', act: 7 }],
    ['4IceG/luci-app-3ginfo-lite#135 (EC200A, after AT+COPS=3,0)', '0,0,"NOS",7', { mode: 0, format: 0, name: 'NOS', act: 7 }],
    ['4IceG/luci-app-3ginfo-lite#135 (EC200A, after AT+COPS=3,2)', '0,2,"26803",7', { mode: 0, format: 2, mcc: '268', mnc: '03', act: 7 }],
    ['koshev-msk/luci-app-modeminfo#45 (EC25)', '0,2,"25099",7', { mcc: '250', mnc: '99' }],
    ['koshev-msk/modemfeed#30 (Sierra EM9191, EN-DC)', '0,2,"20201",13', { mcc: '202', mnc: '01', act: 13 }],
    ['FactbirdHQ/ublox-cellular-rs startup.md (SARA on UTRAN)', '0,0,"3 DK",2', { name: '3 DK', act: 2 }],
    ['u-blox/ubxlib#224 (SARA-R510M8S)', '0,0,"AT&T",7', { name: 'AT&T', act: 7 }],
    ['Xinyuan-LilyGO/T-SIM7600X#90 (SIM7600G-H)', '0,0,"Mint",7', { name: 'Mint', act: 7 }],
    ['dr-dolomite/QuecManager-JS#5 (RM551, NR)', '0,0,"T-Mobile",11', { name: 'T-Mobile', act: 11 }],
    ['ARMmbed/mbed-os#12412 (EC21, not registered)', '0', { mode: 0 }],
    ['vshymanskyy/TinyGSM#807 (SIM7600, deregistered)', '2', { mode: 2 }],
  ] as const)('%s: +COPS: %s', (_source, args, expected) => {
    expect(parseCops(args)).toMatchObject(expected);
  });
});

describe('+CFUN? (MM cfun_query_tests; u-blox test-modem-helpers-ublox.c)', () => {
  it.each([
    ['1', 1],
    ['1,0', 1],
    ['0', 0],
    ['0,0', 0],
    ['4', 4],
    ['19', 19],
    ['19,0', 19],
  ] as const)('+CFUN: %s', (args, fun) => {
    expect(parseCfun(args)).toBe(fun);
  });
});

describe('signal', () => {
  it.each([
    ['ARMmbed/mbed-os#12412 (EC21)', '30,99', { csq: 30, rssiDbm: -53 }],
    ['4IceG/luci-app-3ginfo-lite#135 (EC200A)', '17,99', { csq: 17, rssiDbm: -79 }],
    ['ARMmbed/mbed-os-example-cellular#163 (ME910)', '24,5', { csq: 24, rssiDbm: -65 }],
    ['Xinyuan-LilyGO/LilyGo-Modem-Series#346 (SIM7670G, no signal)', '99,99', { csq: 99 }],
    ['Xinyuan-LilyGO/LilyGo-Modem-Series#346 (SIM7670G)', '21,0', { csq: 21, rssiDbm: -71 }],
  ] as const)('%s: +CSQ: %s', (_source, args, expected) => {
    expect(parseCsq(args)).toEqual(expected);
  });

  it.each([
    ['MM test_cesq_response (LTE)', '99,99,255,255,20,80', { rsrqDb: -10, rsrpDbm: -61 }],
    ['MM test_cesq_response (UMTS)', '99,99,95,40,255,255', {}],
    ['MM test_cesq_response (GSM)', '10,6,255,255,255,255', {}],
  ] as const)('%s: +CESQ: %s', (_source, args, expected) => {
    expect(parseCesq(args)).toEqual(expected);
  });

  it.each([
    ['koshev-msk/luci-app-modeminfo#14 (Quectel EP06)', '"LTE",52,-83,207,-14', { sysmode: 'LTE', rssiDbm: 52, rsrpDbm: -83, sinr: 207, rsrqDb: -14 }],
    ['FreeRTOS/FreeRTOS-Cellular-Interface-Reference-Quectel-BG96#8 (BG96 forms)', '"NOSERVICE"', { sysmode: 'NOSERVICE' }],
  ] as const)('%s: +QCSQ: %s', (_source, args, expected) => {
    expect(parseQcsq(args)).toEqual(expected);
  });
});

describe('+QENG: "servingcell"', () => {
  it('4IceG/luci-app-3ginfo-lite#43 (Quectel EC200T)', () => {
    expect(parseQengServingCell(['"servingcell","NOCONN","LTE","FDD",123,01,43300C,348,1802,3,5,5,5443,-87,-16,-69,5,34'])).toEqual({
      state: 'NOCONN', rat: 'LTE', duplex: 'FDD', mcc: '123', mnc: '01', cellId: 0x43300c, pci: 348, earfcn: 1802, band: 3, tac: 0x5443,
      rsrpDbm: -87, rsrqDb: -16, rssiDbm: -69, sinr: 5,
    });
  });
  it('koshev-msk/luci-app-modeminfo#45 (Quectel EC25: SINR not measured, "-")', () => {
    const cell = parseQengServingCell(['"servingcell","NOCONN","LTE","FDD",250,99,A1A9566,113,550,1,3,3,61EA,-84,-11,-56,2,-']);
    expect(cell).toMatchObject({ state: 'NOCONN', mcc: '250', mnc: '99', cellId: 0xa1a9566, tac: 0x61ea, rsrpDbm: -84, sinr: 2 });
  });
  it('4IceG/luci-app-3ginfo-lite#56 (Quectel RM50x: state on its own line, one line per RAT)', () => {
    const cell = parseQengServingCell(['"servingcell","NOCONN"', '"LTE","FDD",515,03,3359966,1,150,1,5,5,4AA3,-89,-13,-58,16,15,20,-', '"NR5G-NSA",515,03,832,-76,21,-11,528030,41,8,1']);
    expect(cell).toMatchObject({ state: 'NOCONN', rat: 'LTE', mcc: '515', mnc: '03', tac: 0x4aa3, rsrpDbm: -89 });
  });
  it('a search in progress has no cell', () => {
    expect(parseQengServingCell(['"servingcell","SEARCH"'])).toEqual({ state: 'SEARCH' });
    expect(parseQengServingCell(['"neighbourcell intra","LTE",1]'])).toBeUndefined();
  });
});

describe('+CPSI? (SIMCom)', () => {
  it.each([
    ['4IceG/luci-app-3ginfo-lite#61 (SIM7906)', 'LTE,Online,250-02,0x0EF8,22060,58,EUTRAN-BAND3,1725,3,3,-108,-889,-614,19', { system: 'LTE', operation: 'Online', mcc: '250', mnc: '02', tac: 0x0ef8, cellId: 22060, band: 'EUTRAN-BAND3' }],
    ['stanleyhuangyc/Freematics#81 (SIM5360E)', 'NO SERVICE,Online', { system: 'NO SERVICE', operation: 'Online' }],
    ['stanleyhuangyc/Freematics#81 (SIM5360E)', 'NO SERVICE,Powering Off', { system: 'NO SERVICE', operation: 'Powering Off' }],
    ['vshymanskyy/TinyGSM#807 (SIM7600)', 'NO SERVICE,Online', { system: 'NO SERVICE' }],
  ] as const)('%s: +CPSI: %s', (_source, args, expected) => {
    expect(parseCpsi(args)).toMatchObject(expected);
  });
});

describe('AT+CCHO answers (27.007 §8.45)', () => {
  it.each([
    ['estkme-group/lpac#143', ['+CCHO: 1'], { text: '1', value: 1, format: 'decimal' }],
    ['estkme-group/lpac#209 (Fibocom FM350-GL, bare number)', ['1'], { text: '1', value: 1, format: 'decimal' }],
    ['estkme-group/lpac#138 (Sierra MC7455, hex session handle)', ['+CCHO: 000000000385a7cf'], { text: '000000000385a7cf', value: 0x385a7cf, format: 'hex' }],
    ['estkme-group/lpac#139 (Sierra EM7590)', ['+CCHO: 00000000038aa32f'], { text: '00000000038aa32f', value: 0x38aa32f, format: 'hex' }],
  ] as const)('%s', (_source, lines, expected) => {
    expect(parseCchoAnswer(lines)).toEqual(expected);
  });
  it('an answer without an id is undefined', () => {
    expect(parseCchoAnswer([])).toBeUndefined();
    expect(parseCchoAnswer(['+CCHO: <dfname>'])).toBeUndefined();
  });
});

describe('identification', () => {
  it.each([
    ['vshymanskyy/TinyGSM#257 (u-blox SARA-R412M, labelled)', ['Manufacturer: u-blox', 'Model: SARA-R412M-02B', 'Revision: M0.05.00 [Jul 06 2018 10:01:55]', 'SVN: 03', 'IMEI: 354679090045173'], { manufacturer: 'u-blox', model: 'SARA-R412M-02B', revision: 'M0.05.00 [Jul 06 2018 10:01:55]' }],
    ['vshymanskyy/TinyGSM#244 (u-blox SARA-R410M)', ['Manufacturer: u-blox', 'Model: SARA-R410M-02B', 'Revision: L0.0.00.00.05.06 [Feb 03 2018 13:00:41]'], { model: 'SARA-R410M-02B', revision: 'L0.0.00.00.05.06 [Feb 03 2018 13:00:41]' }],
    ['Xinyuan-LilyGO/LilyGo-Modem-Series#471 (SIM7600G-H, AT+SIMCOMATI)', ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600G-H', 'Revision: LE20B05SIM7600G22', 'QCN: ', 'IMEI: 86xxxxxxxxxxxxx', 'MEID: ', '+GCAP: +CGSM', 'DeviceInfo: 173,170'], { manufacturer: 'SIMCOM INCORPORATED', model: 'SIMCOM_SIM7600G-H', revision: 'LE20B05SIM7600G22' }],
    ['vshymanskyy/TinyGSM#676 (SIM7600JC-H)', ['Manufacturer: SIMCOM INCORPORATED', 'Model: SIMCOM_SIM7600JC-H', 'Revision: SIM7600JC-H_V1.1'], { model: 'SIMCOM_SIM7600JC-H' }],
    ['Xinyuan-LilyGO/LilyGO-T-SIM7000G#145 (SIM7000G, one line)', ['SIM7000G R1529'], { model: 'SIM7000G', revision: 'R1529' }],
    ['u-blox/ubxlib#224 (SARA-R510M8S, ATI0)', ['SARA-R510M8S-00B-03'], { model: 'SARA-R510M8S-00B-03' }],
    ['agent/at/fixtures/quectel-bg96.at (BG96 AT manual)', ['Quectel', 'BG96', 'Revision: BG96MAR02A07M1G'], { manufacturer: 'Quectel', model: 'BG96', revision: 'BG96MAR02A07M1G' }],
  ] as const)('%s', (_source, lines, expected) => {
    expect(parseAti(lines)).toMatchObject(expected);
  });

  it('AT+CGMM / AT+CGMR / AT+CGSN single lines', () => {
    expect(parseIdentity(['SARA-R510M8S'])).toBe('SARA-R510M8S'); // u-blox/ubxlib#224
    expect(parseIdentity(['02.10'])).toBe('02.10'); // u-blox/ubxlib#224
    expect(parseIdentity(['357862090326242'])).toBe('357862090326242'); // u-blox/ubxlib#224
    expect(parseIdentity(['nRF9160-SICA'])).toBe('nRF9160-SICA'); // vshymanskyy/TinyGSM#486
    expect(parseIdentity(['BG95M3LAR02A03_01.204.01.204'])).toBe('BG95M3LAR02A03_01.204.01.204'); // zephyr PR#93068 (AT+QGMR)
    expect(parseIdentity(['M0B.800004'])).toBe('M0B.800004'); // ARMmbed/mbed-os#14448
  });

  it('ICCIDs with F padding and prefixes', () => {
    expect(normaliseIccid(parseIdentity(['+ICCID: 8901260487759545390F']))).toBe('8901260487759545390'); // dr-dolomite/QuecManager-JS#5 (RM551)
    expect(normaliseIccid(parseIdentity(['8944200053671052499F']))).toBe('8944200053671052499'); // MM test_iccid_parse_unquoted_unswapped_19_digit
    expect(normaliseIccid(parseIdentity(['"89324102234690160476"']))).toBe('89324102234690160476'); // MM test_iccid_parse_quoted_unswapped_20_digit
  });

  it('+CPIN (MM test_cpin_response; ARMmbed/mbed-os#14448; Pine64-Arch#206)', () => {
    expect(parseCpin('SIM PIN')).toBe('sim-pin');
    expect(parseCpin('"SIM PIN"')).toBe('sim-pin');
    expect(parseCpin('READY')).toBe('ready');
    expect(parseCpin('SIM PUK2')).toBe('other');
    expect(parseCpin('PH-NET PIN')).toBe('other');
  });
});
