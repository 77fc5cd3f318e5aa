/**
 * u-blox SARA family commands (SARA-R4/N4 AT manual UBX-17003787, SARA-R5 AT manual): RAT
 * (`+URAT`), operator profile (`+UMNOPROF`), authentication (`+UAUTHREQ`), and the internal PSD
 * profiles of SARA-R5 (`+UPSD`, `+UPSDA`, `+UPSND`) with their `+UUPSDA` / `+UUPSDD` URCs.
 */
import { CME } from '../errors.js';
import { activate, address, deactivate } from './packet.js';
import { badArgs, cme, inRange, int, ok, type CommandSpec } from './reply.js';

/** The context a PSD profile is mapped to (`AT+UPSD=<profile>,100,<cid>`), when it is. */
function profileCid(m: Parameters<CommandSpec['run']>[0], profile: number): number | undefined {
  return m.persistent.psdProfiles.get(profile);
}

export const ublox: Record<string, CommandSpec> = {
  '+URAT': {
    kind: 'config',
    family: 'ublox',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+URAT: ${m.persistent.urat}`]);
      if (c.form === 'test') return ok(['+URAT: (7,8),(7,8)']);
      const rats = c.args.filter((a): a is string => a !== undefined).map(int);
      if (c.form !== 'set' || rats.length === 0 || rats.some((r) => r !== 7 && r !== 8)) return badArgs();
      // Changing the RAT while registered is refused (u-blox: deregister with AT+COPS=2 first).
      if (m.radio.registered) return cme(CME.notAllowed);
      m.persistent.urat = rats.join(',');
      return ok();
    },
  },
  '+UMNOPROF': {
    kind: 'config',
    family: 'ublox',
    run: (m, c) => {
      if (c.form === 'read') return ok([`+UMNOPROF: ${m.persistent.mnoProfile}`]);
      if (c.form === 'test') return ok(['+UMNOPROF: (0-201)']);
      const profile = int(c.args[0]);
      if (c.form !== 'set' || !inRange(profile, 0, 201)) return badArgs();
      // The profile is chosen with the radio off; the module applies it at the next reboot.
      if (m.settings.cfun !== 0) return cme(CME.notAllowed);
      m.persistent.mnoProfile = profile;
      return ok();
    },
  },
  '+UAUTHREQ': {
    kind: 'config',
    family: 'ublox',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+UAUTHREQ: (1-11),(0-3),,']);
      const cid = int(c.args[0]);
      const auth = int(c.args[1]);
      if (c.form !== 'set' || !inRange(cid, 0, 11) || !inRange(auth, 0, 3)) return badArgs();
      const d = m.persistent.contexts.get(cid) ?? { pdpType: 'IP', apn: '', authType: 0, user: '', password: '' };
      m.persistent.contexts.set(cid, { ...d, authType: auth, user: c.args[2] ?? '', password: c.args[3] ?? '' });
      return ok();
    },
  },
  '+UPSD': {
    kind: 'config',
    family: 'ublox-psd',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      const profile = int(c.args[0]);
      const tag = int(c.args[1]);
      if (c.form !== 'set' || !inRange(profile, 0, 6) || tag === undefined) return badArgs();
      if (tag !== 100) return ok(); // other tags (APN, IP type...) are accepted and unused here
      if (c.args.length === 2) return ok([`+UPSD: ${profile},100,${profileCid(m, profile) ?? 0}`]);
      const cid = int(c.args[2]);
      if (!inRange(cid, 0, 11)) return badArgs();
      m.persistent.psdProfiles.set(profile, cid);
      return ok();
    },
  },
  '+UPSDA': {
    kind: 'query',
    family: 'ublox-psd',
    run: (m, c) => {
      if (c.form === 'test') return ok(['+UPSDA: (0-6),(0-6)']);
      const profile = int(c.args[0]);
      const action = int(c.args[1]);
      if (c.form !== 'set' || !inRange(profile, 0, 6) || action === undefined) return badArgs();
      const cid = profileCid(m, profile) ?? 1;
      if (action === 4) {
        if (!m.radio.session(cid)) return cme(CME.notAllowed);
        return ok([], () => {
          void deactivate(m, cid).then(() => m.urc(`+UUPSDD: ${profile}`));
        });
      }
      if (action !== 3) return ok(); // store / load / reset the profile: nothing to simulate
      // The context is already up (AT+CGACT=1,1 first, as FactbirdHQ/ublox-cellular-rs does): the profile just binds to it.
      if (m.radio.session(cid)) return ok([], () => m.urc(`+UUPSDA: ${profile},"${address(m, cid) ?? ''}"`));
      // OK at once; the outcome arrives as +UUPSDA (FactbirdHQ/ublox-cellular-rs at_logs/startup.md).
      const epoch = m.bootEpoch;
      return ok([], () => {
        void (async () => {
          const result = await activate(m, cid);
          if (epoch !== m.bootEpoch || !result.ok) return;
          m.urc(`+UUPSDA: ${profile},"${address(m, cid) ?? ''}"`);
        })();
      });
    },
  },
  '+UPSND': {
    kind: 'query',
    family: 'ublox-psd',
    run: (m, c) => {
      if (c.form === 'test') return ok();
      const profile = int(c.args[0]);
      const tag = int(c.args[1]);
      if (c.form !== 'set' || !inRange(profile, 0, 6) || tag === undefined) return badArgs();
      const cid = profileCid(m, profile) ?? 1;
      if (tag === 0) return ok([`+UPSND: ${profile},0,"${address(m, cid) ?? ''}"`]);
      if (tag === 8) return ok([`+UPSND: ${profile},8,${m.radio.session(cid) ? 1 : 0}`]);
      return badArgs();
    },
  },
};
