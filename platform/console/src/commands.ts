/**
 * Device commands (platform/contract/messages.ts `Command`) sent through
 * `POST /_cellgate/devices/{id}/commands`, and their results in words: what the device did, or
 * why it did not (its error code, the card's SGP.22 result, the SM-DP+'s refusal).
 */
import { describeError, type Api } from './api.js';

/** `CommandResult` as the platform relays it (`…/commands/res`). */
export interface CommandResult {
  commandId: string;
  command: string;
  status: 'ok' | 'error' | 'unsupported' | 'expired' | 'invalid';
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** What the console shows after a command: one sentence, and the raw result for the curious. */
export interface CommandOutcome {
  ok: boolean;
  text: string;
  result?: CommandResult;
}

/** A profile on the card as `list-profiles` reports it (SGP.22 ProfileInfo). */
export interface CardProfile {
  iccid: string;
  isdpAid?: string;
  state: 'enabled' | 'disabled';
  nickname?: string;
  serviceProviderName?: string;
  profileName?: string;
  profileClass?: string;
}

/**
 * [choice] How long the platform waits for the device's answer: a reconnect settles within a
 * minute (the agent's `commandSettleMs`); an SGP.22 download over a Cat-M1 link can take minutes.
 */
const TIMEOUT_MS: Record<string, number> = { 'esim.download': 300_000, 'enable-profile': 120_000, 'disable-profile': 120_000 };
const DEFAULT_TIMEOUT_MS = 90_000;

/** Sends one command and waits for the device's answer; a platform refusal comes back in words too. */
export async function sendCommand(api: Api, devicePath: string, label: string, command: { name: string } & Record<string, unknown>): Promise<CommandOutcome> {
  try {
    const r = await api.post<CommandResult>(`${devicePath}/commands`, { command, timeoutMs: TIMEOUT_MS[command.name] ?? DEFAULT_TIMEOUT_MS });
    return { ok: r.status === 'ok', text: describeCommandResult(label, r), result: r };
  } catch (err) {
    return { ok: false, text: `${label} refused: ${describeError(err)}` };
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);

/** SGP.22 / ES9+ reasons an LPA reports, as a person reads them. */
const REASONS: Record<string, string> = {
  matchingIdRefused: 'the SM-DP+ refused the matching ID (the activation code was already used, or is unknown)',
  confirmationCodeRefused: 'the confirmation code is wrong',
  confirmationCodeMissing: 'this profile needs a confirmation code',
  confirmationCodeRetriesExceeded: 'too many wrong confirmation codes: the download order is closed',
  downloadOrderExpired: 'the download order has expired',
  downloadRetriesExceeded: 'too many download attempts for this profile',
  insufficientMemory: 'the card has no room for another profile',
  iccidAlreadyExistsOnEuicc: 'the profile is already on the card',
  profileNotInDisabledState: 'the profile is not disabled (disable it first)',
  profileNotInEnabledState: 'the profile is not enabled',
  iccidOrAidNotFound: 'the card has no such profile',
  disallowedByPolicy: 'the profile policy rules forbid it',
  catBusy: 'the card is busy; try again',
  'attach-timeout': 'the new profile did not attach to the network in time',
  'refresh-timeout': 'the modem did not come back after the SIM refresh',
  invalidActivationCode: 'the activation code is not valid',
};
const reasonText = (reason: string): string => REASONS[reason] ?? reason;

function sessionText(r: Record<string, unknown>): string {
  const state = str(r.state);
  if (!state) return '';
  return `session ${state}${str(r.ip) ? ` (${str(r.ip)})` : ''}${str(r.lastFailure) ? `, last failure: ${str(r.lastFailure)}` : ''}`;
}

function switchText(verb: string, r: Record<string, unknown>): string {
  const parts = [`profile ${str(r.iccid) ?? ''} ${verb}`.replace('  ', ' ')];
  if (str(r.imsi)) parts.push(`IMSI ${str(r.imsi)}`);
  if (r.attached === true) parts.push(`attached${typeof r.switchMs === 'number' ? ` in ${r.switchMs < 1000 ? `${Math.round(r.switchMs)} ms` : `${(r.switchMs / 1000).toFixed(1)} s`}` : ''}`);
  return parts.join(', ');
}

function okText(command: string, r: Record<string, unknown>): string {
  switch (command) {
    case 'esim.download': {
      const enabled = obj(r.enabled);
      const name = str(obj(r.metadata)?.profileName);
      return `profile ${str(r.iccid) ?? ''}${name ? ` (${name})` : ''} installed from ${str(r.smdpAddress) ?? 'the SM-DP+'}${enabled ? `; ${switchText('enabled', enabled)}` : ''}`;
    }
    case 'enable-profile':
      return switchText('enabled', r);
    case 'disable-profile':
      return switchText('disabled', r);
    case 'delete-profile':
      return `profile ${str(r.iccid) ?? ''} deleted from the card`;
    case 'list-profiles': {
      const n = Array.isArray(r.profiles) ? r.profiles.length : 0;
      return `${n} profile${n === 1 ? '' : 's'} on eUICC ${str(r.eid) ?? ''}`.trim();
    }
    case 'set-apn':
      return [`APN ${str(r.apn) ?? ''}${str(r.auth) ? ` (auth ${str(r.auth)})` : ''}`, sessionText(r)].filter(Boolean).join(', ');
    case 'set-rat':
      return [`radio access ${str(r.rat) ?? ''}`, sessionText(r)].filter(Boolean).join(', ');
    default:
      return sessionText(r);
  }
}

function failureText(command: string, r: Record<string, unknown>): string {
  if (command === 'esim.download') {
    const enabled = obj(r.enabled);
    if (r.ok === true && enabled) return `profile ${str(r.iccid) ?? ''} installed, but enabling it failed: ${reasonText(str(enabled.reason) ?? str(enabled.result) ?? 'unknown')}${str(enabled.fellBackTo) ? ` (back on ${str(enabled.fellBackTo)})` : ''}`;
    const es9 = obj(r.es9Status);
    const install = obj(r.installError);
    return [
      reasonText(str(r.reason) ?? str(es9?.message) ?? 'unknown reason'),
      str(r.stage) ? `at ${str(r.stage)}` : '',
      es9 ? `(SM-DP+ status ${str(es9.subjectCode) ?? '?'} / ${str(es9.reasonCode) ?? '?'})` : '',
      install ? `(card: ${str(install.errorReason) ?? ''} at ${str(install.bppCommandId) ?? ''})` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
  const reason = str(r.reason) ?? str(r.result);
  return [reason ? reasonText(reason) : 'failed', str(r.fellBackTo) ? `(back on ${str(r.fellBackTo)})` : ''].filter(Boolean).join(' ');
}

/** One sentence for a command's result: "Reconnect: ok — session online (10.…)". */
export function describeCommandResult(label: string, r: CommandResult): string {
  const result = r.result ?? {};
  const error = r.error ? `${r.error.message} (${r.error.code})` : '';
  switch (r.status) {
    case 'ok': {
      const detail = okText(r.command, result);
      return `${label}: ok${detail ? ` — ${detail}` : ''}`;
    }
    case 'error':
      return `${label}: error — ${error || failureText(r.command, result)}`;
    case 'unsupported':
      return `${label}: not supported by this device${error ? ` — ${error}` : ''}`;
    case 'expired':
      return `${label}: expired before the device could act on it${error ? ` — ${error}` : ''}`;
    case 'invalid':
      return `${label}: refused by the device as invalid${error ? ` — ${error}` : ''}`;
  }
}
