/** Quectel family commands (BG95/BG96 AT manuals, TCP/IP application note). */
import { activate, deactivate } from './packet.js';
import { applyRatPreference, signal, sysmode } from './radio.js';
import { badArgs, cme, error, inRange, int, ok, type CommandSpec } from './reply.js';

const QCFG_VALIDATORS: Record<string, (args: (string | undefined)[]) => string | undefined> = {
  iotopmode: ([mode]) => (['0', '1', '2'].includes(mode ?? '') ? mode : undefined),
  nwscanseq: ([seq]) => (seq !== undefined && /^(00|(0[1-3]){1,3})$/.test(seq) ? seq : undefined),
  nwscanmode: ([mode]) => (['0', '1', '3'].includes(mode ?? '') ? mode : undefined),
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
      if (values.length === 0) return ok([`+QCFG: "${key}",${m.persistent.qcfg.get(key) ?? ''}`]);
      const value = validate(values);
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
  '+QPOWD': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QPOWD: (0,1)']);
      const mode = c.form === 'exec' ? 1 : int(c.args[0]);
      if (!inRange(mode, 0, 1)) return badArgs();
      const restart = 5_000;
      if (mode === 0) return { lines: [], result: { kind: 'none' }, after: () => m.reset({ poweredDownUrc: true, powerOffFor: restart, dropPortMs: restart }) };
      return ok([], () => m.reset({ poweredDownUrc: true, powerOffFor: restart, dropPortMs: restart }));
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
      return ok([`+QNWINFO: "${sysmode(m)}","${cell.mcc}${cell.mnc}","LTE BAND ${cell.band}",${cell.earfcn}`]);
    },
  },
  '+QCSQ': {
    kind: 'query',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+QCSQ: "NOSERVICE","GSM","CAT-M","NBIOT"']);
      if (c.form !== 'exec') return error();
      if (!signal(m) || !m.radio.registered) return ok(['+QCSQ: "NOSERVICE"']);
      const cell = m.radio.cell;
      // SINR is reported as 0..250 for -20..+30 dB (BG96 manual, AT+QCSQ).
      const sinr = Math.max(0, Math.min(250, Math.round((cell.sinr + 20) * 5)));
      return ok([`+QCSQ: "${sysmode(m) === 'eMTC' ? 'CAT-M' : 'NBIOT'}",${cell.rssi},${cell.rsrp},${sinr},${cell.rsrq}`]);
    },
  },
};
