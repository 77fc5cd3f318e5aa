/**
 * Nordic nRF91 commands (nRF91 AT commands reference, Serial LTE Modem): system mode
 * `%XSYSTEMMODE` (only offline or in flight mode), ICCID `%XICCID`.
 */
import { badArgs, cme, ok, type CommandSpec } from './reply.js';

/** nRF91 `+CME ERROR: 518`: not allowed in active state (nRF9160 AT commands, %REL14FEAT). */
const NOT_ALLOWED_ACTIVE = 518;

export const nordic: Record<string, CommandSpec> = {
  '%XSYSTEMMODE': {
    kind: 'config',
    family: 'nordic',
    run: (m, c) => {
      if (c.form === 'read') return ok([`%XSYSTEMMODE: ${m.persistent.systemMode.join(',')}`]);
      if (c.form === 'test') return ok(['%XSYSTEMMODE: (0,1),(0,1),(0,1),(0-4)']);
      const values = c.args.map((a) => (a === undefined ? undefined : Number(a)));
      if (c.form !== 'set' || values.length !== 4 || values.some((v) => v === undefined || !Number.isInteger(v))) return badArgs();
      const [lteM, nbIot, gnss, preference] = values as number[];
      if (lteM! > 1 || nbIot! > 1 || gnss! > 1 || preference! > 4 || (lteM === 0 && nbIot === 0)) return badArgs();
      if (m.settings.cfun === 1) return cme(NOT_ALLOWED_ACTIVE);
      m.persistent.systemMode = [lteM!, nbIot!, gnss!, preference!];
      m.radio.radioType = lteM === 1 ? 'lte-m' : 'nb-iot';
      return ok();
    },
  },
};
