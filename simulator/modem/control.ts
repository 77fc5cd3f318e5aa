import { Euicc, EuiccError } from '../euicc/euicc.js';
import { isGsm7 } from '../../common/sms/gsm7.js';
import { parseQuirkSetting } from './modem-quirks.js';
import type { GarbageMode, SimulatedModem } from './simulated-modem.js';

/** Parses `5s`, `500ms`, `2m` or a bare number of milliseconds. */
export function parseDuration(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec((text ?? '').trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000);
}

export const CONTROL_HELP = [
  'drop <duration> [reboot]   the device disappears (USB re-enumeration) and comes back, e.g. drop 5s',
  'mute | unmute              stop / resume answering',
  'garbage [inject|replace|off]  noise before answers, instead of answers, or none (default replace)',
  'reboot                     power-cycle the module (RDY..., unregistered, echo on)',
  'coverage off|on            lose / regain coverage',
  'rat utran|eutran           a 2G/3G capable module falls back to UTRAN (+CREG/+CGREG registered, +CEREG 0) or returns',
  'deact [cid]                the network deactivates a PDP context (all when omitted)',
  'sim out|in                 remove / insert the SIM',
  'reject <cause>|off         reject registration with an EMM cause (e.g. 15), or stop rejecting',
  'traffic <cid> <up> <down>  count bytes on a data session (reported to the gate)',
  'install <activation-code> <iccid> <imsi>  eSIM provisioning shortcut: a disabled profile + install notification',
  'profiles                   the eUICC\'s profiles and pending notifications (JSON)',
  'quirk <name> <value>       cgla-nospace|ccho-bare|no-test-forms|sim-power-cycle on|off, slow-apdu <ms>|off',
  'sms <from> <text...>       a short message from another sender (long texts arrive as concatenated parts)',
  'sms-capacity SM|ME <n>     message memory size (a full memory makes the network hold messages back)',
  'status                     show the module state',
  'help                       this list',
].join('\n');

/**
 * Runs one control command (from a person at the CLI or a control socket) on a modem and
 * returns the text to print. Never throws on bad input: it explains what it expected.
 */
export function executeControl(modem: SimulatedModem, line: string): string {
  const [verb = '', ...args] = line.trim().split(/\s+/);
  const f = modem.faults;
  switch (verb.toLowerCase()) {
    case '':
      return '';
    case 'help':
    case '?':
      return CONTROL_HELP;
    case 'drop': {
      const ms = parseDuration(args[0] ?? '5s');
      if (ms === undefined) return `error: bad duration '${args[0]}' (e.g. 5s, 500ms, 2m)`;
      f.dropPort(ms, { reboot: args[1] === 'reboot' });
      return `ok: port dropped for ${ms} ms${args[1] === 'reboot' ? ' (module rebooting)' : ''}`;
    }
    case 'mute':
      f.mute();
      return 'ok: muted';
    case 'unmute':
      f.unmute();
      return 'ok: answering again';
    case 'garbage': {
      const mode = (args[0] ?? 'replace') as GarbageMode;
      if (!['off', 'inject', 'replace'].includes(mode)) return `error: garbage takes inject, replace or off`;
      f.garbage(mode);
      return `ok: garbage ${mode}`;
    }
    case 'reboot':
      f.reboot();
      return 'ok: rebooting';
    case 'coverage':
      if (args[0] !== 'on' && args[0] !== 'off') return 'error: coverage takes on or off';
      f.coverage(args[0] === 'on');
      return `ok: coverage ${args[0]}`;
    case 'rat': {
      if (args[0] !== 'utran' && args[0] !== 'eutran') return 'error: rat takes utran or eutran';
      if (!modem.setServingRat(args[0])) return `error: the ${modem.dialect.name} profile has no 2G/3G fallback`;
      return `ok: serving on ${args[0] === 'utran' ? 'UTRAN' : 'E-UTRAN'}`;
    }
    case 'deact': {
      const cid = args[0] === undefined ? undefined : Number(args[0]);
      if (cid !== undefined && !(Number.isInteger(cid) && cid >= 1 && cid <= 16)) return 'error: deact takes a cid (1-16)';
      f.deactivatePdp(cid);
      return `ok: deactivating ${cid ?? 'all contexts'}`;
    }
    case 'sim':
      if (args[0] === 'out') f.removeSim();
      else if (args[0] === 'in') f.insertSim();
      else return 'error: sim takes out or in';
      return `ok: sim ${args[0]}`;
    case 'reject': {
      if (args[0] === 'off') {
        f.rejectRegistration(undefined);
        return 'ok: registration allowed again';
      }
      const cause = Number(args[0]);
      if (!Number.isInteger(cause) || cause < 1 || cause > 255) return 'error: reject takes an EMM cause (1-255) or off';
      f.rejectRegistration(cause);
      return `ok: rejecting registration with EMM cause #${cause}`;
    }
    case 'traffic': {
      const [cid, up, down] = args.map(Number);
      if (![cid, up, down].every((n) => Number.isInteger(n) && n! >= 0)) return 'error: traffic <cid> <uplinkBytes> <downlinkBytes>';
      modem.addTraffic(cid!, up!, down!);
      return 'ok';
    }
    case 'install': {
      const card = modem.simCard;
      if (!(card instanceof Euicc)) return 'error: the SIM in this modem is not an eUICC (start it with --eid)';
      const [code, iccid, imsi] = args;
      if (!code || !iccid || !imsi) return 'error: install <activation-code LPA:1$smdp$matchingId> <iccid> <imsi>';
      try {
        const profile = card.installFromActivationCode(code, { iccid, imsi });
        return `ok: installed ${profile.iccid} (disabled) in ${profile.isdpAid}`;
      } catch (e) {
        if (e instanceof EuiccError) return `error: ${e.message}`;
        throw e;
      }
    }
    case 'profiles': {
      const card = modem.simCard;
      if (!(card instanceof Euicc)) return 'error: the SIM in this modem is not an eUICC (start it with --eid)';
      return JSON.stringify({ eid: card.eid, profiles: card.profiles(), notifications: card.notifications() }, null, 2);
    }
    case 'sms': {
      const [from, ...words] = args;
      const text = line.trim().replace(/^\S+\s+\S+\s?/, '');
      if (!from || !/^\+?[0-9]{1,20}$/.test(from) || words.length === 0) return 'error: sms <from: digits, + for international> <text>';
      const encoding = isGsm7(text) ? 'gsm7' : 'ucs2';
      const parts = modem.radio.injectSms({ originator: from, encoding, text, sentAt: modem.clock.now(), utcOffsetMinutes: 0 });
      return `ok: ${parts} part${parts === 1 ? '' : 's'} (${encoding}) from ${from}${modem.radio.smsWaiting ? `; ${modem.radio.smsWaiting} waiting at the SMSC` : ''}`;
    }
    case 'sms-capacity': {
      const [mem, n] = [args[0]?.toUpperCase(), Number(args[1])];
      if ((mem !== 'SM' && mem !== 'ME') || !Number.isInteger(n) || n < 0 || n > 255) return 'error: sms-capacity SM|ME <0-255>';
      modem.sms.setCapacity(mem, n);
      return `ok: ${mem} holds ${n} messages (${modem.sms.used(mem)} stored)`;
    }
    case 'quirk': {
      const setting = parseQuirkSetting(args[0] ?? '', args[1] ?? '');
      if (!setting) return 'error: quirk cgla-nospace|ccho-bare|no-test-forms|sim-power-cycle on|off, or quirk slow-apdu <ms>|off';
      Object.assign(modem.quirks, setting);
      return `ok: ${JSON.stringify(setting)}`;
    }
    case 'status':
      return JSON.stringify(modem.status(), null, 2);
    default:
      return `error: unknown command '${verb}' (try help)`;
  }
}
