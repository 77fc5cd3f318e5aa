/** Identification and V.250 basics (`ATE`, `ATI`, `ATZ`, `+CMEE`, `+CGMI`...). */
import { badArgs, error, int, ok, type CommandSpec } from './reply.js';
import type { ModemContext } from '../modem-context.js';

const identity = (pick: (m: ModemContext) => string): CommandSpec => ({
  kind: 'query',
  run: (m, c) => (c.form === 'exec' ? ok([pick(m)]) : c.form === 'test' ? ok() : error()),
});

export const basic: Record<string, CommandSpec> = {
  E: {
    kind: 'query',
    run: (m, c) => {
      const v = c.args[0] === undefined ? 0 : int(c.args[0]);
      if (v !== 0 && v !== 1) return error();
      m.settings.echo = v === 1;
      return ok();
    },
  },
  I: {
    kind: 'query',
    run: (m, c) => {
      const v = c.args[0] === undefined ? 0 : int(c.args[0]);
      if (v !== 0 || m.dialect.atiLines === null) return error();
      return ok(m.dialect.atiLines.map((l) => l.replace('{imei}', m.imei)), undefined);
    },
  },
  V: { kind: 'query', run: (_m, c) => (c.args[0] === undefined || c.args[0] === '1' ? ok() : error()) },
  Q: { kind: 'query', run: (_m, c) => (c.args[0] === undefined || c.args[0] === '0' ? ok() : error()) },
  Z: {
    kind: 'config',
    run: (m) => {
      const cfun = m.settings.cfun;
      m.settings = { ...m.settings, echo: true, cmee: m.dialect.defaultCmee, cregN: 0, cgregN: 0, ceregN: 0, cgerepMode: 0, cgerepBfr: 0, copsFormat: 0, cfun };
      return ok();
    },
  },
  '&F': { kind: 'config', run: () => ok() },
  '&W': { kind: 'config', run: () => ok() },
  '&D': { kind: 'query', run: () => ok() },
  '&C': { kind: 'query', run: () => ok() },
  S3: { kind: 'query', run: (_m, c) => (c.form === 'read' ? ok(['013']) : ok()) },
  S4: { kind: 'query', run: (_m, c) => (c.form === 'read' ? ok(['010']) : ok()) },
  '+CMEE': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CMEE: ${m.settings.cmee}`]);
      if (c.form === 'test') return ok(['+CMEE: (0-2)']);
      const v = c.form === 'exec' ? 0 : int(c.args[0]);
      if (v !== 0 && v !== 1 && v !== 2) return badArgs();
      // nRF91 refuses AT+CMEE=2 with a plain ERROR (vshymanskyy/TinyGSM#486).
      if (!m.dialect.cmeeModes.includes(v)) return error();
      m.settings.cmee = v;
      return ok();
    },
  },
  '+CGMI': identity((m) => m.dialect.manufacturer),
  '+GMI': identity((m) => m.dialect.manufacturer),
  '+CGMM': identity((m) => m.dialect.model),
  '+GMM': identity((m) => m.dialect.model),
  '+CGMR': identity((m) => m.dialect.cgmrLine.replace('{revision}', m.dialect.revision)),
  '+GMR': identity((m) => m.dialect.revision),
  '+GSN': identity((m) => m.imei),
  '+CGSN': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGSN: (0-3)']);
      if (c.form === 'exec') return ok([m.imei]);
      if (c.form !== 'set') return error();
      const snt = int(c.args[0]);
      if (snt === 0) return ok([m.imei]);
      if (snt === 1) return ok([`+CGSN: "${m.imei}"`]);
      return badArgs();
    },
  },
};
