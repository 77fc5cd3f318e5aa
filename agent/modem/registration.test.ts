/**
 * Registration lines captured from real modules. Every row names where it was captured:
 * - `MM <test>`: ModemManager, src/tests/test-modem-helpers.c (gitlab.freedesktop.org /
 *   github.com/linux-mobile-broadband/ModemManager), the named test function — lines its
 *   developers captured from the named devices;
 * - `owner/repo#N`: a GitHub issue or pull request thread with a pasted AT log;
 * - `owner/repo:path`: a log file committed in that repository.
 * `read` rows are the answer of `AT+CxREG?` (parsed as the agent parses an answer), `urc` rows
 * arrived on their own (parsed as the agent parses a URC).
 */
import { describe, expect, it } from 'vitest';
import {
  effectiveRegistration,
  isRegistered,
  parseRegistration,
  parseRegistrationAnswer,
  registrationDomainOf,
  type Registration,
  type RegistrationDomain,
} from './registration.js';

type Row = [source: string, form: 'read' | 'urc', line: string, expected: Partial<Registration>];

const rows: Row[] = [
  // ---- ModemManager fixtures, solicited (answers of AT+CxREG?) ----
  ['MM test_creg1_solicited', 'read', '+CREG: 1,3', { mode: 1, stat: 3, state: 'denied' }],
  ['MM test_creg2_mercury_solicited (Sierra Mercury)', 'read', '+CREG: 1,1,84CD,00D30173', { stat: 1, tac: 0x84cd, cellId: 0xd30173 }],
  ['MM test_creg2_sek850i_solicited (Sony Ericsson K850i)', 'read', '+CREG: 2,1,"CE00","01CEAD8F"', { mode: 2, stat: 1, tac: 0xce00, cellId: 0x01cead8f }],
  ['MM test_creg2_e160g_solicited_unregistered (Huawei E160G)', 'read', '+CREG: 2,0,00,0', { mode: 2, stat: 0, state: 'not-registered', tac: 0, cellId: 0 }],
  ['MM test_creg2_e160g_solicited (Huawei E160G)', 'read', '+CREG: 2,1,8BE3,2BAF', { stat: 1, tac: 0x8be3, cellId: 0x2baf }],
  ['MM test_creg2_tm506_solicited (Sony Ericsson TM-506)', 'read', '+CREG: 2,1,"8BE3","00002BAF"', { stat: 1, tac: 0x8be3, cellId: 0x2baf }],
  ['MM test_creg2_iridium_solicited (Iridium)', 'read', '+CREG:002,001,"18d8","ffff"', { mode: 2, stat: 1, tac: 0x18d8, cellId: 0xffff }],
  ['MM test_creg2_no_leading_zeros_solicited', 'read', '+CREG:2,1,0001,0010', { mode: 2, stat: 1, tac: 1, cellId: 0x10 }],
  ['MM test_creg2_leading_zeros_solicited', 'read', '+CREG:002,001,"0001","0010"', { mode: 2, stat: 1, tac: 1, cellId: 0x10 }],
  ['MM test_creg2_ublox_solicited (u-blox TOBY-L2 on LTE)', 'read', '+CREG: 2,6,"8B37","0A265185",7', { stat: 6, state: 'sms-only-home', tac: 0x8b37, cellId: 0x0a265185, act: 7 }],
  ['MM test_cgreg1_solicited', 'read', '+CGREG: 1,3', { stat: 3 }],
  ['MM test_cgreg2_f3607gw_solicited (Ericsson F3607gw)', 'read', '+CGREG: 2,1,"8BE3","00002B5D",3', { stat: 1, tac: 0x8be3, cellId: 0x2b5d, act: 3 }],
  // MM reads this LAC as 0; the stray space sits inside the code, we read its digits (05).
  ['MM test_creg2_gobi_weird_solicited (Qualcomm Gobi 1000)', 'read', '+CREG: 2,1,  0 5, 2715', { mode: 2, stat: 1, cellId: 0x2715 }],
  ['MM test_cgreg2_multidigit_stat_no_leading_zeros_solicited', 'read', '+CGREG:2,10,ebbd,f025', { stat: 10, state: 'csfb-not-preferred-roaming', tac: 0xebbd, cellId: 0xf025 }],
  ['MM test_cgreg2_multidigit_stat_leading_zeros_solicited', 'read', '+CGREG:002,0011,"0f0d","14c3"', { stat: 11, state: 'attached-rlos', tac: 0x0f0d, cellId: 0x14c3 }],
  ['MM test_cereg1_solicited', 'read', '+CEREG: 1,3', { mode: 1, stat: 3 }],
  ['MM test_cereg2_solicited', 'read', '+CEREG: 2,1, 1F00, 79D903 ,7', { stat: 1, tac: 0x1f00, cellId: 0x79d903, act: 7 }],
  ['MM test_cereg2_multidigit_stat_solicited', 'read', '+CEREG: 2,10,"8d83","671f98a",7', { stat: 10, tac: 0x8d83, cellId: 0x671f98a, act: 7 }],
  ['MM test_cereg2_multidigit_stat_with_rac_solicited', 'read', '+CEREG: 2,10, 2CA8, 20 ,B5583D ,7', { stat: 10, tac: 0x2ca8, rac: 0x20, cellId: 0xb5583d, act: 7 }],
  ['MM test_cereg2_altair_lte_solicited (Altair LTE: location with n=1)', 'read', '+CEREG: 1, 2, 0001, 00000100, 7', { mode: 1, stat: 2, state: 'searching', tac: 1, cellId: 0x100, act: 7 }],
  ['MM test_cereg2_novatel_lte_solicited (Novatel E362: RAC before the cell)', 'read', '+CEREG: 2,1, 1F00, 20 ,79D903 ,7', { stat: 1, tac: 0x1f00, rac: 0x20, cellId: 0x79d903, act: 7 }],
  ['MM test_cgreg2_thuraya_solicited (Thuraya)', 'read', '+CGREG: 2, 1, "0426", "F00F"', { stat: 1, tac: 0x0426, cellId: 0xf00f }],
  ['MM test_c5greg1_solicited', 'read', '+C5GREG: 1,3', { stat: 3 }],
  ['MM test_c5greg1_multidigit_stat_solicited', 'read', '+C5GREG: 1, 10', { stat: 10 }],
  ['MM test_c5greg2_solicited', 'read', '+C5GREG: 2,1,1F00,79D903,11,6,ABCDEF', { stat: 1, tac: 0x1f00, cellId: 0x79d903, act: 11 }],

  // ---- ModemManager fixtures, unsolicited ----
  ['MM test_creg1_unsolicited', 'urc', '+CREG: 3', { stat: 3 }],
  ['MM test_creg1_multidigit_stat_unsolicited', 'urc', '+CREG: 11', { stat: 11, state: 'attached-rlos' }],
  ['MM test_creg2_mercury_unsolicited (Sierra Mercury)', 'urc', '+CREG: 1,84CD,00D30156', { stat: 1, tac: 0x84cd, cellId: 0xd30156 }],
  ['MM test_creg2_multidigit_stat_unsolicited', 'urc', '+CREG: 11,"33FE","a3fb477"', { stat: 11, tac: 0x33fe, cellId: 0xa3fb477 }],
  ['MM test_creg2_sek850i_unsolicited (Sony Ericsson K850i)', 'urc', '+CREG: 1,"CE00","00005449"', { stat: 1, tac: 0xce00, cellId: 0x5449 }],
  ['MM test_creg2_e160g_unsolicited (Huawei E160G)', 'urc', '+CREG: 1,8BE3,2BAF', { stat: 1, tac: 0x8be3, cellId: 0x2baf }],
  ['MM test_creg2_xu870_unsolicited_unregistered (Novatel XU870)', 'urc', '+CREG: 2,,', { stat: 2, state: 'searching' }],
  // An unquoted all-digit LAC right after <stat>: never read as <n>,<stat>.
  ['MM test_creg2_no_leading_zeros_unsolicited', 'urc', '+CREG: 1,0001,0010,0', { stat: 1, tac: 1, cellId: 0x10, act: 0 }],
  ['MM test_creg2_leading_zeros_unsolicited', 'urc', '+CREG: 001,"0001","0010",000', { stat: 1, tac: 1, cellId: 0x10, act: 0 }],
  ['MM test_creg2_multidigit_stat_no_leading_zeros_unsolicited', 'urc', '+CREG: 10,0001,0010,0', { stat: 10, tac: 1, cellId: 0x10, act: 0 }],
  ['MM test_creg2_multidigit_stat_leading_zeros_unsolicited', 'urc', '+CREG: 0011,"0001","0010",000', { stat: 11, tac: 1, cellId: 0x10, act: 0 }],
  ['MM test_creg2_ublox_unsolicited (u-blox TOBY-L2)', 'urc', '+CREG: 6,"8B37","0A265185",7', { stat: 6, tac: 0x8b37, cellId: 0x0a265185, act: 7 }],
  ['MM test_cgreg1_unsolicited', 'urc', '+CGREG: 3', { stat: 3 }],
  ['MM test_cgreg2_f3607gw_unsolicited (Ericsson F3607gw)', 'urc', '+CGREG: 1,"8BE3","00002B5D",3', { stat: 1, tac: 0x8be3, cellId: 0x2b5d, act: 3 }],
  // Sony-Ericsson MD400 and Alcatel X220D print <n> in the URC too; the read form explains more fields.
  ['MM test_creg2_md400_unsolicited (Sony-Ericsson MD400)', 'urc', '+CREG: 2,5,"0502","0404736D"', { stat: 5, state: 'registered-roaming', tac: 0x0502, cellId: 0x0404736d }],
  ['MM test_cgreg2_md400_unsolicited (Sony-Ericsson MD400)', 'urc', '+CGREG: 5,"0502","0404736D",2', { stat: 5, tac: 0x0502, cellId: 0x0404736d, act: 2 }],
  ['MM test_creg_cgreg_multi_unsolicited (1/2)', 'urc', '+CREG: 5', { stat: 5 }],
  ['MM test_creg_cgreg_multi_unsolicited (2/2)', 'urc', '+CGREG: 0', { stat: 0 }],
  ['MM test_cgreg2_x220_unsolicited (Alcatel One-Touch X220D)', 'urc', '+CGREG: 2,1, 81ED, 1A9CEB', { stat: 1, tac: 0x81ed, cellId: 0x1a9ceb }],
  ['MM test_creg2_s8500_wave_unsolicited (Samsung Wave S8500)', 'urc', '+CREG: 2,1,000B,2816, B, C2816', { stat: 1, tac: 0x000b, cellId: 0x2816 }],
  ['MM test_creg2_s8500_wave_multidigit_stat_unsolicited (Samsung Wave S8500)', 'urc', '+CREG: 2,11,003F,8FE3, B, C2816', { stat: 11, tac: 0x3f, cellId: 0x8fe3 }],
  ['MM test_cgreg2_unsolicited_with_rac', 'urc', '+CGREG: 1,"1422","00000142",3,"00"', { stat: 1, tac: 0x1422, cellId: 0x142, act: 3, rac: 0 }],
  ['MM test_cgreg2_multidigit_stat_with_rac_unsolicited', 'urc', '+CGREG: 11,"B092","00000697",3,"00"', { stat: 11, tac: 0xb092, cellId: 0x697, act: 3, rac: 0 }],
  ['MM test_cereg1_unsolicited', 'urc', '+CEREG: 3', { stat: 3 }],
  ['MM test_cereg2_unsolicited', 'urc', '+CEREG: 1, 1F00, 79D903 ,7', { stat: 1, tac: 0x1f00, cellId: 0x79d903, act: 7 }],
  ['MM test_cereg2_multidigit_stat_with_rac_unsolicited', 'urc', '+CEREG: 11, 78FE, 20 ,14419E ,7', { stat: 11, tac: 0x78fe, rac: 0x20, cellId: 0x14419e, act: 7 }],
  ['MM test_cereg2_altair_lte_unsolicited (Altair LTE)', 'urc', '+CEREG: 2, 0001, 00000100, 7', { stat: 2, state: 'searching', tac: 1, cellId: 0x100, act: 7 }],
  ['MM test_cereg2_novatel_lte_unsolicited (Novatel E362)', 'urc', '+CEREG: 1, 1F00, 20 ,79D903 ,7', { stat: 1, tac: 0x1f00, rac: 0x20, cellId: 0x79d903, act: 7 }],
  ['MM test_cgreg2_thuraya_unsolicited (Thuraya)', 'urc', '+CGREG: 1, "0426", "F00F"', { stat: 1, tac: 0x0426, cellId: 0xf00f }],
  ['MM test_c5greg1_unsolicited', 'urc', '+C5GREG: 3', { stat: 3 }],
  ['MM test_c5greg2_unsolicited', 'urc', '+C5GREG: 1,1F00,79D903,11,6,ABCDEF', { stat: 1, tac: 0x1f00, cellId: 0x79d903, act: 11 }],

  // ---- u-blox SARA bench log on UTRAN (FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md) ----
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'read', '+CREG: 2,5,"9E9A","019607C0",2', { stat: 5, tac: 0x9e9a, cellId: 0x019607c0, act: 2 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'read', '+CGREG: 2,5,"9E9A","019607C0",2,"02"', { stat: 5, tac: 0x9e9a, cellId: 0x019607c0, act: 2, rac: 2 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'read', '+CEREG: 2,0', { mode: 2, stat: 0 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CREG: 0', { stat: 0 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CEREG: 0', { stat: 0 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CREG: 5,"9E9A","0196BDB0",2', { stat: 5, tac: 0x9e9a, cellId: 0x0196bdb0, act: 2 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CGREG: 2', { stat: 2 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CEREG: 4', { stat: 4, state: 'unknown' }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'urc', '+CGREG: 5,"9E9A","0196BDB0",2,"02"', { stat: 5, act: 2, rac: 2 }],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'read', '+CGREG: 2,0', { mode: 2, stat: 0 }],

  // ---- Quectel ----
  ['4IceG/luci-app-3ginfo-lite#135 (Quectel EC200A)', 'read', '+CREG: 2,1,"00A8","5355E8D",7', { stat: 1, tac: 0xa8, cellId: 0x5355e8d, act: 7 }],
  ['SeeedJP/WioLTEforArduino#5 (Quectel EC21-J, soracom.io)', 'read', '+CGREG: 0,1', { mode: 0, stat: 1 }],
  ['SeeedJP/WioLTEforArduino#5 (Quectel EC21-J)', 'read', '+CREG: 0,1', { mode: 0, stat: 1 }],
  ['SeeedJP/WioLTEforArduino#5 (Quectel EC21-J)', 'read', '+CEREG: 0,1', { mode: 0, stat: 1 }],
  ['SeeedJP/WioLTEforArduino#34 (Quectel EC21-J, never registers)', 'read', '+CEREG: 0,2', { stat: 2, state: 'searching' }],
  ['ARMmbed/mbed-os#12412 (Quectel EC21)', 'read', '+CEREG: 2,0', { mode: 2, stat: 0 }],
  ['ARMmbed/mbed-os#12412 (Quectel EC21)', 'read', '+CGREG: 2,0', { mode: 2, stat: 0 }],
  ['koshev-msk/luci-app-modeminfo#14 (Quectel EP06)', 'read', '+CREG: 2,3', { mode: 2, stat: 3 }],
  ['koshev-msk/luci-app-modeminfo#14 (Quectel EP06)', 'read', '+CGREG: 2,1,"2616","DDAEA01",7', { stat: 1, tac: 0x2616, cellId: 0xddaea01, act: 7 }],
  ['koshev-msk/luci-app-modeminfo#14 (Quectel EP06)', 'read', '+CEREG: 2,1,"2616","DDAEA01",7', { stat: 1, tac: 0x2616, cellId: 0xddaea01, act: 7 }],

  // ---- SIMCom ----
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#247 (SIMCom A7670E)', 'read', '+CEREG: 0,11', { stat: 11, state: 'attached-rlos' }],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#247 (SIMCom A7670E)', 'read', '+CGREG: 0,11', { stat: 11 }],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#247 (SIMCom A7670E)', 'read', '+CREG: 0,11', { stat: 11 }],
  ['Xinyuan-LilyGO/T-SIM7600X#90 (SIMCom SIM7600G-H)', 'read', '+CREG: 0,1', { stat: 1 }],
  ['Xinyuan-LilyGO/T-SIM7600X#90 (SIMCom SIM7600G-H)', 'read', '+CEREG: 0,1', { stat: 1 }],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#471 (SIMCom SIM7600G-H)', 'read', '+CGREG: 0,1', { stat: 1 }],

  // ---- Nordic nRF91 ----
  ['vshymanskyy/TinyGSM#486 (nRF9160 SLM)', 'read', '+CEREG: 1,4', { mode: 1, stat: 4 }],
  ['onomondo/nrf-softsim#95 (nRF9160, NB-IoT)', 'urc', '+CEREG: 2,"3AA4","00147CC9",9', { stat: 2, tac: 0x3aa4, cellId: 0x147cc9, act: 9 }],
  // nRF91 prints <stat> 90 ("not registered due to UICC failure"): kept, and not registered.
  ['onomondo/nrf-softsim#95 (nRF9160, title "CEREG: 90")', 'urc', '+CEREG: 90', { stat: 90, state: 'unrecognised' }],

  // ---- others ----
  ['koshev-msk/modemfeed#30 (Sierra EM9191, EN-DC)', 'read', '+CREG: 2,1,"1206","19E4A03",13', { stat: 1, tac: 0x1206, cellId: 0x19e4a03, act: 13 }],
  ['koshev-msk/modemfeed#30 (Sierra EM9191)', 'read', '+CGREG: 2,0', { stat: 0 }],
  ['koshev-msk/modemfeed#30 (Sierra EM9191)', 'read', '+CEREG: 2,1,"1206","19E4A03",13', { stat: 1, act: 13 }],
  ['4IceG/luci-app-3ginfo-lite#82 (Fibocom L850-GL)', 'read', '+CREG: 2,6,"7D08","04E23C04",7', { stat: 6, tac: 0x7d08, cellId: 0x04e23c04, act: 7 }],
  ['gammu/gammu#358', 'read', '+CREG: 2,1,"006E","2BA7"', { stat: 1, tac: 0x6e, cellId: 0x2ba7 }],
];

function domainAndArgs(line: string): { domain: RegistrationDomain; args: string } {
  const colon = line.indexOf(':');
  const domain = registrationDomainOf(line.slice(0, colon));
  if (!domain) throw new Error(`not a registration line: ${line}`);
  return { domain, args: line.slice(colon + 1).trim() };
}

describe('registration lines from real modules', () => {
  it('has a large table', () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
  });

  it.each(rows)('%s: %s %s', (_source, form, line, expected) => {
    const { domain, args } = domainAndArgs(line);
    const parsed = form === 'read' ? parseRegistrationAnswer(domain, [args]).at(-1) : parseRegistration(domain, args);
    expect(parsed).toMatchObject({ domain, ...expected });
    // A value 27.007 does not define is kept and reads as not registered (never dropped).
    if (parsed!.stat > 11) expect(isRegistered(parsed!.stat)).toBe(false);
  });
});

describe('a URC inside the answer of AT+CEREG?', () => {
  it('vshymanskyy/TinyGSM#486 (nRF9160): "+CEREG: 2" then "+CEREG: 1,2" with n=1', () => {
    const states = parseRegistrationAnswer('eps', ['2', '1,2'], 1);
    expect(states.map((s) => [s.mode, s.stat])).toEqual([
      [undefined, 2],
      [1, 2],
    ]);
  });

  it('vshymanskyy/TinyGSM#486 (nRF9160): "+CEREG: 1" then "+CEREG: 1,1" — registered, not <n>=1', () => {
    const states = parseRegistrationAnswer('eps', ['1', '1,1'], 1);
    expect(states.at(-1)).toMatchObject({ mode: 1, stat: 1 });
    expect(states[0]).toMatchObject({ stat: 1 });
    expect(states[0]!.mode).toBeUndefined();
  });

  it('a location URC after the read answer is the freshest state', () => {
    // The module registered (URC) just after answering "searching" (shape of MM test_cereg2_*).
    const states = parseRegistrationAnswer('eps', ['2,2', '1,"1F00","0079D903",7'], 2);
    expect(states.at(-1)).toMatchObject({ stat: 1, tac: 0x1f00 });
    expect(states[0]).toMatchObject({ mode: 2, stat: 2 });
  });

  it('an unquoted all-digit area right after <stat> stays an area: searching is never read as registered', () => {
    // URC of a searching module in LAC 0001 (shape of MM test_creg2_no_leading_zeros_unsolicited).
    expect(parseRegistration('cs', '2,0001,0010,0')).toMatchObject({ stat: 2, state: 'searching', tac: 1, cellId: 0x10, act: 0 });
    expect(isRegistered(parseRegistration('cs', '2,0001,0010,0')!.stat)).toBe(false);
  });

  it('rejects lines that fit neither form', () => {
    expect(parseRegistration('eps', '')).toBeUndefined();
    expect(parseRegistration('eps', 'READY')).toBeUndefined();
    expect(parseRegistration('eps', '"1",2')).toBeUndefined();
  });
});

describe('reject causes (27.007 §10.1.22, n=3)', () => {
  it('reads <cause_type>,<reject_cause> after the location, and with no location', () => {
    expect(parseRegistrationAnswer('eps', ['3,3,"1A2B","01A2D101",7,0,15'], 3).at(-1)).toMatchObject({ stat: 3, causeType: 0, rejectCause: 15 });
    expect(parseRegistration('eps', '3,,,,0,11')).toMatchObject({ stat: 3, causeType: 0, rejectCause: 11 });
    expect(parseRegistration('eps', '1,"1A2B","01A2D101",7,,,"00000000","00111000"')).toMatchObject({ stat: 1, act: 7 });
  });
});

describe('effectiveRegistration: which domain decides data', () => {
  it('FactbirdHQ/ublox-cellular-rs startup.md: on UTRAN +CGREG says roaming while +CEREG says 0 → registered', () => {
    const cs = parseRegistrationAnswer('cs', ['2,5,"9E9A","019607C0",2']).at(-1)!;
    const ps = parseRegistrationAnswer('ps', ['2,5,"9E9A","019607C0",2,"02"']).at(-1)!;
    const eps = parseRegistrationAnswer('eps', ['2,0']).at(-1)!;
    expect(effectiveRegistration({ cs, ps, eps })).toMatchObject({ domain: 'ps', stat: 5 });
  });

  it('koshev-msk/luci-app-modeminfo#14 (EP06): a circuit reject beside a packet registration does not stop data', () => {
    const cs = parseRegistrationAnswer('cs', ['2,3']).at(-1)!;
    const eps = parseRegistrationAnswer('eps', ['2,1,"2616","DDAEA01",7']).at(-1)!;
    expect(effectiveRegistration({ cs, eps })).toMatchObject({ domain: 'eps', stat: 1 });
    expect(effectiveRegistration({ cs })).toMatchObject({ stat: 3 });
  });

  it('EPS decides while nothing is registered; +CREG only when no packet domain reports', () => {
    const eps = parseRegistration('eps', '2')!;
    const ps = parseRegistration('ps', '0')!;
    expect(effectiveRegistration({ eps, ps })).toBe(eps);
    expect(effectiveRegistration({ ps })).toBe(ps);
    expect(effectiveRegistration({})).toBeUndefined();
  });
});
