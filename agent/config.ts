/**
 * The agent's configuration: one file (YAML or JSON), then `CELLGATE_*` environment variables,
 * then command-line flags, each overriding the one before; every value validated with a message
 * that names the key and its source. Reference and defaults: docs/agent.md.
 */
import { readFile } from 'node:fs/promises';
import { DEVICE_ID_PATTERN } from '../platform/contract/topics.js';
import { DIALECT_IDS, type AuthType, type DialectId, type RatPreference } from './modem/dialects.js';
import { defaultReconnectConfig, type ReconnectConfig } from './session/reconnect-policy.js';
import { defaultLiveness, defaultSessionTimings, type LivenessConfig, type SessionConfig, type SessionTimings } from './session/session-config.js';
import { DEFAULT_LPA_CONFIG, type LpaServiceConfig } from './lpa/service.js';
import type { SmsInboxConfig } from './sms/sms-inbox.js';

/** The MQTT link to the platform (docs/agent.md, Platform link). Absent: the agent runs without one. */
export interface MqttLinkConfig {
  /** `mqtt://host:port` (or `mqtts://`) of the platform's broker. */
  url: string;
  /** The device secret the platform issued. Never logged. */
  password: string;
}

export interface AgentConfig {
  /** Serial device path or `tcp://host:port`. */
  port: string;
  baudRate: number;
  logLevel: string;
  session: SessionConfig;
  /** Stable device id (MQTT username and client id); absent: the modem's IMEI once identified. */
  deviceId?: string;
  /** Where the durable outbox and the applied platform settings live. */
  dataDir: string;
  mqtt?: MqttLinkConfig;
  /** Health / metrics HTTP endpoint; absent: off. */
  health?: { host: string; port: number };
  /** Period of the retained status snapshot (signal refresh), ms. */
  statusIntervalMs: number;
  /** Base URL of the platform's metadata service (`GET /v1/subscriber` from the session's IP). */
  metadataUrl?: string;
  /** The eSIM LPA (platform eSIM commands, notification delivery); absent: off. */
  lpa?: LpaServiceConfig;
  /** The SMS wake-up channel (docs/sms.md); absent: off, the default. */
  sms?: SmsInboxConfig;
  /** Record every AT line to this JSON-lines file (agent/at/recording.ts); absent: off. */
  record?: string;
}

/** [choice] Outside systemd (whose unit sets `/var/lib/cellgate`) the data dir is relative to the working directory. */
export const DEFAULT_DATA_DIR = './.data/agent';

/**
 * The JSON a platform hands out when it registers a device (`POST /_cellgate/devices`):
 * `{deviceId, username?, password, mqttUrl?}`. Pointed at by `mqttCredentials`.
 */
export interface DeviceCredentialsFile {
  deviceId?: string;
  username?: string;
  password: string;
  mqttUrl?: string;
}

/** Thrown with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid agent configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const RATS: readonly RatPreference[] = ['lte-m', 'nb-iot', 'lte'];
const AUTHS: readonly AuthType[] = ['none', 'pap', 'chap'];
const DIALECTS: ReadonlyArray<DialectId | 'auto'> = ['auto', ...DIALECT_IDS];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

const LPA_TRANSPORTS = ['auto', 'cgla', 'csim'] as const;
const { transportMode: _mode, fallback: _fallback, es9CaFile: _ca, platformSmdp: _smdp, discovery: _discovery, ...lpaNumbers } = DEFAULT_LPA_CONFIG;

type Section = 'timings' | 'liveness' | 'reconnect' | 'lpa';
const sections: Record<Section, Record<string, number>> = {
  timings: defaultSessionTimings as unknown as Record<string, number>,
  liveness: defaultLiveness as unknown as Record<string, number>,
  reconnect: defaultReconnectConfig as unknown as Record<string, number>,
  lpa: lpaNumbers,
};

/** Top-level scalar keys, with their env variable and flag names. */
const scalars = [
  { key: 'port', env: 'CELLGATE_PORT', flag: 'port' },
  { key: 'baudRate', env: 'CELLGATE_BAUD_RATE', flag: 'baud-rate' },
  { key: 'apn', env: 'CELLGATE_APN', flag: 'apn' },
  { key: 'user', env: 'CELLGATE_APN_USER', flag: 'user' },
  { key: 'password', env: 'CELLGATE_APN_PASSWORD', flag: 'password' },
  { key: 'auth', env: 'CELLGATE_APN_AUTH', flag: 'auth' },
  { key: 'rat', env: 'CELLGATE_RAT', flag: 'rat' },
  { key: 'dialect', env: 'CELLGATE_DIALECT', flag: 'dialect' },
  { key: 'ceregMode', env: 'CELLGATE_CEREG_MODE', flag: 'cereg-mode' },
  { key: 'logLevel', env: 'CELLGATE_LOG_LEVEL', flag: 'log-level' },
  { key: 'deviceId', env: 'CELLGATE_DEVICE_ID', flag: 'device-id' },
  { key: 'dataDir', env: 'CELLGATE_DATA_DIR', flag: 'data-dir' },
  { key: 'mqttUrl', env: 'CELLGATE_MQTT_URL', flag: 'mqtt-url' },
  { key: 'mqttUsername', env: 'CELLGATE_MQTT_USERNAME', flag: 'mqtt-username' },
  { key: 'mqttPassword', env: 'CELLGATE_MQTT_PASSWORD', flag: 'mqtt-password' },
  { key: 'mqttCredentials', env: 'CELLGATE_MQTT_CREDENTIALS', flag: 'mqtt-credentials' },
  { key: 'healthPort', env: 'CELLGATE_HEALTH_PORT', flag: 'health-port' },
  { key: 'healthHost', env: 'CELLGATE_HEALTH_HOST', flag: 'health-host' },
  { key: 'metadataUrl', env: 'CELLGATE_METADATA_URL', flag: 'metadata-url' },
  { key: 'record', env: 'CELLGATE_RECORD', flag: 'record' },
  { key: 'esim', env: 'CELLGATE_ESIM', flag: 'esim' },
  { key: 'lpaTransport', env: 'CELLGATE_LPA_TRANSPORT', flag: 'lpa-transport' },
  { key: 'lpaFallback', env: 'CELLGATE_LPA_FALLBACK', flag: 'lpa-fallback' },
  { key: 'lpaEs9CaFile', env: 'CELLGATE_LPA_ES9_CA_FILE', flag: 'lpa-es9-ca-file' },
  { key: 'lpaPlatformSmdp', env: 'CELLGATE_LPA_PLATFORM_SMDP', flag: 'lpa-platform-smdp' },
  { key: 'lpaDiscovery', env: 'CELLGATE_LPA_DISCOVERY', flag: 'lpa-discovery' },
  { key: 'statusIntervalMs', env: 'CELLGATE_STATUS_INTERVAL_MS', flag: 'status-interval-ms' },
  { key: 'sms', env: 'CELLGATE_SMS', flag: 'sms' },
  { key: 'smsSenders', env: 'CELLGATE_SMS_SENDERS', flag: 'sms-senders' },
  { key: 'smsPlatformSender', env: 'CELLGATE_SMS_PLATFORM_SENDER', flag: 'sms-platform-sender' },
] as const;

const kebab = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (section: string, key: string): string => `CELLGATE_${section}_${kebab(key).replace(/-/g, '_')}`.toUpperCase();

/** Raw values by dotted key (`apn`, `reconnect.restMs`), each with where it came from. */
type Layer = Map<string, { value: unknown; source: string }>;

function flatten(object: Record<string, unknown>, source: string): { layer: Layer; problems: string[] } {
  const layer: Layer = new Map();
  const problems: string[] = [];
  const known = new Set<string>(scalars.map((s) => s.key));
  for (const [key, value] of Object.entries(object)) {
    if (key in sections) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${source}: '${key}' must be a mapping`);
        continue;
      }
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) {
        if (!(inner in sections[key as Section])) problems.push(`${source}: unknown key '${key}.${inner}'`);
        else layer.set(`${key}.${inner}`, { value: v, source });
      }
    } else if (known.has(key)) {
      layer.set(key, { value, source });
    } else {
      problems.push(`${source}: unknown key '${key}'`);
    }
  }
  return { layer, problems };
}

/**
 * Parses a config text: JSON as JSON, anything else as YAML (of which JSON is a subset). The YAML
 * parser is loaded only for a YAML text, so an agent started from flags, the environment and a
 * JSON credentials file never holds it (≈ 0.3 MB of source, docs/benchmarks.md, P3).
 */
async function parseConfigText(text: string): Promise<unknown> {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all (a YAML flow mapping, or a mistake): YAML names the problem.
    }
  }
  const { parse } = await import('yaml');
  return parse(text) as unknown;
}

/** Reads a YAML (or JSON, which is YAML) config file. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = await parseConfigText(text);
  } catch (error) {
    // The parser's message quotes the offending line, which may be a password: keep only the
    // problem and its position.
    const where = (error as Error).message.split(':\n')[0];
    throw new ConfigError([`config file ${path} is not valid YAML/JSON: ${where}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([`config file ${path} must hold a mapping`]);
  return parsed as Record<string, unknown>;
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = new Map();
  for (const s of scalars) {
    const v = env[s.env];
    if (v !== undefined && v !== '') layer.set(s.key, { value: v, source: `env ${s.env}` });
  }
  for (const [section, keys] of Object.entries(sections)) {
    for (const key of Object.keys(keys)) {
      const name = envName(section, key);
      const v = env[name];
      if (v !== undefined && v !== '') layer.set(`${section}.${key}`, { value: v, source: `env ${name}` });
    }
  }
  return layer;
}

/** Flag names: `--apn`, `--reconnect-reject-backoff-ms`, ... (every key has one). */
export function flagNames(): string[] {
  const names: string[] = scalars.map((s) => s.flag);
  for (const [section, keys] of Object.entries(sections)) for (const key of Object.keys(keys)) names.push(`${section}-${kebab(key)}`);
  return names;
}

function flagLayer(flags: Record<string, string | undefined>): { layer: Layer; problems: string[] } {
  const layer: Layer = new Map();
  const problems: string[] = [];
  const byFlag = new Map<string, string>();
  for (const s of scalars) byFlag.set(s.flag, s.key);
  for (const [section, keys] of Object.entries(sections)) for (const key of Object.keys(keys)) byFlag.set(`${section}-${kebab(key)}`, `${section}.${key}`);
  for (const [flag, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const key = byFlag.get(flag);
    if (!key) problems.push(`unknown flag --${flag}`);
    else layer.set(key, { value, source: `flag --${flag}` });
  }
  return { layer, problems };
}

function toNumber(entry: { value: unknown; source: string }, key: string, problems: string[], min: number, integer: boolean): number | undefined {
  const n = typeof entry.value === 'number' ? entry.value : typeof entry.value === 'string' && entry.value.trim() !== '' ? Number(entry.value) : Number.NaN;
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    problems.push(`${entry.source}: '${key}' must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(entry.value)}`);
    return undefined;
  }
  return n;
}

function toChoice<T extends string>(entry: { value: unknown; source: string }, key: string, choices: readonly T[], problems: string[]): T | undefined {
  const v = String(entry.value);
  if ((choices as readonly string[]).includes(v)) return v as T;
  problems.push(`${entry.source}: '${key}' must be one of ${choices.join(', ')}, got ${JSON.stringify(entry.value)}`);
  return undefined;
}

export interface ConfigSources {
  /** Parsed config file contents (see `readConfigFile`). */
  file?: Record<string, unknown>;
  /** Parsed `mqttCredentials` file (see `readCredentialsFile`); the explicit keys win over it. */
  credentials?: DeviceCredentialsFile;
  filePath?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by flag name without dashes (`apn`, `reconnect-rest-ms`). */
  flags?: Record<string, string | undefined>;
}

/** Merges defaults < file < env < flags and validates the result. */
export function resolveConfig(sources: ConfigSources): AgentConfig {
  const problems: string[] = [];
  const merged: Layer = new Map();
  if (sources.file) {
    const { layer, problems: p } = flatten(sources.file, `file ${sources.filePath ?? '(config)'}`);
    problems.push(...p);
    for (const [k, v] of layer) merged.set(k, v);
  }
  for (const [k, v] of envLayer(sources.env ?? {})) merged.set(k, v);
  const flags = flagLayer(sources.flags ?? {});
  problems.push(...flags.problems);
  for (const [k, v] of flags.layer) merged.set(k, v);

  const str = (key: string, fallback: string): string => {
    const e = merged.get(key);
    if (!e) return fallback;
    if (typeof e.value !== 'string' && typeof e.value !== 'number') {
      problems.push(`${e.source}: '${key}' must be a string`);
      return fallback;
    }
    return String(e.value);
  };
  const choice = <T extends string>(key: string, choices: readonly T[], fallback: T): T => {
    const e = merged.get(key);
    return e ? (toChoice(e, key, choices, problems) ?? fallback) : fallback;
  };

  const port = str('port', '');
  if (port.trim() === '') problems.push("'port' is required (a serial device such as /dev/ttyUSB2, or tcp://host:port)");
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(port) && !/^tcp:\/\/[^:/\s]+:\d{1,5}$/i.test(port)) {
    problems.push(`'port' ${JSON.stringify(port)}: only device paths and tcp://host:port are supported`);
  }
  const baud = merged.get('baudRate');
  const baudRate = baud ? (toNumber(baud, 'baudRate', problems, 300, true) ?? 115200) : 115200;
  const ceregEntry = merged.get('ceregMode');
  const ceregMode = ceregEntry ? toChoice(ceregEntry, 'ceregMode', ['2', '3'], problems) : '3';
  const apn = str('apn', 'soracom.io');
  if (apn === '' || /["\r\n]/.test(apn)) problems.push(`'apn' must be a non-empty string without quotes, got ${JSON.stringify(apn)}`);
  const user = str('user', 'sora');
  const password = str('password', 'sora');
  if (/["\r\n]/.test(user) || /["\r\n]/.test(password)) problems.push("'user' and 'password' may not contain quotes or line breaks");

  const numbers = <T>(section: Section): T => {
    const out: Record<string, number> = { ...sections[section] };
    for (const key of Object.keys(out)) {
      const e = merged.get(`${section}.${key}`);
      if (!e) continue;
      const isFactor = section === 'reconnect' && key === 'factor';
      const minimum = isFactor ? 1 : key === 'segmentSize' ? 6 : key === 'syncAttempts' || key === 'directNotificationAttempts' || key === 'addressPolls' || key === 'maxMisses' || key === 'maxAttemptsPerHour' || key === 'attemptsPerRung' || key.endsWith('BeforeRest') ? 1 : 0;
      const n = toNumber(e, `${section}.${key}`, problems, minimum, !isFactor);
      if (n !== undefined) out[key] = n;
    }
    return out as T;
  };

  const session: SessionConfig = {
    apn: { apn, user, password, auth: choice<AuthType>('auth', AUTHS, 'chap') },
    rat: choice<RatPreference>('rat', RATS, 'lte-m'),
    dialect: choice<DialectId | 'auto'>('dialect', DIALECTS, 'auto'),
    ceregMode: ceregMode === '2' ? 2 : 3,
    timings: numbers<SessionTimings>('timings'),
    liveness: numbers<LivenessConfig>('liveness'),
    reconnect: numbers<ReconnectConfig>('reconnect'),
  };
  if (session.reconnect.baseDelayMs > session.reconnect.maxDelayMs) problems.push("'reconnect.baseDelayMs' must not exceed 'reconnect.maxDelayMs'");
  const logLevel = choice('logLevel', LOG_LEVELS, 'info');

  const creds = sources.credentials;
  const explicitId = merged.get('deviceId') ? str('deviceId', '') : undefined;
  const username = merged.get('mqttUsername') ? str('mqttUsername', '') : undefined;
  if (explicitId !== undefined && username !== undefined && explicitId !== username) {
    problems.push("'mqttUsername' must equal 'deviceId' (the broker ties the login to the device id)");
  }
  const deviceId = explicitId ?? username ?? creds?.deviceId ?? creds?.username;
  if (deviceId !== undefined && !DEVICE_ID_PATTERN.test(deviceId)) {
    problems.push(`'deviceId' ${JSON.stringify(deviceId)} must match ${DEVICE_ID_PATTERN.source} (an IMEI or EID)`);
  }
  const dataDir = str('dataDir', DEFAULT_DATA_DIR);
  if (dataDir.trim() === '') problems.push("'dataDir' must not be empty");
  const mqttUrl = merged.get('mqttUrl') ? str('mqttUrl', '') : creds?.mqttUrl;
  const mqttPassword = merged.get('mqttPassword') ? str('mqttPassword', '') : creds?.password;
  let mqtt: MqttLinkConfig | undefined;
  if (mqttUrl !== undefined) {
    if (!/^mqtts?:\/\/[^\s/]+(:\d{1,5})?\/?$/i.test(mqttUrl)) problems.push(`'mqttUrl' ${JSON.stringify(mqttUrl)}: expected mqtt://host:port or mqtts://host:port`);
    if (!mqttPassword) problems.push("'mqttUrl' is set but no device secret: set 'mqttPassword' or 'mqttCredentials'");
    else mqtt = { url: mqttUrl, password: mqttPassword };
  } else if (mqttPassword !== undefined && merged.get('mqttPassword')) {
    problems.push("'mqttPassword' is set but 'mqttUrl' is not");
  }
  const healthPortEntry = merged.get('healthPort');
  const healthPort = healthPortEntry ? toNumber(healthPortEntry, 'healthPort', problems, 0, true) : undefined;
  if (healthPort !== undefined && healthPort > 65535) problems.push(`'healthPort' must be at most 65535, got ${healthPort}`);
  const healthHost = str('healthHost', '127.0.0.1');
  const intervalEntry = merged.get('statusIntervalMs');
  const statusIntervalMs = intervalEntry ? (toNumber(intervalEntry, 'statusIntervalMs', problems, 1000, true) ?? 60_000) : 60_000;
  const metadataUrl = merged.get('metadataUrl') ? str('metadataUrl', '') : undefined;
  if (metadataUrl !== undefined && !/^http:\/\/[^\s/]+(:\d{1,5})?(\/\S*)?$/i.test(metadataUrl)) problems.push(`'metadataUrl' ${JSON.stringify(metadataUrl)}: expected http://host[:port]`);
  // [choice] The LPA is on by default: it acts only on platform eSIM commands and delivers what
  // the eUICC holds; on a module without an eUICC it finds no ISD-R and stays quiet.
  const esim = choice('esim', ['on', 'off'] as const, 'on');
  const lpaNumberValues = numbers<typeof lpaNumbers>('lpa');
  const platformSmdpEntry = merged.get('lpaPlatformSmdp');
  const platformSmdpValues = platformSmdpEntry === undefined ? [] : Array.isArray(platformSmdpEntry.value) ? platformSmdpEntry.value.map(String) : String(platformSmdpEntry.value).split(',');
  const platformSmdp = platformSmdpValues.map((a) => a.trim()).filter((a) => a !== '');
  for (const a of platformSmdp) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.?(:\d{1,5})?$/i.test(a)) problems.push(`'lpaPlatformSmdp': ${JSON.stringify(a)} is not an SM-DP+ address (host[:port], as in an activation code)`);
  }
  if (lpaNumberValues.segmentSize > 255) problems.push(`'lpa.segmentSize' must be at most 255, got ${lpaNumberValues.segmentSize}`);
  const lpa: LpaServiceConfig | undefined =
    esim === 'on'
      ? {
          ...lpaNumberValues,
          transportMode: choice('lpaTransport', LPA_TRANSPORTS, 'auto'),
          fallback: choice('lpaFallback', ['true', 'false'] as const, 'true') === 'true',
          // PEM CA bundle for the SM-DP+'s TLS (ES9+), e.g. the platform's exported ci.pem.
          es9CaFile: str('lpaEs9CaFile', ''),
          // [choice] The platform's SM-DP+ (its notifications go over MQTT); others get theirs by ES9+.
          platformSmdp,
          // [choice] SM-DS discovery at start, installing and enabling what it finds (docs/esim-lpa.md).
          discovery: choice('lpaDiscovery', ['enable', 'install', 'off'] as const, 'enable'),
        }
      : undefined;
  // [choice] Off by default: a gateway acts on short messages only when its owner asks it to.
  const smsOn = choice('sms', ['on', 'off'] as const, 'off') === 'on';
  const sendersEntry = merged.get('smsSenders');
  const senders = sendersEntry === undefined ? [] : Array.isArray(sendersEntry.value) ? sendersEntry.value.map(String) : String(sendersEntry.value).split(',');
  const allowedSenders = senders.map((s) => s.trim()).filter((s) => s !== '');
  const platformSender = str('smsPlatformSender', '900100');
  for (const s of [...allowedSenders, platformSender]) {
    if (!/^\+?[0-9]{1,20}$/.test(s)) problems.push(`'smsSenders' / 'smsPlatformSender': ${JSON.stringify(s)} is not a phone number or short code (digits, + allowed first)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(smsOn ? { sms: { allowedSenders, platformSender } } : {}),
    ...(metadataUrl !== undefined ? { metadataUrl } : {}),
    ...(merged.get('record') ? { record: str('record', '') } : {}),
    ...(lpa ? { lpa } : {}),
    port,
    baudRate,
    logLevel,
    session,
    ...(deviceId !== undefined ? { deviceId } : {}),
    dataDir,
    ...(mqtt ? { mqtt } : {}),
    ...(healthPort !== undefined ? { health: { host: healthHost, port: healthPort } } : {}),
    statusIntervalMs,
  };
}

/** Reads a device credentials file (JSON or YAML `{deviceId, password, mqttUrl}`). */
export async function readCredentialsFile(path: string): Promise<DeviceCredentialsFile> {
  const raw = await readConfigFile(path).catch((error: unknown) => {
    throw new ConfigError([`mqttCredentials: ${(error as ConfigError).problems?.join('; ') ?? (error as Error).message}`]);
  });
  const problems: string[] = [];
  for (const key of ['deviceId', 'username', 'password', 'mqttUrl']) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string') problems.push(`credentials file ${path}: '${key}' must be a string`);
  }
  if (typeof raw.password !== 'string' || raw.password === '') problems.push(`credentials file ${path}: 'password' is required`);
  if (problems.length > 0) throw new ConfigError(problems);
  return raw as unknown as DeviceCredentialsFile;
}

/** Reads the file (when given) and resolves the configuration. */
export async function loadConfig(options: { configPath?: string; env?: NodeJS.ProcessEnv; flags?: Record<string, string | undefined> }): Promise<AgentConfig> {
  const path = options.configPath ?? options.env?.CELLGATE_CONFIG;
  const file = path ? await readConfigFile(path) : undefined;
  const credentialsPath =
    options.flags?.['mqtt-credentials'] ?? (options.env?.CELLGATE_MQTT_CREDENTIALS || undefined) ?? (typeof file?.mqttCredentials === 'string' ? file.mqttCredentials : undefined);
  const credentials = credentialsPath ? await readCredentialsFile(credentialsPath) : undefined;
  return resolveConfig({
    ...(file ? { file } : {}),
    ...(credentials ? { credentials } : {}),
    ...(path ? { filePath: path } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.flags ? { flags: options.flags } : {}),
  });
}
