/**
 * The simulated modem's AT interpreter: one table of command specs per family, merged here, and
 * the dispatch that applies a dialect's families, latency and SIM checks.
 */
import type { ParsedCommand } from '../command-line.js';
import { CME } from '../errors.js';
import type { ModemContext } from '../modem-context.js';
import { basic } from './basic.js';
import { channels } from './channels.js';
import { packet } from './packet.js';
import { quectel } from './quectel.js';
import { radio } from './radio.js';
import { cme, error, ok, type CommandSpec, type Reply } from './reply.js';
import { nordic } from './nordic.js';
import { powerCommand } from './power.js';
import { sim } from './sim.js';
import { simcom } from './simcom.js';
import { sms } from './sms.js';
import { telit } from './telit.js';
import { ublox } from './ublox.js';

export type { FinalResult, Reply } from './reply.js';

/** Dispatches one parsed command on the modem; the modem wraps it in echo, result codes, garbage. */
export async function handleCommand(m: ModemContext, c: ParsedCommand): Promise<Reply> {
  const spec = powerCommand(m, c.name) ?? COMMANDS[c.name] ?? iccidSpec(m, c.name);
  if (!spec || (spec.family && !m.dialect.families.includes(spec.family))) {
    if (!(await m.wait('query'))) return error();
    return m.dialect.unknownCommand === 'cme' ? cme(CME.notSupported) : error();
  }
  if (!(await m.wait(c.form === 'test' || c.form === 'read' ? 'query' : spec.kind))) return error();
  if ((spec.needsSim || spec.kind === 'sim') && c.form !== 'test') {
    // nRF91 keeps the SIM unpowered while offline at boot: SIM commands answer ERROR (vshymanskyy/TinyGSM#486).
    if (m.dialect.simOffInCfun0 && m.settings.cfun === 0) return error();
  }
  if (spec.needsSim && c.form !== 'test') {
    if (m.simState === 'absent') return cme(CME.simNotInserted);
  }
  return spec.run(m, c);
}

function iccidSpec(m: ModemContext, name: string): CommandSpec | undefined {
  const prefix = m.dialect.iccidCommands[name];
  if (prefix === undefined) return undefined;
  return {
    kind: 'sim',
    needsSim: true,
    run: (modem, c) => {
      if (c.form === 'test') return ok();
      if (c.form !== 'exec' && c.form !== 'read') return error();
      const iccid = modem.simIdentity?.iccid;
      if (!iccid) return cme(CME.simFailure);
      return ok([prefix ? `${prefix}: ${iccid}` : iccid]);
    },
  };
}

const COMMANDS: Record<string, CommandSpec> = { ...basic, ...sim, ...sms, ...channels, ...radio, ...packet, ...quectel, ...simcom, ...ublox, ...telit, ...nordic };
