/**
 * Resets and power-downs as data: each profile lists its vendor reset commands (`AT+CRESET`,
 * `AT#REBOOT`, `AT#XRESET`: OK, then a reboot as the module does it) and its power-down commands
 * with the line each prints (`AT+QPOWD=1` → OK, `POWERED DOWN`, zephyr PR#103508; `AT+CPOWD=1` →
 * `NORMAL POWER DOWN`, LilyGo-T-SIM7080G#98). A powered-down module stays off until its power
 * circuit restarts it (`powerOffRestartMs`, 5 s): the host sees the port vanish meanwhile.
 */
import type { ModemContext } from '../modem-context.js';
import { resetLikeTheModule } from './radio.js';
import { badArgs, inRange, int, ok, type CommandSpec } from './reply.js';

const POWER_OFF_RESTART_MS = 5_000;

/** The spec of a reset or power-down command of this dialect, or undefined. */
export function powerCommand(m: ModemContext, name: string): CommandSpec | undefined {
  if (m.dialect.resetCommands.includes(name)) {
    return {
      kind: 'query',
      run: (modem, c) => (c.form === 'exec' ? ok([], () => resetLikeTheModule(modem)) : c.form === 'test' ? ok() : badArgs()),
    };
  }
  const line = m.dialect.powerDownCommands[name];
  if (line === undefined) return undefined;
  return {
    kind: 'query',
    run: (modem, c) => {
      if (c.form === 'test') return ok([`${name}: (0,1)`]);
      const mode = c.form === 'exec' ? 1 : int(c.args[0]);
      if (!inRange(mode, 0, 1)) return badArgs();
      const off = { powerDownLine: line, powerOffFor: POWER_OFF_RESTART_MS, dropPortMs: POWER_OFF_RESTART_MS };
      // 0: immediate power-down, no OK (Quectel); 1: normal — Quectel says OK first, SIMCom only the line.
      if (mode === 0 || name === '+CPOWD') return { lines: [], result: { kind: 'none' }, after: () => modem.reset(off) };
      return ok([], () => modem.reset(off));
    },
  };
}
