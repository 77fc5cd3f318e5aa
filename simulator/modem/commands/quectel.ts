/** Quectel family commands (BG95/BG96 AT manuals, TCP/IP application note). */
import { activate, deactivate } from './packet.js';
import { applyRatPreference, quectelRatName, signal } from './radio.js';
import { badArgs, cme, error, inRange, int, ok, type CommandSpec } from './reply.js';

/** `AT+QCFG` keys per family: Cat-M/NB modules have `iotopmode` and `nwscanseq`; EC2x do not. */
const QCFG_VALIDATORS: Record<string, (args: (string | undefined)[], iot: boolean) => string | undefined> = {
  iotopmode: ([mode], iot) => (iot && ['0', '1', '2'].includes(mode ?? '') ? mode : undefined),
  nwscanseq: ([seq], iot) => (iot && seq !== undefined && /^(00|(0[1-3]){1,3})$/.test(seq) ? seq : undefined),
  // 0 auto, 1 GSM, 3 LTE on BG9x; EC2x add 2 WCDMA (EC2x AT manual).
  nwscanmode: ([mode], iot) => ((iot ? ['0', '1', '3'] : ['0', '1', '2', '3']).includes(mode ?? '') ? mode : undefined),
  band: ([gsm, catm, nb]) =>
    [gsm, catm, nb].every((b) => b !== undefined && /^(0x)?[0-9a-f]{1,32}$/i.test(b)) ? [gsm, catm, nb].join(',') : undefined,
};

export const quectel: Record<string, CommandSpec> = {
  '+QCFG': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') {
        return ok(['+QCFG: "nwscanseq",(00-030201),(0,1)', '+QCFG: "nwscanmode",(0,1,3),(0,1)', '+QCFG: "iotopmode",(0-2),(0,1)', '+QCFG: "band",(0-f),(0-400a0e189f),(0-a0e189f),(0,1)']);
      }
      if (c.form !== 'set') return error();
      const key = c.args[0]?.toLowerCase();
      const validate = key === undefined ? undefined : QCFG_VALIDATORS[key];
      if (!key || !validate) return badArgs();
      const values = c.args.slice(1);
      const iot = m.dialect.families.includes('quectel-iot');
      if ((key === 'iotopmode' || key === 'nwscanseq') && !iot) return badArgs();
      if (values.length === 0) return ok([`+QCFG: "${key}",${m.persistent.qcfg.get(key) ?? ''}`]);
      const value = validate(values, iot);
      if (value === undefined) return badArgs();
      m.persistent.qcfg.set(key, value);
      // The trailing <effect> of 1 applies at once; 0 at the next reboot. Both are kept in NV.
      if (key === 'iotopmode' && values[values.length - 1] !== '0') applyRatPreference(m);
      return ok();
    },
  },
  '+QICSGP': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QICSGP: (1-16),(1-3),<APN>,<username>,<password>,(0-3)']);
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      const d = m.persistent.contexts.get(cid) ?? { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' };
      if (c.args.length === 1) {
        const type = d.pdpType === 'IPV6' ? 2 : d.pdpType === 'IPV4V6' ? 3 : 1;
        return ok([`+QICSGP: ${type},"${d.apn}","${d.user}","${d.password}",${d.authType}`]);
      }
      const type = int(c.args[1]);
      const auth = c.args[5] === undefined ? 0 : int(c.args[5]);
      if (!inRange(type, 1, 3) || !inRange(auth, 0, 3)) return badArgs();
      m.persistent.contexts.set(cid, {
        pdpType: type === 1 ? 'IP' : type === 2 ? 'IPV6' : 'IPV4V6',
        apn: c.args[2] ?? '',
        user: c.args[3] ?? '',
        password: c.args[4] ?? '',
        authType: auth,
      });
      return ok();
    },
  },
  '+QIACT': {
    kind: 'query',
    family: 'quectel',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+QIACT: (1-16)']);
      if (c.form === 'read') {
        return ok(m.radio.sessions().sort((a, b) => a.cid - b.cid).map((s) => `+QIACT: ${s.cid},1,1,"${s.ueIpAddress}"`));
      }
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      // BG96 answers ERROR when the context is already active (TCP/IP manual, AT+QIACT).
      if (m.radio.session(cid)) return error();
      const result = await activate(m, cid);
      if (result.ok) return ok();
      return m.dialect.vendorPdpFailure === 'cme' ? cme(result.code) : error();
    },
  },
  '+QIDEACT': {
    kind: 'query',
    family: 'quectel',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+QIDEACT: (1-16)']);
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !inRange(cid, 1, 16)) return badArgs();
      await deactivate(m, cid);
      return ok();
    },
  },
  '+QNWINFO': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec') return error();
      const cell = m.radio.cell;
      if (!m.radio.registered) return ok(['+QNWINFO: No Service']);
      return ok([`+QNWINFO: "${quectelRatName(m, 'qnwinfo')}","${cell.mcc}${cell.mnc}","LTE BAND ${cell.band}",${cell.earfcn}`]);
    },
  },
  '+QCSQ': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      // The test form lists the modes the module prints: BG96 "NOSERVICE","GSM","CAT-M1","CAT-NB1"
      // (FreeRTOS/FreeRTOS-Cellular-Interface#25), BG95 "eMTC","NBIoT", EC2x "LTE".
      const names = m.dialect.quectelNames?.qcsq ?? ['eMTC', 'NBIoT'];
      if (c.form === 'test') return ok([`+QCSQ: ${['NOSERVICE', 'GSM', ...new Set(names)].map((n) => `"${n}"`).join(',')}`]);
      if (c.form !== 'exec') return error();
      if (!signal(m) || !m.radio.registered) return ok(['+QCSQ: "NOSERVICE"']);
      const cell = m.radio.cell;
      // SINR is reported as 0..250 for -20..+30 dB (BG96 manual, AT+QCSQ).
      const sinr = Math.max(0, Math.min(250, Math.round((cell.sinr + 20) * 5)));
      return ok([`+QCSQ: "${quectelRatName(m, 'qcsq')}",${cell.rssi},${cell.rsrp},${sinr},${cell.rsrq}`]);
    },
  },
  '+QENG': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QENG: "servingcell","neighbourcell"']);
      if (c.form !== 'set' || c.args[0]?.toLowerCase() !== 'servingcell') return badArgs();
      if (!m.radio.registered) return ok([`+QENG: "servingcell","${m.radio.stat === 2 ? 'SEARCH' : 'LIMSRV'}"`]);
      const cell = m.radio.cell;
      const ci = cell.eci.toString(16).toUpperCase();
      const tac = cell.tac.toString(16).toUpperCase();
      const session = m.radio.sessions().length > 0 ? 'CONNECT' : 'NOCONN';
      // <state>,<rat>,<is_tdd>,<MCC>,<MNC>,<cellID>,<PCID>,<earfcn>,<band>,<UL_bw>,<DL_bw>,<TAC>,<RSRP>,<RSRQ>,<RSSI>,<SINR>,<srxlev>
      // (EC25 shape: koshev-msk/luci-app-modeminfo#45).
      return ok([
        `+QENG: "servingcell","${session}","${quectelRatName(m, 'qeng')}","FDD",${cell.mcc},${cell.mnc},${ci},${cell.pci},${cell.earfcn},${cell.band},3,3,${tac},${cell.rsrp},${cell.rsrq},${cell.rssi},${cell.sinr},-`,
      ]);
    },
  },
  '+QGMR': {
    kind: 'query',
    family: 'quectel',
    // The full firmware build; AT+CGMR gives only the base (zephyr PR#93068).
    run: (m, c) => (c.form === 'exec' ? ok([`${m.dialect.revision}_01.002.01.002`]) : c.form === 'test' ? ok() : error()),
  },
};
