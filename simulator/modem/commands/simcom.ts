/** SIMCom family commands (SIM7080 and SIM7600 AT manuals). */
import { activate, address, deactivate } from './packet.js';
import { applyRatPreference } from './radio.js';
import { badArgs, error, inRange, int, ok, type CommandSpec } from './reply.js';

/** SIM7080 app network context `pdpidx` (0..3) is carried on PDP cid `pdpidx + 1`. */
const cnactCid = (idx: number): number => idx + 1;

export const simcom: Record<string, CommandSpec> = {
  '+CNMP': {
    kind: 'config',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CNMP: ${m.persistent.cnmp}`]);
      if (c.form === 'test') return ok(['+CNMP: (2,13,38,51)']);
      const mode = int(c.args[0]);
      if (c.form !== 'set' || ![2, 13, 38, 51].includes(mode ?? -1)) return badArgs();
      m.persistent.cnmp = mode!;
      return ok();
    },
  },
  '+CMNB': {
    kind: 'config',
    family: 'simcom-cnact',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CMNB: ${m.persistent.cmnb}`]);
      if (c.form === 'test') return ok(['+CMNB: (1-3)']);
      const mode = int(c.args[0]);
      if (c.form !== 'set' || !inRange(mode, 1, 3)) return badArgs();
      m.persistent.cmnb = mode;
      applyRatPreference(m);
      return ok();
    },
  },
  '+CNCFG': {
    kind: 'config',
    family: 'simcom-cnact',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CNCFG: (0-3),(0-3),<APN>,<username>,<password>,(0-3)']);
      if (c.form === 'read') {
        return ok([...m.persistent.cncfg.entries()].map(([i, d]) => `+CNCFG: ${i},${d.ipType},"${d.apn}","${d.user}","${d.password}",${d.auth}`));
      }
      const idx = int(c.args[0]);
      const ipType = int(c.args[1]);
      const auth = c.args[5] === undefined ? 0 : int(c.args[5]);
      if (c.form !== 'set' || !inRange(idx, 0, 3) || !inRange(ipType, 0, 3) || !inRange(auth, 0, 3)) return badArgs();
      m.persistent.cncfg.set(idx, { ipType, apn: c.args[2] ?? '', user: c.args[3] ?? '', password: c.args[4] ?? '', auth });
      return ok();
    },
  },
  '+CNACT': {
    kind: 'query',
    family: 'simcom-cnact',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CNACT: (0-3),(0-2)']);
      if (c.form === 'read') {
        return ok([0, 1, 2, 3].map((i) => {
          const ip = address(m, cnactCid(i));
          return `+CNACT: ${i},${ip ? 1 : 0},"${ip ?? '0.0.0.0'}"`;
        }));
      }
      const idx = int(c.args[0]);
      const action = int(c.args[1]);
      if (c.form !== 'set' || !inRange(idx, 0, 3) || !inRange(action, 0, 2)) return badArgs();
      const cid = cnactCid(idx);
      if (action === 0) {
        if (!m.radio.session(cid)) return error();
        return ok([], () => {
          void (async () => {
            await deactivate(m, cid);
            m.urc(`+APP PDP: ${idx},DEACTIVE`);
          })();
        });
      }
      if (m.radio.session(cid)) return error();
      if (m.settings.cfun !== 1 || m.simState !== 'ready') return error();
      const config = m.persistent.cncfg.get(idx);
      const apn = config?.apn || m.persistent.contexts.get(cid)?.apn || '';
      // SIM7080 answers OK at once and reports the outcome with +APP PDP (AT command manual, AT+CNACT).
      const epoch = m.bootEpoch;
      return ok([], () => {
        void (async () => {
          const result = await activate(m, cid, apn);
          if (epoch !== m.bootEpoch) return;
          m.urc(`+APP PDP: ${idx},${result.ok ? 'ACTIVE' : 'DEACTIVE'}`);
        })();
      });
    },
  },
  '+CPSI': {
    kind: 'query',
    family: 'simcom',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'read') return error();
      const online = m.settings.cfun === 1 ? 'Online' : 'Low Power Mode';
      if (!m.radio.registered) return ok([`+CPSI: NO SERVICE,${online}`]);
      const cell = m.radio.cell;
      const names = m.dialect.cpsiNames ?? ['LTE CAT-M1', 'LTE NB-IOT'];
      const system = m.radio.radioType === 'nb-iot' ? names[1] : names[0];
      const tac = `0x${cell.tac.toString(16).toUpperCase().padStart(4, '0')}`;
      return ok([`+CPSI: ${system},${online},${cell.mcc}-${cell.mnc},${tac},${cell.eci},${cell.pci},EUTRAN-BAND${cell.band},${cell.earfcn},3,3,${cell.rsrq},${cell.rsrp},${cell.rssi},${cell.sinr}`]);
    },
  },
  // SIM7600's socket stack (not the PDP context): OK, then +NETOPEN: <err>; closing a stack that
  // is not open answers +NETCLOSE: 2 and ERROR (Xinyuan-LilyGO/LilyGo-Modem-Series#110).
  '+NETOPEN': {
    kind: 'query',
    family: 'simcom-lte',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+NETOPEN: ${m.persistent.netOpen ? 1 : 0}`]);
      if (c.form !== 'exec') return error();
      if (m.persistent.netOpen) return { lines: ['+IP ERROR: Network is already opened'], result: { kind: 'error' } };
      const up = m.radio.sessions().length > 0;
      return ok([], () => {
        m.persistent.netOpen = up;
        m.urc(`+NETOPEN: ${up ? 0 : 1}`);
      });
    },
  },
  '+NETCLOSE': {
    kind: 'query',
    family: 'simcom-lte',
    run: (m, c) => {
      if (c.form !== 'exec') return error();
      if (!m.persistent.netOpen) return { lines: ['+NETCLOSE: 2'], result: { kind: 'error' } };
      m.persistent.netOpen = false;
      return ok(['+NETCLOSE: 0']);
    },
  },
};
