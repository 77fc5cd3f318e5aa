/**
 * Telit family commands (ME910C1 AT reference guide): context activation `#SGACT` (answers the
 * address: `#SGACT: 10.141.2.165`, pastebin.com/UYDQzQ5u), RAT `#WS46`, reboot `#REBOOT`.
 */
import { activate, address, deactivate } from './packet.js';
import { badArgs, inRange, int, ok, type CommandSpec, type Reply } from './reply.js';

export const telit: Record<string, CommandSpec> = {
  '#SGACT': {
    kind: 'query',
    family: 'telit',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['#SGACT: (1-6),(0,1)']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.keys()].filter((cid) => cid >= 1 && cid <= 6).sort((a, b) => a - b).map((cid) => `#SGACT: ${cid},${m.radio.session(cid) ? 1 : 0}`));
      }
      const cid = int(c.args[0]);
      const stat = int(c.args[1]);
      if (c.form !== 'set' || !inRange(cid, 1, 6) || !inRange(stat, 0, 1)) return badArgs();
      if (stat === 0) {
        await deactivate(m, cid);
        return ok();
      }
      if (m.radio.session(cid)) return { lines: [], result: { kind: 'cme', code: 555 } } satisfies Reply;
      const result = await activate(m, cid);
      if (!result.ok) return { lines: [], result: { kind: 'cme', code: 555 } };
      return ok([`#SGACT: ${address(m, cid)}`]);
    },
  },
  '#WS46': {
    kind: 'config',
    family: 'telit',
    run: (m, c) => {
      if (c.form === 'read') return ok([`#WS46: ${m.persistent.ws46}`]);
      if (c.form === 'test') return ok(['#WS46: (0-2)']);
      const mode = int(c.args[0]);
      if (c.form !== 'set' || !inRange(mode, 0, 2)) return badArgs();
      m.persistent.ws46 = mode;
      return ok();
    },
  },
};
