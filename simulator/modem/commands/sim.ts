/** The SIM: `+CPIN`, `+CIMI`, Quectel `+QSIMDET`. */
import { CME } from '../errors.js';
import { badArgs, cme, error, inRange, int, ok, type CommandSpec } from './reply.js';

export const sim: Record<string, CommandSpec> = {
  '+CPIN': {
    kind: 'sim',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (m.simState === 'absent') return cme(CME.simNotInserted);
      if (m.simState === 'no-profile') return cme(CME.simFailure);
      if (c.form === 'read') return ok(['+CPIN: READY']);
      // A PIN was given although none is asked for (27.007 §8.3).
      return cme(CME.notAllowed);
    },
  },
  '+CIMI': {
    kind: 'sim',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec') return error();
      const imsi = m.simIdentity?.imsi;
      return imsi ? ok([imsi]) : cme(CME.simFailure);
    },
  },
  '+QSIMDET': {
    kind: 'config',
    family: 'quectel',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+QSIMDET: ${m.persistent.qsimdet.join(',')}`]);
      if (c.form === 'test') return ok(['+QSIMDET: (0,1),(0,1)']);
      const enable = int(c.args[0]);
      const level = c.args[1] === undefined ? m.persistent.qsimdet[1] : int(c.args[1]);
      if (c.form !== 'set' || !inRange(enable, 0, 1) || !inRange(level, 0, 1)) return badArgs();
      m.persistent.qsimdet = [enable, level];
      return ok();
    },
  },
};
