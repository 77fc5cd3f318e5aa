/**
 * Payload schemas of the device ↔ platform MQTT link (topics in `topics.ts`), as TypeScript
 * types plus hand-written runtime validators. Every payload is UTF-8 JSON with `v: 1`.
 *
 * A validator never throws on bad input: it returns `{ ok: false, error }` with a message naming
 * the offending field, so a garbage MQTT payload is logged and dropped, never a crash.
 */

/** Payload schema version carried in every message as `v`. */
export const SCHEMA_VERSION = 1 as const;

/** Largest payload either side accepts; bigger payloads are rejected unparsed. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * An idempotency key: unique per device, chosen by the device. Deterministic where the source
 * has a natural identity (`esim:{eid}:{seqNumber}`, `res:{commandId}`), random otherwise.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------- status (retained snapshot)

/** Radio access technology as the agent reports it (3GPP TS 27.007 `<AcT>` mapped to names). */
export type RadioAccessTechnology = 'gsm' | 'umts' | 'lte' | 'lte-m' | 'nb-iot' | 'unknown';

/** `+CEREG` `<stat>` (3GPP TS 27.007 §10.1.22) mapped to names. */
export type RegistrationState = 'not-registered' | 'searching' | 'registered-home' | 'registered-roaming' | 'denied' | 'unknown';

export const REGISTRATION_STATES: readonly RegistrationState[] = [
  'not-registered',
  'searching',
  'registered-home',
  'registered-roaming',
  'denied',
  'unknown',
];
export const RADIO_ACCESS_TECHNOLOGIES: readonly RadioAccessTechnology[] = ['gsm', 'umts', 'lte', 'lte-m', 'nb-iot', 'unknown'];

/**
 * `cellgate/v1/devices/{id}/status`: the device's latest state, retained, republished on every
 * change and on each connect. The broker's last will replaces it with the same snapshot marked
 * `online: false` when the link dies without a clean disconnect.
 */
export interface StatusSnapshot {
  v: 1;
  deviceId: string;
  /** The agent's link to the platform is up (false in the last will). */
  online: boolean;
  agentVersion: string;
  /** When the snapshot was taken, ms since the epoch (the agent's clock). */
  time: number;
  registration: {
    state: RegistrationState;
    rat?: RadioAccessTechnology;
    /** EMM reject cause (3GPP TS 24.301 §9.9.3.9) of the last refusal, if any. */
    rejectCause?: number;
  };
  cell?: { mcc: string; mnc: string; tac: number; eci: number };
  session?: { state: 'up' | 'down' | 'connecting'; apn?: string; ipAddress?: string };
  signal?: { rssiDbm?: number; rsrpDbm?: number; rsrqDb?: number; sinrDb?: number };
  /** The SIM in use now: IMSI and ICCID change on an eSIM profile switch, the device id does not. */
  sim?: { imsi?: string; iccid?: string; eid?: string };
  modem?: { manufacturer?: string; model?: string; firmware?: string; imei?: string };
}

// ---------------------------------------------------------------- outbox messages (device → platform)

/** Fields every outbox message carries: the idempotency key is what the platform acks. */
export interface OutboxMessageBase {
  v: 1;
  key: string;
  deviceId: string;
  /** When the device accepted it into its outbox, ms since the epoch. */
  createdAt: number;
}

/** `…/events`: something happened on the device (registration lost, session up, SIM removed…). */
export interface DeviceEvent extends OutboxMessageBase {
  /** Lower-case dotted/dashed name, e.g. `session.up`, `registration.denied`, `signal`. */
  type: string;
  data: Record<string, unknown>;
}

export type EsimOperation = 'install' | 'enable' | 'disable' | 'delete';
export const ESIM_OPERATIONS: readonly EsimOperation[] = ['install', 'enable', 'disable', 'delete'];

/**
 * `…/esim/notifications`: one eUICC pending notification (SGP.22 §5.7.20 / ES10b
 * ListNotification + RetrieveNotificationsList). The key is `esim:{eid}:{seqNumber}`, so the same
 * notification read again after a reboot carries the same key and is applied once.
 */
export interface EsimNotification extends OutboxMessageBase {
  eid: string;
  /** SGP.22 NotificationMetadata seqNumber. */
  seqNumber: number;
  operation: EsimOperation;
  iccid?: string;
  notificationAddress?: string;
  /** The signed PendingNotification as read from the eUICC, base64. */
  pendingNotification?: string;
}

export type CommandResultStatus = 'ok' | 'error' | 'unsupported' | 'expired' | 'invalid';
export const COMMAND_RESULT_STATUSES: readonly CommandResultStatus[] = ['ok', 'error', 'unsupported', 'expired', 'invalid'];

/** `…/commands/res`: the answer to one command request; key `res:{commandId}`. */
export interface CommandResult extends OutboxMessageBase {
  commandId: string;
  /** Name of the command answered (`unknown` when the request itself was unreadable). */
  command: string;
  status: CommandResultStatus;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

// ---------------------------------------------------------------- platform → device

export type RatPreference = 'lte-m' | 'nb-iot' | 'lte' | 'auto';
export const RAT_PREFERENCES: readonly RatPreference[] = ['lte-m', 'nb-iot', 'lte', 'auto'];

/** What the platform may ask a device to do (SPEC §2, Platform link). */
export type Command =
  | { name: 'reconnect' }
  | { name: 'refresh-status' }
  | { name: 'reboot-modem' }
  | { name: 'set-apn'; apn: string; username?: string; password?: string; authType?: 'none' | 'pap' | 'chap' }
  | { name: 'set-rat'; rat: RatPreference }
  | { name: 'enable-profile'; iccid: string }
  | { name: 'disable-profile'; iccid: string }
  | { name: 'delete-profile'; iccid: string }
  | { name: 'list-profiles' }
  | { name: 'set-nickname'; iccid: string; nickname: string }
  /**
   * SGP.22 profile download by the gateway's LPA (`LPA:1$<smdp>$<matchingId>[...]`); without an
   * activation code the eUICC's default SM-DP+ address is used. `enable`: enable it once installed.
   */
  | { name: 'esim.download'; activationCode?: string; confirmationCode?: string; enable?: boolean }
  /**
   * SGP.22 §3.6.2 event retrieval by the gateway's LPA at an SM-DS (ES11; `smdsAddress`, default
   * the eUICC's root SM-DS), then — unless `download` is false — the download of each event's
   * profile from its SM-DP+ with the event ID as matching ID. `enable`: enable the first one installed.
   */
  | { name: 'esim.discover'; smdsAddress?: string; download?: boolean; enable?: boolean };

export type CommandName = Command['name'];
export const COMMAND_NAMES: readonly CommandName[] = [
  'reconnect',
  'refresh-status',
  'reboot-modem',
  'set-apn',
  'set-rat',
  'enable-profile',
  'disable-profile',
  'delete-profile',
  'list-profiles',
  'set-nickname',
  'esim.download',
  'esim.discover',
];

/** `…/commands/req`: QoS 1, not retained. A device answers each once, by `commandId`. */
export interface CommandRequest {
  v: 1;
  commandId: string;
  issuedAt: number;
  /** After this time (device clock) the device answers `expired` instead of acting. */
  expiresAt?: number;
  command: Command;
}

/**
 * `…/acks`: end-to-end acknowledgement. `keys` were applied (now or earlier); `rejected` were
 * refused for good (invalid body) and must not be resent. Either way the device drops them.
 */
export interface Ack {
  v: 1;
  keys: string[];
  rejected?: { key: string; reason: string }[];
  ackedAt: number;
}

// ---------------------------------------------------------------- validation

type Json = Record<string, unknown>;

class Invalid extends Error {}

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60) ?? String(got);
  throw new Invalid(`${path}: expected ${expected}, got ${shown}`);
}

function obj(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Json;
}
function str(o: Json, k: string, path: string, opts: { max?: number; pattern?: RegExp } = {}): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0 || v.length > (opts.max ?? 256)) fail(`${path}.${k}`, `a non-empty string of at most ${opts.max ?? 256} characters`, v);
  if (opts.pattern && !opts.pattern.test(v)) fail(`${path}.${k}`, `a string matching ${opts.pattern.source}`, v);
  return v;
}
function optStr(o: Json, k: string, path: string, opts: { max?: number; pattern?: RegExp } = {}): string | undefined {
  return o[k] === undefined ? undefined : str(o, k, path, opts);
}
function num(o: Json, k: string, path: string, integer = false): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) fail(`${path}.${k}`, integer ? 'an integer' : 'a finite number', v);
  return v;
}
function optNum(o: Json, k: string, path: string, integer = false): number | undefined {
  return o[k] === undefined ? undefined : num(o, k, path, integer);
}
function bool(o: Json, k: string, path: string): boolean {
  const v = o[k];
  if (typeof v !== 'boolean') fail(`${path}.${k}`, 'true or false', v);
  return v;
}
function oneOf<T extends string>(o: Json, k: string, path: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(`${path}.${k}`, `one of ${allowed.join(', ')}`, v);
  return v as T;
}
function optOneOf<T extends string>(o: Json, k: string, path: string, allowed: readonly T[]): T | undefined {
  return o[k] === undefined ? undefined : oneOf(o, k, path, allowed);
}
function version(o: Json): void {
  if (o.v !== SCHEMA_VERSION) fail('$.v', `${SCHEMA_VERSION} (schema version)`, o.v);
}
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DIGITS = /^[0-9]+$/;
const ICCID = /^[0-9]{18,19}[0-9F]?$/;
const EID = /^[0-9]{32}$/;
const EVENT_TYPE = /^[a-z][a-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base(o: Json): OutboxMessageBase {
  version(o);
  return {
    v: SCHEMA_VERSION,
    key: str(o, 'key', '$', { max: 128, pattern: IDEMPOTENCY_KEY_PATTERN }),
    deviceId: str(o, 'deviceId', '$', { max: 64, pattern: DEVICE_ID }),
    createdAt: num(o, 'createdAt', '$', true),
  };
}

function checkStatus(v: unknown): StatusSnapshot {
  const o = obj(v, '$');
  version(o);
  const reg = obj(o.registration, '$.registration');
  const snapshot: StatusSnapshot = {
    v: SCHEMA_VERSION,
    deviceId: str(o, 'deviceId', '$', { max: 64, pattern: DEVICE_ID }),
    online: bool(o, 'online', '$'),
    agentVersion: str(o, 'agentVersion', '$', { max: 64 }),
    time: num(o, 'time', '$', true),
    registration: withoutUndefined({
      state: oneOf(reg, 'state', '$.registration', REGISTRATION_STATES),
      rat: optOneOf(reg, 'rat', '$.registration', RADIO_ACCESS_TECHNOLOGIES),
      rejectCause: optNum(reg, 'rejectCause', '$.registration', true),
    }),
  };
  if (o.cell !== undefined) {
    const c = obj(o.cell, '$.cell');
    snapshot.cell = {
      mcc: str(c, 'mcc', '$.cell', { max: 3, pattern: DIGITS }),
      mnc: str(c, 'mnc', '$.cell', { max: 3, pattern: DIGITS }),
      tac: num(c, 'tac', '$.cell', true),
      eci: num(c, 'eci', '$.cell', true),
    };
  }
  if (o.session !== undefined) {
    const s = obj(o.session, '$.session');
    snapshot.session = withoutUndefined({
      state: oneOf(s, 'state', '$.session', ['up', 'down', 'connecting'] as const),
      apn: optStr(s, 'apn', '$.session', { max: 100 }),
      ipAddress: optStr(s, 'ipAddress', '$.session', { max: 45 }),
    });
  }
  if (o.signal !== undefined) {
    const s = obj(o.signal, '$.signal');
    snapshot.signal = withoutUndefined({
      rssiDbm: optNum(s, 'rssiDbm', '$.signal'),
      rsrpDbm: optNum(s, 'rsrpDbm', '$.signal'),
      rsrqDb: optNum(s, 'rsrqDb', '$.signal'),
      sinrDb: optNum(s, 'sinrDb', '$.signal'),
    });
  }
  if (o.sim !== undefined) {
    const s = obj(o.sim, '$.sim');
    snapshot.sim = withoutUndefined({
      imsi: optStr(s, 'imsi', '$.sim', { max: 15, pattern: DIGITS }),
      iccid: optStr(s, 'iccid', '$.sim', { max: 20, pattern: ICCID }),
      eid: optStr(s, 'eid', '$.sim', { max: 32, pattern: EID }),
    });
  }
  if (o.modem !== undefined) {
    const m = obj(o.modem, '$.modem');
    snapshot.modem = withoutUndefined({
      manufacturer: optStr(m, 'manufacturer', '$.modem', { max: 64 }),
      model: optStr(m, 'model', '$.modem', { max: 64 }),
      firmware: optStr(m, 'firmware', '$.modem', { max: 128 }),
      imei: optStr(m, 'imei', '$.modem', { max: 17, pattern: DIGITS }),
    });
  }
  return snapshot;
}

function checkEvent(v: unknown): DeviceEvent {
  const o = obj(v, '$');
  return { ...base(o), type: str(o, 'type', '$', { max: 64, pattern: EVENT_TYPE }), data: obj(o.data, '$.data') };
}

function checkEsimNotification(v: unknown): EsimNotification {
  const o = obj(v, '$');
  return withoutUndefined({
    ...base(o),
    eid: str(o, 'eid', '$', { max: 32, pattern: EID }),
    seqNumber: num(o, 'seqNumber', '$', true),
    operation: oneOf(o, 'operation', '$', ESIM_OPERATIONS),
    iccid: optStr(o, 'iccid', '$', { max: 20, pattern: ICCID }),
    notificationAddress: optStr(o, 'notificationAddress', '$', { max: 255 }),
    pendingNotification: optStr(o, 'pendingNotification', '$', { max: 64 * 1024, pattern: BASE64 }),
  });
}

function checkCommandResult(v: unknown): CommandResult {
  const o = obj(v, '$');
  const result: CommandResult = {
    ...base(o),
    commandId: str(o, 'commandId', '$', { max: 128, pattern: IDEMPOTENCY_KEY_PATTERN }),
    command: str(o, 'command', '$', { max: 64 }),
    status: oneOf(o, 'status', '$', COMMAND_RESULT_STATUSES),
  };
  if (o.result !== undefined) result.result = obj(o.result, '$.result');
  if (o.error !== undefined) {
    const e = obj(o.error, '$.error');
    result.error = { code: str(e, 'code', '$.error', { max: 64 }), message: str(e, 'message', '$.error', { max: 1024 }) };
  }
  return result;
}

function checkCommand(v: unknown): Command {
  const c = obj(v, '$.command');
  const name = oneOf(c, 'name', '$.command', COMMAND_NAMES);
  switch (name) {
    case 'reconnect':
    case 'refresh-status':
    case 'reboot-modem':
      return { name };
    case 'set-apn':
      return withoutUndefined({
        name,
        apn: str(c, 'apn', '$.command', { max: 100 }),
        username: optStr(c, 'username', '$.command', { max: 64 }),
        password: optStr(c, 'password', '$.command', { max: 64 }),
        authType: optOneOf(c, 'authType', '$.command', ['none', 'pap', 'chap'] as const),
      });
    case 'set-rat':
      return { name, rat: oneOf(c, 'rat', '$.command', RAT_PREFERENCES) };
    case 'enable-profile':
    case 'disable-profile':
    case 'delete-profile':
      return { name, iccid: str(c, 'iccid', '$.command', { max: 20, pattern: ICCID }) };
    case 'list-profiles':
      return { name };
    case 'set-nickname':
      // SGP.22 §5.7.21: the nickname is a UTF8String of at most 64 bytes.
      return { name, iccid: str(c, 'iccid', '$.command', { max: 20, pattern: ICCID }), nickname: str(c, 'nickname', '$.command', { max: 64 }) };
    case 'esim.download': {
      if (c.enable !== undefined && typeof c.enable !== 'boolean') fail('$.command.enable', 'a boolean', c.enable);
      return withoutUndefined({
        name,
        // SGP.22 §4.1 activation code; the LPA parses it (and answers `error` when it is not one).
        activationCode: optStr(c, 'activationCode', '$.command', { max: 512, pattern: /^LPA:1\$[^$\s]+\$[A-Za-z0-9-]*(\$[0-9.]*(\$[01])?)?$/ }),
        confirmationCode: optStr(c, 'confirmationCode', '$.command', { max: 64 }),
        enable: c.enable as boolean | undefined,
      });
    }
    case 'esim.discover': {
      for (const flag of ['download', 'enable'] as const) if (c[flag] !== undefined && typeof c[flag] !== 'boolean') fail(`$.command.${flag}`, 'a boolean', c[flag]);
      return withoutUndefined({
        name,
        // An SM-DS address is an FQDN with an optional port (SGP.22 §4.1 rules for server addresses).
        smdsAddress: optStr(c, 'smdsAddress', '$.command', { max: 255, pattern: /^[A-Za-z0-9.-]+(:\d{1,5})?$/ }),
        download: c.download as boolean | undefined,
        enable: c.enable as boolean | undefined,
      });
    }
  }
}

function checkCommandRequest(v: unknown): CommandRequest {
  const o = obj(v, '$');
  version(o);
  return withoutUndefined({
    v: SCHEMA_VERSION,
    commandId: str(o, 'commandId', '$', { max: 128, pattern: IDEMPOTENCY_KEY_PATTERN }),
    issuedAt: num(o, 'issuedAt', '$', true),
    expiresAt: optNum(o, 'expiresAt', '$', true),
    command: checkCommand(o.command),
  });
}

function checkAck(v: unknown): Ack {
  const o = obj(v, '$');
  version(o);
  const keys = o.keys;
  if (!Array.isArray(keys) || keys.length > 1000) fail('$.keys', 'an array of at most 1000 keys', keys);
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(k)) fail(`$.keys[${i}]`, 'an idempotency key', k);
  });
  const ack: Ack = { v: SCHEMA_VERSION, keys: keys as string[], ackedAt: num(o, 'ackedAt', '$', true) };
  if (o.rejected !== undefined) {
    if (!Array.isArray(o.rejected) || o.rejected.length > 1000) fail('$.rejected', 'an array of at most 1000 entries', o.rejected);
    ack.rejected = o.rejected.map((r, i) => {
      const e = obj(r, `$.rejected[${i}]`);
      return { key: str(e, 'key', `$.rejected[${i}]`, { max: 128, pattern: IDEMPOTENCY_KEY_PATTERN }), reason: str(e, 'reason', `$.rejected[${i}]`, { max: 1024 }) };
    });
  }
  return ack;
}

/** Parses raw MQTT payload bytes as JSON, with the size limit; never throws. */
export function parsePayload(payload: Uint8Array | string): Decoded<unknown> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, error: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  const text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `payload is not JSON: ${(error as Error).message}` };
  }
}

function decoder<T>(check: (v: unknown) => T): (payload: Uint8Array | string | unknown) => Decoded<T> {
  return (payload) => {
    let value: unknown = payload;
    if (typeof payload === 'string' || payload instanceof Uint8Array) {
      const parsed = parsePayload(payload);
      if (!parsed.ok) return parsed;
      value = parsed.value;
    }
    try {
      return { ok: true, value: check(value) };
    } catch (error) {
      if (error instanceof Invalid) return { ok: false, error: error.message };
      throw error;
    }
  };
}

/** Validate a status snapshot (raw payload bytes/string, or an already-parsed value). */
export const decodeStatus = decoder(checkStatus);
export const decodeEvent = decoder(checkEvent);
export const decodeEsimNotification = decoder(checkEsimNotification);
export const decodeCommandResult = decoder(checkCommandResult);
export const decodeCommandRequest = decoder(checkCommandRequest);
export const decodeAck = decoder(checkAck);

/** The idempotency key of a parsed payload if it has a well-formed one (to reject the rest by key). */
export function idempotencyKeyOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const key = (value as Json).key;
  return typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key) ? key : undefined;
}

/** The wire form of any contract message. */
export function encodeMessage(message: StatusSnapshot | DeviceEvent | EsimNotification | CommandResult | CommandRequest | Ack): string {
  return JSON.stringify(message);
}
