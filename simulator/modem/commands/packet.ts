/** The packet domain: `+CGDCONT`, `+CGAUTH`, `+CGEREP`, `+CGACT`, `+CGPADDR`, and the activation every vendor command shares. */
import { CME, cmeForEsmCause } from '../errors.js';
import { attach } from './radio.js';
import { badArgs, cme, error, inRange, int, ok, type CommandSpec } from './reply.js';
import type { ModemContext } from '../modem-context.js';

const PDP_TYPES = new Set(['IP', 'IPV6', 'IPV4V6', 'NON-IP', 'NONIP']);

/** Activates `cid` through the gate; the shared core of CGACT, QIACT and CNACT. */
export async function activate(m: ModemContext, cid: number, apnOverride?: string): Promise<{ ok: true } | { ok: false; code: number }> {
  if (m.simState === 'absent') return { ok: false, code: CME.simNotInserted };
  if (m.settings.cfun !== 1) return { ok: false, code: CME.notAllowed };
  if (!m.radio.registered) {
    // 27.007 §10.1.10: an MT not attached attaches first.
    const attached = await attach(m);
    if (attached.result.kind !== 'ok') {
      return { ok: false, code: attached.result.kind === 'cme' ? attached.result.code : CME.noNetworkService };
    }
  }
  if (!(await m.wait('pdpActivate'))) return { ok: false, code: CME.unspecifiedGprsError };
  const apn = apnOverride ?? m.persistent.contexts.get(cid)?.apn ?? '';
  const outcome = await m.radio.openSession(cid, apn);
  if (!outcome.ok) {
    m.lastFailure = { kind: 'esm', cause: outcome.esmCause };
    return { ok: false, code: cmeForEsmCause(outcome.esmCause) };
  }
  if (m.settings.cgerepMode > 0) m.later(0, () => m.urc(`+CGEV: ME PDN ACT ${cid}`));
  return { ok: true };
}

export async function deactivate(m: ModemContext, cid: number): Promise<void> {
  if (!m.radio.session(cid)) return;
  if (!(await m.wait('pdpDeactivate'))) return;
  await m.radio.closeSession(cid);
}

export function address(m: ModemContext, cid: number): string | undefined {
  return m.radio.session(cid)?.ueIpAddress;
}

/** `<cid>` within the profile's range (nRF91 0..10 with 0 the default bearer; most modules 1..15). */
export function validCid(m: ModemContext, cid: number | undefined): cid is number {
  const [min, max] = m.dialect.contextIds;
  return inRange(cid, min, max);
}

export const packet: Record<string, CommandSpec> = {
  '+CGDCONT': {
    kind: 'config',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGDCONT: (1-15),"IP",,,(0-2),(0-4)', '+CGDCONT: (1-15),"IPV6",,,(0-2),(0-4)', '+CGDCONT: (1-15),"IPV4V6",,,(0-2),(0-4)']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.entries()].sort(([a], [b]) => a - b).map(([cid, d]) => `+CGDCONT: ${cid},"${d.pdpType}","${d.apn}","${address(m, cid) ?? '0.0.0.0'}",0,0`));
      }
      const cid = int(c.args[0]);
      if (c.form !== 'set' || !validCid(m, cid)) return badArgs();
      if (c.args.length === 1) {
        if (m.radio.session(cid)) return cme(CME.notAllowed);
        m.persistent.contexts.delete(cid);
        return ok();
      }
      const pdpType = (c.args[1] ?? 'IP').toUpperCase();
      const apn = c.args[2] ?? '';
      if (!PDP_TYPES.has(pdpType) || apn.length > 99 || !/^[\x20-\x7e]*$/.test(apn)) return badArgs();
      const old = m.persistent.contexts.get(cid);
      m.persistent.contexts.set(cid, { pdpType, apn, authType: old?.authType ?? 0, user: old?.user ?? '', password: old?.password ?? '' });
      return ok();
    },
  },
  '+CGAUTH': {
    kind: 'config',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+CGAUTH: (1-15),(0-2),,']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.entries()].map(([cid, d]) => `+CGAUTH: ${cid},${d.authType},"${d.user}"`));
      }
      const cid = int(c.args[0]);
      const authType = c.args[1] === undefined ? 0 : int(c.args[1]);
      if (c.form !== 'set' || !validCid(m, cid) || !inRange(authType, 0, 3)) return badArgs();
      const d = m.persistent.contexts.get(cid) ?? { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' };
      m.persistent.contexts.set(cid, { ...d, authType, user: c.args[2] ?? '', password: c.args[3] ?? '' });
      return ok();
    },
  },
  '+CGEREP': {
    kind: 'query',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+CGEREP: ${m.settings.cgerepMode},${m.settings.cgerepBfr}`]);
      if (c.form === 'test') return ok(['+CGEREP: (0-2),(0-1)']);
      const mode = c.form === 'exec' ? 0 : int(c.args[0] ?? '0');
      const bfr = c.args[1] === undefined ? 0 : int(c.args[1]);
      if (!inRange(mode, 0, 2) || !inRange(bfr, 0, 1)) return badArgs();
      m.settings.cgerepMode = mode;
      m.settings.cgerepBfr = bfr;
      return ok();
    },
  },
  '+CGACT': {
    kind: 'query',
    run: async (m, c) => {
      if (c.form === 'test') return ok(['+CGACT: (0,1)']);
      if (c.form === 'read') {
        return ok([...m.persistent.contexts.keys()].sort((a, b) => a - b).map((cid) => `+CGACT: ${cid},${m.radio.session(cid) ? 1 : 0}`));
      }
      const state = int(c.args[0]);
      if (c.form !== 'set' || !inRange(state, 0, 1)) return badArgs();
      const cids = c.args.slice(1).map(int);
      if (cids.some((cid) => !validCid(m, cid))) return badArgs();
      const targets = (cids.length > 0 ? (cids as number[]) : [...m.persistent.contexts.keys()]).filter((cid) => state === 0 || m.persistent.contexts.has(cid));
      if (state === 1 && targets.length === 0) return badArgs();
      for (const cid of targets) {
        // The default bearer cannot be activated or deactivated by command (Nordic, +CGACT set command).
        if (cid === m.dialect.defaultBearerCid) return cme(CME.notAllowed);
        if (state === 0) {
          await deactivate(m, cid);
          continue;
        }
        const result = await activate(m, cid);
        if (!result.ok) return cme(result.code);
      }
      return ok();
    },
  },
  '+CGPADDR': {
    kind: 'query',
    run: (m, c) => {
      const defined = [...m.persistent.contexts.keys()].sort((a, b) => a - b);
      if (c.form === 'test') return ok([`+CGPADDR: (${defined.join(',')})`]);
      if (c.form === 'read') return error();
      const cids = c.form === 'exec' ? defined : c.args.map(int);
      if (cids.some((cid) => !validCid(m, cid))) return badArgs();
      return ok((cids as number[]).map((cid) => {
        const ip = address(m, cid);
        return ip ? `+CGPADDR: ${cid},"${ip}"` : `+CGPADDR: ${cid}`;
      }));
    },
  },
};
