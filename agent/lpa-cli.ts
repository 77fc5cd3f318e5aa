/**
 * `cellgate lpa`: eSIM profile operations for a bench technician, talking to a modem directly
 * (serial device or `tcp://host:port`). While `cellgate agent` runs it owns the port: stop it
 * first, or use the platform's eSIM commands, which the agent runs over its own channel.
 */
import { parseCommandLine } from '../common/command-line.js';
import { RealClock } from '../common/clock.js';
import { createLogger } from '../common/log.js';
import { openChannel } from './at/index.js';
import type { AtChannel } from './at/types.js';
import { LpaService, type LpaServiceConfig } from './lpa/service.js';
import { LpaClient } from './lpa/lpa-client.js';
import { AtApduTransport } from './lpa/at-apdu-transport.js';

const USAGE = `usage: cellgate lpa --port <device|tcp://host:port> <operation>

operations:
  list                       profiles on the eUICC (ICCID, state, nickname, provider, name)
  eid                        the eUICC's EID
  enable <iccid>             enable a profile, wait for the modem to show it and register
                             (falls back to the previous profile if it cannot attach)
  disable <iccid>            disable a profile
  delete <iccid>             delete a (disabled) profile
  nickname <iccid> <name>    set a profile's nickname (at most 64 bytes)
  notifications              pending notifications (they stay on the card: only the agent
                             removes them, once the platform has acknowledged them)
  download [<activation-code>]
                             SGP.22 profile download (LPA:1$<smdp>$<matchingId>...) over ES9+
                             HTTPS; without a code, from the eUICC's default SM-DP+ address
  discover [<smds-address>]  SGP.22 event retrieval at an SM-DS (ES11 over HTTPS; default the
                             eUICC's root SM-DS): the events waiting for this eUICC; with
                             --download, each event's profile is downloaded from its SM-DP+
  addresses                  the default SM-DP+ and root SM-DS addresses (ES10a)
  set-default-smdp <address> set (or, with "", clear) the default SM-DP+ address
  rat                        the Rules Authorisation Table (ES10b GetRAT)
  info                       EUICCInfo2 (versions, free memory, trusted CIs)
  memory-reset <what>        delete operational / test profiles, reset the default SM-DP+:
                             a comma list of operational,test,default-smdp (no notifications)

options:
  --port <path|url>          the modem's AT port (required)
  --baud <rate>              serial speed (default 115200)
  --mode <auto|cgla|csim>    APDU transport (default auto: probe AT+CCHO/AT+CGLA, else AT+CSIM)
  --attach-timeout <s>       how long enable waits for registration (default 180)
  --refresh-timeout <s>      how long to wait for the modem to show the new profile before a SIM
                             power cycle (AT+CFUN=0, AT+CFUN=1) (default 15)
  --no-fallback              do not re-enable the previous profile when the new one cannot attach
  --confirmation-code <code> download: the code the operator gave with the activation code
  --enable                   download, discover: enable the (first) profile once installed
  --download                 discover: download the profile of each event found
  --ca-file <pem>            download, discover: CA bundle for the SM-DP+'s / SM-DS's TLS (the
                             platform's ci.pem)
  --json                     print JSON

While the agent runs it owns the port; stop it first (systemctl stop cellgate-agent).`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate lpa', USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      baud: { type: 'string', default: '115200' },
      mode: { type: 'string', default: 'auto' },
      'attach-timeout': { type: 'string', default: '180' },
      'refresh-timeout': { type: 'string', default: '15' },
      'no-fallback': { type: 'boolean', default: false },
      'confirmation-code': { type: 'string' },
      enable: { type: 'boolean', default: false },
      download: { type: 'boolean', default: false },
      'ca-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const fail = (message: string): number => {
    console.error(`cellgate lpa: ${message}`);
    return 2;
  };
  const [operation, ...args] = positionals;
  if (!values.port) return fail(`--port is required\n\n${USAGE}`);
  if (!operation) return fail(`an operation is required\n\n${USAGE}`);
  const needs = { list: [0], eid: [0], notifications: [0], enable: [1], disable: [1], delete: [1], nickname: [2], download: [0, 1], discover: [0, 1], addresses: [0], 'set-default-smdp': [1], rat: [0], info: [0], 'memory-reset': [1] } as const;
  if (!(operation in needs)) return fail(`unknown operation '${operation}'\n\n${USAGE}`);
  const counts: readonly number[] = needs[operation as keyof typeof needs];
  if (!counts.includes(args.length)) return fail(`${operation} takes ${counts.join(' or ')} argument(s)`);
  const takesIccid = ['enable', 'disable', 'delete', 'nickname'].includes(operation);
  if (takesIccid && !/^\d{18,20}F?$/i.test(args[0]!)) return fail(`not an ICCID: ${args[0]}`);
  const resetOptions = operation === 'memory-reset' ? args[0]!.split(',') : [];
  if (resetOptions.some((o) => !['operational', 'test', 'default-smdp'].includes(o))) return fail('memory-reset takes a comma list of operational, test, default-smdp');
  if (!['auto', 'cgla', 'csim'].includes(values.mode)) return fail('--mode must be auto, cgla or csim');
  const attachTimeout = Number(values['attach-timeout']);
  if (!Number.isFinite(attachTimeout) || attachTimeout <= 0) return fail('--attach-timeout takes seconds > 0');
  const refreshTimeout = Number(values['refresh-timeout']);
  if (!Number.isFinite(refreshTimeout) || refreshTimeout < 0) return fail('--refresh-timeout takes seconds >= 0');

  const clock = new RealClock();
  const logger = createLogger({ name: 'lpa', level: process.env.LOG_LEVEL ?? 'warn' });
  let channel: AtChannel;
  try {
    channel = await openChannel({ port: values.port, baudRate: Number(values.baud), clock, logger });
  } catch (error) {
    return fail(`cannot open ${values.port}: ${(error as Error).message}`);
  }
  const config: Partial<LpaServiceConfig> = {
    transportMode: values.mode as LpaServiceConfig['transportMode'],
    attachTimeoutMs: attachTimeout * 1000,
    refreshTimeoutMs: refreshTimeout * 1000,
    pollIntervalMs: 250,
    fallback: !values['no-fallback'],
    ...(values['ca-file'] ? { es9CaFile: values['ca-file'] } : {}),
  };
  const service = new LpaService({ channel: () => channel, clock, logger, config });
  const print = (value: unknown, text: () => string): void => console.log(values.json ? JSON.stringify(value, null, 2) : text());
  try {
    await channel.exec('ATE0', 2_000).catch(() => undefined);
    switch (operation) {
      case 'list': {
        const profiles = await service.listProfiles();
        print(profiles, () =>
          profiles.length === 0
            ? 'no profiles'
            : profiles.map((p) => `${p.iccid}  ${p.state.padEnd(8)}  ${p.nickname ?? '-'}  ${p.serviceProviderName ?? '-'}  ${p.profileName ?? '-'}`).join('\n'),
        );
        return 0;
      }
      case 'eid': {
        const eid = await service.eid();
        print({ eid }, () => eid);
        return 0;
      }
      case 'notifications': {
        const client = new LpaClient(new AtApduTransport(channel, { mode: config.transportMode! }));
        const list = await client.listNotifications();
        print(list, () => (list.length === 0 ? 'no pending notifications' : list.map((n) => `#${n.seqNumber}  ${n.event.padEnd(7)}  ${n.iccid ?? '-'}  ${n.notificationAddress}`).join('\n')));
        return 0;
      }
      case 'enable':
      case 'disable': {
        const outcome = operation === 'enable' ? await service.enable(args[0]!) : await service.disable(args[0]!);
        print(outcome, () =>
          outcome.ok
            ? `${operation}d ${args[0]}: modem shows ICCID ${outcome.iccid ?? '?'}, IMSI ${outcome.imsi ?? '?'}${outcome.switchMs !== undefined ? ` (registered after ${outcome.switchMs} ms)` : ''}`
            : `${operation} ${args[0]} failed: ${outcome.reason ?? outcome.result}${outcome.fellBackTo ? `; fell back to ${outcome.fellBackTo}` : ''}`,
        );
        return outcome.ok ? 0 : 1;
      }
      case 'download': {
        const outcome = await service.download({
          ...(args[0] ? { activationCode: args[0] } : {}),
          ...(values['confirmation-code'] ? { confirmationCode: values['confirmation-code'] } : {}),
          enable: values.enable,
        });
        const { profileInstallationResult: _pir, ...shown } = outcome;
        print(shown, () =>
          outcome.ok
            ? `installed ${outcome.iccid} (${outcome.metadata?.serviceProviderName ?? '-'} / ${outcome.metadata?.profileName ?? '-'}) from ${outcome.smdpAddress}${outcome.enabled ? (outcome.enabled.ok ? `; enabled, IMSI ${outcome.enabled.imsi ?? '?'}` : `; enable failed: ${outcome.enabled.reason ?? outcome.enabled.result}`) : ''}`
            : `download failed at ${outcome.stage}: ${outcome.reason}${outcome.es9Status ? ` (SM-DP+ ${outcome.es9Status.subjectCode} / ${outcome.es9Status.reasonCode})` : ''}${outcome.cancelled ? `; session cancelled (${outcome.cancelled})` : ''}`,
        );
        return outcome.ok && (outcome.enabled?.ok ?? true) ? 0 : 1;
      }
      case 'discover': {
        const outcome = await service.discover({ ...(args[0] ? { smdsAddress: args[0] } : {}), download: values.download, enable: values.enable });
        const shown = { ...outcome, downloads: outcome.downloads.map(({ profileInstallationResult: _pir, ...d }) => d) };
        print(shown, () => {
          if (!outcome.ok && outcome.downloads.length === 0) return `discovery failed at ${outcome.stage}: ${outcome.reason}${outcome.es9Status ? ` (SM-DS ${outcome.es9Status.subjectCode} / ${outcome.es9Status.reasonCode})` : ''}`;
          const lines = [outcome.events.length === 0 ? `no events at ${outcome.smdsAddress}` : `${outcome.events.length} event(s) at ${outcome.smdsAddress}:`];
          for (const e of outcome.events) {
            const d = outcome.downloads.find((x) => x.eventId === e.eventId);
            lines.push(`  ${e.eventId}  ${e.rspServerAddress}${d ? (d.ok ? `  installed ${d.iccid}${d.enabled?.ok ? ', enabled' : ''}` : `  download failed at ${d.stage}: ${d.reason}`) : ''}`);
          }
          return lines.join('\n');
        });
        return outcome.ok ? 0 : 1;
      }
      case 'addresses': {
        const a = await service.configuredAddresses();
        print(a, () => `default SM-DP+  ${a.defaultDpAddress ?? '-'}\nroot SM-DS      ${a.rootDsAddress ?? '-'}`);
        return 0;
      }
      case 'set-default-smdp':
      case 'memory-reset': {
        const code = operation === 'set-default-smdp' ? await service.setDefaultSmdp(args[0]!) : await service.memoryReset(resetOptions as never);
        const names: Record<number, string> = { 0: 'ok', 1: 'nothingToDelete', 5: 'catBusy', 127: 'undefinedError' };
        print({ code, result: names[code] ?? `unknown(${code})` }, () => `${operation}: ${names[code] ?? code}`);
        return code === 0 ? 0 : 1;
      }
      case 'rat': {
        const rules = await service.rat();
        print(rules, () => rules.map((r) => `PPR ${r.pprIds.join(',') || '-'}  operators ${r.allowedOperators.join(',')}${r.consentRequired ? '  consent required' : ''}`).join('\n') || 'empty RAT');
        return 0;
      }
      case 'info': {
        const client = new LpaClient(new AtApduTransport(channel, { mode: config.transportMode! }));
        const info = await client.getEuiccInfo2();
        print(info, () => Object.entries(info).map(([k, v]) => `${k.padEnd(24)} ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n'));
        return 0;
      }
      case 'delete':
      case 'nickname': {
        const answer = operation === 'delete' ? await service.delete(args[0]!) : await service.setNickname(args[0]!, args[1]!);
        print(answer, () => (answer.ok ? `${operation}: ok` : `${operation} refused by the eUICC: ${answer.result} (${answer.code})`));
        return answer.ok ? 0 : 1;
      }
    }
    return 2;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    console.error(`cellgate lpa: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`);
    return 1;
  } finally {
    service.stop();
    await channel.close().catch(() => undefined);
  }
}
