/** Logical channels to the card (3GPP TS 27.007 §8.45, §8.43, §8.46, §8.17). */
import { CME } from '../errors.js';
import { badArgs, cme, error, hex, inRange, int, ok, type CommandSpec } from './reply.js';
import type { ModemContext } from '../modem-context.js';

function cglaPrefix(m: ModemContext): string {
  return m.quirks.cglaNoSpace ? '+CGLA:' : '+CGLA: ';
}

/** Base of the session handles a Sierra-style module hands out (`cchoSessionHandle`). */
const HANDLE_BASE = 0x38aa300;

/** The `<sessionid>` the module prints for a card channel. */
function sessionId(m: ModemContext, channel: number): string {
  if (m.quirks.cchoSessionHandle) return (HANDLE_BASE + channel).toString(16).toUpperCase().padStart(16, '0');
  return String(channel);
}

/** The card channel a `<sessionid>` argument names (undefined when it names none). */
function channelOf(m: ModemContext, arg: string | undefined): number | undefined {
  if (!m.quirks.cchoSessionHandle) return int(arg);
  if (arg === undefined || !/^[0-9A-Fa-f]{1,16}$/.test(arg)) return undefined;
  return parseInt(arg, 16) - HANDLE_BASE;
}

export const channels: Record<string, CommandSpec> = {
  '+CCHO': {
    kind: 'channel',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const aid = c.args[0];
      if (c.form !== 'set' || aid === undefined || c.args.length !== 1 || !hex.test(aid) || aid.length < 10 || aid.length > 32) {
        return badArgs();
      }
      const opened = m.card!.openChannel(aid.toUpperCase());
      if ('sw' in opened) return cme(opened.sw === 0x6a81 ? CME.memoryFull : CME.notAllowed);
      const id = sessionId(m, opened.channel);
      return ok([m.quirks.cchoBare ? id : `+CCHO: ${id}`]);
    },
  },
  '+CCHC': {
    kind: 'channel',
    needsSim: true,
    run: (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const ch = channelOf(m, c.args[0]);
      if (c.form !== 'set' || !inRange(ch, 1, 19)) return badArgs();
      return m.card!.closeChannel(ch!) ? ok() : badArgs();
    },
  },
  '+CGLA': {
    kind: 'apdu',
    needsSim: true,
    run: async (m, c) => {
      if (c.form === 'test') return m.quirks.noChannelTestForms ? error() : ok();
      const ch = channelOf(m, c.args[0]);
      const length = int(c.args[1]);
      const command = c.args[2];
      if (c.form !== 'set' || !inRange(ch, 1, 19) || length === undefined || command === undefined || !hex.test(command)) return badArgs();
      if (command.length !== length || length < 8) return badArgs();
      if (m.quirks.slowApduMs > 0 && !(await m.wait(m.quirks.slowApduMs))) return error();
      let response: Uint8Array;
      try {
        response = m.card!.transmit(ch, Buffer.from(command, 'hex'));
      } catch (err) {
        m.logger.warn({ err }, 'card refused an APDU');
        return badArgs();
      }
      const out = Buffer.from(response).toString('hex').toUpperCase();
      return ok([`${cglaPrefix(m)}${out.length},"${out}"`]);
    },
  },
  '+CSIM': {
    kind: 'apdu',
    needsSim: true,
    run: async (m, c) => {
      if (c.form === 'test') return ok();
      const length = int(c.args[0]);
      const command = c.args[1];
      if (c.form !== 'set' || length === undefined || command === undefined || !hex.test(command)) return badArgs();
      if (command.length !== length || length < 8) return badArgs();
      if (m.quirks.slowApduMs > 0 && !(await m.wait(m.quirks.slowApduMs))) return error();
      const out = Buffer.from(m.channels.csim(Buffer.from(command, 'hex'))).toString('hex').toUpperCase();
      return ok([`+CSIM: ${out.length},"${out}"`]);
    },
  },
};
