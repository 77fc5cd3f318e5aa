/**
 * Fleet scenario files (YAML): the fleet, its timeline of operator / network / fault events at
 * virtual times, and the expectations checked at the end. Format: docs/fleet.md. Every problem
 * is reported at once, one line each, naming the key.
 */
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './duration.js';

export const DIALECTS = ['generic', 'bg95', 'bg96', 'sim7080'] as const;
export type FleetDialect = (typeof DIALECTS)[number];

/** `zero`: answers at once; `fast`: the module's profile ×0.1; `realistic`: the module's profile. */
export const LATENCY_PROFILES = { zero: 0, fast: 0.1, realistic: 1 } as const;
export type LatencyProfile = keyof typeof LATENCY_PROFILES;

export const INITIAL_STATUSES = ['ready', 'active', 'inactive', 'standby', 'suspended'] as const;
export type InitialStatus = (typeof INITIAL_STATUSES)[number];

/** Operator actions, sent through the platform's HTTP API. */
export const OPERATOR_ACTIONS = ['activate', 'deactivate', 'suspend', 'standby', 'delete-session'] as const;
/** Radio-side events of the simulated network. */
export const NETWORK_EVENTS = ['coverage-loss', 'registration-reject'] as const;
/** Faults of the simulated modems. */
export const FAULTS = ['port-drop', 'reboot', 'garbage', 'pdp-deactivation', 'mute'] as const;
/** Platform-side operations that need more than a status action: a ready transfer of Ready SIMs, an eSIM profile switch. */
export const PLATFORM_OPERATIONS = ['ready-transfer', 'esim-enable'] as const;

/** The kinds a fault is counted under in the report (`delete-session` counts as `session-deleted`). */
export const RECOVERY_KINDS = [...NETWORK_EVENTS, ...FAULTS, 'session-deleted'] as const;

/**
 * [choice] Default bounds on the time from a fault's end to its gateway being online again,
 * used by `expect.recoveryTime` for every kind it does not name. Derived from the agent's
 * defaults (docs/agent.md): a reconnect backoff capped at 5 min plus an attach; a registration
 * reject backs off 12 min and rests 1 h after 5 rejects; garbage and mute need the liveness
 * probe (3 misses of a 30 s probe) and a reset rung. docs/fleet.md "Recovery".
 */
export const DEFAULT_RECOVERY_BOUNDS_MS: Readonly<Record<string, number>> = {
  'coverage-loss': 10 * 60_000,
  'registration-reject': 75 * 60_000,
  'port-drop': 5 * 60_000,
  reboot: 5 * 60_000,
  garbage: 10 * 60_000,
  mute: 10 * 60_000,
  'pdp-deactivation': 5 * 60_000,
  'session-deleted': 5 * 60_000,
};

export type EventKind =
  | (typeof OPERATOR_ACTIONS)[number]
  | (typeof NETWORK_EVENTS)[number]
  | (typeof FAULTS)[number]
  | (typeof PLATFORM_OPERATIONS)[number];

/** Which gateways an event hits; `percent`/`count` draw from the seeded random source. */
export type Target =
  | { kind: 'all' }
  | { kind: 'percent'; percent: number }
  | { kind: 'count'; count: number }
  | { kind: 'group'; group: string }
  | { kind: 'region'; region: string };

export interface TimelineEvent {
  /** Virtual time from the start of the run (ms). */
  at: number;
  do: EventKind;
  target: Target;
  /** Remember the gateways hit under this name for later events (`target: {group: name}`). */
  as?: string;
  /** How long a network event or fault lasts (ms). */
  for?: number;
  /** EMM cause of a registration reject (default 15). */
  cause?: number;
  /** Garbage mode (default `inject`). */
  garbage?: 'inject' | 'replace';
  /** Position in the file, for messages. */
  index: number;
}

export interface Expectations {
  /** The platform's retained status of every gateway that should be online says online (link on). */
  statusOnline?: boolean;
  /** No device event was stored twice (same idempotency key) by the platform (link on). */
  noDuplicateEvents?: boolean;
  /** eSIM notifications: every one the cards produced delivered, none applied twice, the switched-to profiles Activated. */
  esimNotificationsDelivered?: boolean;
  /** `all` gateways that should be online are, or at least this fraction (0..1). */
  online?: 'all' | number;
  /** No device made more connection attempts than this in any sliding hour. */
  maxReconnectAttemptsPerHour?: number;
  /** Notifications the agents produced but the platform never acknowledged. */
  lostNotifications?: number;
  /** Total billed (all statements of the run, in the statement currency). */
  billTotal?: { min?: number; max?: number };
  agentCrashes?: number;
  /** Every fault that took its gateway down was followed by the gateway coming back online. */
  allFaultsRecovered?: boolean;
  /** Every fault that hit an online gateway took it down (the agent noticed). */
  allFaultsObserved?: boolean;
  /** Device events accepted by the agents' outboxes and never stored by the platform (link on). */
  lostEvents?: number;
  /** Per fault kind, the longest allowed time from the fault's end to online again (ms); every kind has a bound (defaults filled in). */
  recoveryTime?: Record<string, number>;
}

export interface Scenario {
  name: string;
  seed: number;
  /** Virtual span of the run (ms). */
  duration: number;
  mode: 'virtual' | 'real';
  gateways: {
    count: number;
    dialects: Record<string, number>;
    latency: Record<string, number>;
    plans: Record<string, number>;
    initialStatus: Record<string, number>;
    regions: Record<string, number>;
    /** Application data each gateway sends per hour (bytes up; down is a quarter). */
    trafficBytesPerHour: number;
    /** Cold starts are spread evenly over this span (ms). */
    startSpread: number;
    /** Gateways with an eUICC holding two profiles from a platform eSIM order (spread evenly over the fleet). */
    esim: number;
    /**
     * How those profiles reach the cards: `download`, the full SGP.22 download from the platform's
     * SM-DP+ (default); `shortcut`, written onto the card without the protocol (faster, no SM-DP+).
     */
    esimProvisioning: EsimProvisioning;
    /** Ready SIMs the operator keeps in stock, in no gateway (what `ready-transfer` draws from, with any other Ready SIM). */
    spareSims: number;
  };
  /** Each agent runs its MQTT link to the platform (`agent.link`, default true). */
  link: boolean;
  /** Agent settings by dotted key (`liveness.intervalMs`, `reconnect.rejectBackoffMs`). */
  agent: Record<string, number>;
  modem: { usageReportIntervalMs: number };
  platform: { sessionIdleTimeoutMs?: number };
  timeline: TimelineEvent[];
  expect: Expectations;
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid scenario ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ScenarioError';
  }
}

/** [choice] The fleet's operator works in coverage type g (the default), so its plans are g's. */
const SUBSCRIPTIONS = ['plan01s', 'plan01s-low_data_volume', 'planX1', 'planP1'];
const TOP_KEYS = ['name', 'seed', 'duration', 'mode', 'gateways', 'agent', 'modem', 'platform', 'timeline', 'expect'];
const GATEWAY_KEYS = ['count', 'dialects', 'latency', 'plans', 'initialStatus', 'regions', 'trafficBytesPerHour', 'startSpread', 'esim', 'esimProvisioning', 'spareSims'];
export const ESIM_PROVISIONING = ['download', 'shortcut'] as const;
export type EsimProvisioning = (typeof ESIM_PROVISIONING)[number];
const EVENT_KEYS = ['at', 'do', 'target', 'as', 'for', 'cause', 'garbage'];
const EXPECT_KEYS = [
  'online',
  'maxReconnectAttemptsPerHour',
  'lostNotifications',
  'billTotal',
  'agentCrashes',
  'allFaultsRecovered',
  'statusOnline',
  'noDuplicateEvents',
  'esimNotificationsDelivered',
  'allFaultsObserved',
  'lostEvents',
  'recoveryTime',
];
const LINK_EXPECTATIONS = ['statusOnline', 'noDuplicateEvents', 'esimNotificationsDelivered'] as const;
const ALL_EVENTS: readonly string[] = [...OPERATOR_ACTIONS, ...NETWORK_EVENTS, ...FAULTS, ...PLATFORM_OPERATIONS];
const LASTING: readonly string[] = ['coverage-loss', 'registration-reject', 'port-drop', 'garbage', 'mute'];

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates a scenario; throws `ScenarioError` listing every problem. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return validateScenario(raw, source);
}

/** Validates an already parsed scenario object. */
export function validateScenario(raw: unknown, source = 'scenario'): Scenario {
  const problems: string[] = [];
  const bad = (key: string, message: string): void => void problems.push(`${key}: ${message}`);
  if (!isObject(raw)) throw new ScenarioError(source, ['the scenario must be a mapping (name, duration, gateways, timeline, expect)']);
  unknownKeys(raw, TOP_KEYS, '', bad);

  const duration = durationAt(raw, 'duration', bad, true) ?? 0;
  const mode = raw.mode ?? 'virtual';
  if (mode !== 'virtual' && mode !== 'real') bad('mode', `must be virtual or real, not ${JSON.stringify(mode)}`);
  const seed = raw.seed ?? 1;
  if (!Number.isInteger(seed)) bad('seed', 'must be an integer');

  const g = isObject(raw.gateways) ? raw.gateways : (bad('gateways', 'is required (a mapping with at least count)'), {});
  unknownKeys(g, GATEWAY_KEYS, 'gateways.', bad);
  const count = g.count;
  if (!Number.isInteger(count) || (count as number) < 1) bad('gateways.count', 'must be a positive integer');
  const dialects = weights(g.dialects, 'gateways.dialects', DIALECTS, { bg96: 1 }, bad);
  const latency = weights(g.latency, 'gateways.latency', Object.keys(LATENCY_PROFILES), { zero: 1 }, bad);
  const plans = weights(g.plans, 'gateways.plans', SUBSCRIPTIONS, { plan01s: 1 }, bad);
  const initialStatus = weights(g.initialStatus, 'gateways.initialStatus', INITIAL_STATUSES, { active: 1 }, bad);
  const regions = weights(g.regions, 'gateways.regions', undefined, { default: 1 }, bad);
  const traffic = g.trafficBytesPerHour ?? 10_000;
  if (typeof traffic !== 'number' || traffic < 0) bad('gateways.trafficBytesPerHour', 'must be a number ≥ 0');
  const startSpread = durationAt(g, 'startSpread', (k, m) => bad(`gateways.${k}`, m), false) ?? 0;
  const esim = esimCount(g.esim, Number.isInteger(count) ? (count as number) : 0, bad);
  const esimProvisioning = g.esimProvisioning ?? 'download';
  if (!(ESIM_PROVISIONING as readonly unknown[]).includes(esimProvisioning)) bad('gateways.esimProvisioning', `must be ${ESIM_PROVISIONING.join(' or ')}, not ${JSON.stringify(esimProvisioning)}`);
  const spareSims = g.spareSims ?? 0;
  if (!Number.isInteger(spareSims) || (spareSims as number) < 0) bad('gateways.spareSims', 'must be an integer ≥ 0');

  const agent: Record<string, number> = {};
  let link = true;
  if (raw.agent !== undefined) {
    if (!isObject(raw.agent)) bad('agent', 'must be a mapping of agent settings (e.g. liveness.intervalMs: 1h)');
    else
      for (const [section, value] of Object.entries(raw.agent)) {
        if (section === 'link') {
          if (typeof value !== 'boolean') bad('agent.link', 'must be true (each agent runs its MQTT link to the platform) or false');
          else link = value;
          continue;
        }
        const entries = isObject(value) ? Object.entries(value).map(([k, v]) => [`${section}.${k}`, v] as const) : [[section, value] as const];
        for (const [key, v] of entries) {
          const ms = parseDuration(v);
          if (ms === undefined) bad(`agent.${key}`, 'must be a number or a duration');
          else agent[key] = ms;
        }
      }
  }
  const modemRaw = isObject(raw.modem) ? raw.modem : {};
  unknownKeys(modemRaw, ['usageReportIntervalMs'], 'modem.', bad);
  const usageReportIntervalMs = durationAt(modemRaw, 'usageReportIntervalMs', (k, m) => bad(`modem.${k}`, m), false) ?? 1_800_000;
  const platformRaw = isObject(raw.platform) ? raw.platform : {};
  unknownKeys(platformRaw, ['sessionIdleTimeoutMs'], 'platform.', bad);
  const idle = durationAt(platformRaw, 'sessionIdleTimeoutMs', (k, m) => bad(`platform.${k}`, m), false);

  const timeline: TimelineEvent[] = [];
  const groups = new Set<string>();
  if (raw.timeline !== undefined && !Array.isArray(raw.timeline)) bad('timeline', 'must be a list of events');
  const rawEvents = Array.isArray(raw.timeline) ? raw.timeline : [];
  rawEvents.forEach((e: unknown, index) => {
    const key = `timeline[${index}]`;
    if (!isObject(e)) return bad(key, 'must be a mapping with at, do and target');
    unknownKeys(e, EVENT_KEYS, `${key}.`, bad);
    const at = durationAt(e, 'at', (k, m) => bad(`${key}.${k}`, m), true);
    if (at !== undefined && at > duration) bad(`${key}.at`, `is after the end of the run (${String(raw.duration)})`);
    if (typeof e.do !== 'string' || !ALL_EVENTS.includes(e.do)) {
      return bad(`${key}.do`, `must be one of ${ALL_EVENTS.join(', ')} (got ${JSON.stringify(e.do)})`);
    }
    const target = parseTarget(e.target, `${key}.target`, groups, Object.keys(regions), bad);
    const event: TimelineEvent = { at: at ?? 0, do: e.do as EventKind, target: target ?? { kind: 'all' }, index };
    if (e.as !== undefined) {
      if (typeof e.as !== 'string' || e.as === '') bad(`${key}.as`, 'must be a group name');
      else {
        event.as = e.as;
        groups.add(e.as);
      }
    }
    if (e.for !== undefined) {
      if (!LASTING.includes(e.do)) bad(`${key}.for`, `${e.do} has no duration`);
      event.for = durationAt(e, 'for', (k, m) => bad(`${key}.${k}`, m), false);
    } else if (LASTING.includes(e.do) && e.do !== 'port-drop') bad(`${key}.for`, `${e.do} needs how long it lasts (for: 2h)`);
    if (e.cause !== undefined) {
      if (e.do !== 'registration-reject') bad(`${key}.cause`, 'applies to registration-reject only');
      else if (!Number.isInteger(e.cause) || (e.cause as number) < 1 || (e.cause as number) > 255) bad(`${key}.cause`, 'must be an EMM cause 1..255');
      else event.cause = e.cause as number;
    }
    if (e.garbage !== undefined) {
      if (e.do !== 'garbage') bad(`${key}.garbage`, 'applies to garbage only');
      else if (e.garbage !== 'inject' && e.garbage !== 'replace') bad(`${key}.garbage`, 'must be inject or replace');
      else event.garbage = e.garbage;
    }
    if (e.do === 'esim-enable') {
      if (esim === 0) bad(`${key}.do`, 'esim-enable needs gateways with an eUICC (gateways.esim: a count or a percentage)');
      if (raw.agent !== undefined && isObject(raw.agent) && raw.agent.link === false) bad(`${key}.do`, 'esim-enable sends enable-profile over the MQTT link: agent.link must not be false');
      if (target?.kind === 'region') bad(`${key}.target`, 'esim-enable targets the eSIM gateways: all, a percentage, a count or a group');
    }
    if (e.do === 'ready-transfer' && target && target.kind !== 'percent' && target.kind !== 'count' && target.kind !== 'all') {
      bad(`${key}.target`, 'ready-transfer takes a share of the fleet\'s Ready SIMs: all, a percentage or a count');
    }
    timeline.push(event);
  });
  timeline.sort((a, b) => a.at - b.at || a.index - b.index);

  const expect: Expectations = {};
  if (raw.expect !== undefined) {
    if (!isObject(raw.expect)) bad('expect', 'must be a mapping');
    else {
      const x = raw.expect;
      unknownKeys(x, EXPECT_KEYS, 'expect.', bad);
      if (x.online !== undefined) {
        if (x.online === 'all') expect.online = 'all';
        else if (typeof x.online === 'number' && x.online >= 0 && x.online <= 1) expect.online = x.online;
        else bad('expect.online', 'must be all or a fraction between 0 and 1');
      }
      for (const k of ['maxReconnectAttemptsPerHour', 'lostNotifications', 'agentCrashes', 'lostEvents'] as const) {
        if (x[k] === undefined) continue;
        if (!Number.isInteger(x[k]) || (x[k] as number) < 0) bad(`expect.${k}`, 'must be an integer ≥ 0');
        else expect[k] = x[k] as number;
      }
      for (const k of ['allFaultsRecovered', 'allFaultsObserved', ...LINK_EXPECTATIONS] as const) {
        if (x[k] === undefined) continue;
        if (typeof x[k] !== 'boolean') bad(`expect.${k}`, 'must be true or false');
        else expect[k] = x[k] as boolean;
      }
      for (const k of LINK_EXPECTATIONS) {
        if (x[k] === true && !link) bad(`expect.${k}`, 'needs the MQTT link (agent.link is false)');
      }
      if (x.lostEvents !== undefined && !link) bad('expect.lostEvents', 'needs the MQTT link (agent.link is false)');
      if (x.recoveryTime !== undefined) {
        const bounds = recoveryBounds(x.recoveryTime, bad);
        if (bounds) expect.recoveryTime = bounds;
      }
      if (x.esimNotificationsDelivered === true && esim === 0) bad('expect.esimNotificationsDelivered', 'needs gateways with an eUICC (gateways.esim)');
      if (x.billTotal !== undefined) {
        const b = x.billTotal;
        if (!isObject(b) || (b.min === undefined && b.max === undefined)) bad('expect.billTotal', 'must be {min, max} (either or both)');
        else {
          unknownKeys(b, ['min', 'max'], 'expect.billTotal.', bad);
          if (b.min !== undefined && typeof b.min !== 'number') bad('expect.billTotal.min', 'must be a number');
          if (b.max !== undefined && typeof b.max !== 'number') bad('expect.billTotal.max', 'must be a number');
          expect.billTotal = { ...(typeof b.min === 'number' ? { min: b.min } : {}), ...(typeof b.max === 'number' ? { max: b.max } : {}) };
        }
      }
    }
  }
  if (problems.length > 0) throw new ScenarioError(source, problems);
  return {
    name: typeof raw.name === 'string' ? raw.name : source,
    seed: seed as number,
    duration,
    mode: mode as Scenario['mode'],
    gateways: {
      count: count as number,
      dialects,
      latency,
      plans,
      initialStatus,
      regions,
      trafficBytesPerHour: traffic as number,
      startSpread,
      esim,
      esimProvisioning: esimProvisioning as EsimProvisioning,
      spareSims: spareSims as number,
    },
    agent,
    link,
    modem: { usageReportIntervalMs },
    platform: idle !== undefined ? { sessionIdleTimeoutMs: idle } : {},
    timeline,
    expect,
  };
}

/**
 * `expect.recoveryTime`: `true` (the default bound of every kind) or a mapping of kind →
 * duration (the other kinds keep their defaults).
 */
function recoveryBounds(value: unknown, bad: (key: string, message: string) => void): Record<string, number> | undefined {
  if (value === false) return undefined;
  const bounds = { ...DEFAULT_RECOVERY_BOUNDS_MS };
  if (value === true) return bounds;
  if (!isObject(value)) {
    bad('expect.recoveryTime', `must be true (default bounds) or a mapping of fault kind → duration (${RECOVERY_KINDS.join(', ')})`);
    return undefined;
  }
  unknownKeys(value, RECOVERY_KINDS, 'expect.recoveryTime.', bad);
  for (const kind of RECOVERY_KINDS) {
    if (value[kind] === undefined) continue;
    const ms = durationAt(value, kind, (k, m) => bad(`expect.recoveryTime.${k}`, m), false);
    if (ms !== undefined) bounds[kind] = ms;
  }
  return bounds;
}

/** `gateways.esim`: a count (≤ count) or a percentage of the fleet; 0 when absent. */
function esimCount(value: unknown, count: number, bad: (key: string, message: string) => void): number {
  if (value === undefined) return 0;
  if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value)) {
    const percent = Number(value.slice(0, -1));
    if (percent > 100) bad('gateways.esim', 'percent must be between 0 and 100');
    return Math.round((Math.min(percent, 100) / 100) * count);
  }
  if (!Number.isInteger(value) || (value as number) < 0) {
    bad('gateways.esim', `must be a count or a percentage ("10%") of the gateways, not ${JSON.stringify(value)}`);
    return 0;
  }
  if ((value as number) > count) bad('gateways.esim', `${String(value)} is more than the ${count} gateways`);
  return Math.min(value as number, count);
}

function unknownKeys(object: Raw, known: readonly string[], prefix: string, bad: (key: string, message: string) => void): void {
  for (const key of Object.keys(object)) if (!known.includes(key)) bad(`${prefix}${key}`, `unknown key (expected one of ${known.join(', ')})`);
}

function durationAt(object: Raw, key: string, bad: (key: string, message: string) => void, required: boolean): number | undefined {
  if (object[key] === undefined) {
    if (required) bad(key, 'is required (a duration such as 30d, 12h, 90s or milliseconds)');
    return undefined;
  }
  const ms = parseDuration(object[key]);
  if (ms === undefined) bad(key, `is not a duration: ${JSON.stringify(object[key])} (use 30d, 12h, 90s, 250ms or milliseconds)`);
  return ms;
}

/** `{bg96: 3, sim7080: 1}` (weights), or a single name meaning all. */
function weights(
  value: unknown,
  key: string,
  allowed: readonly string[] | undefined,
  fallback: Record<string, number>,
  bad: (key: string, message: string) => void,
): Record<string, number> {
  if (value === undefined) return fallback;
  const object: Raw | undefined = typeof value === 'string' ? { [value]: 1 } : isObject(value) ? value : undefined;
  if (!object) {
    bad(key, 'must be a name or a mapping of name → weight');
    return fallback;
  }
  const out: Record<string, number> = {};
  for (const [name, w] of Object.entries(object)) {
    if (allowed && !allowed.includes(name)) bad(`${key}.${name}`, `unknown (expected one of ${allowed.join(', ')})`);
    else if (typeof w !== 'number' || !(w >= 0)) bad(`${key}.${name}`, 'weight must be a number ≥ 0');
    else if (w > 0) out[name] = w;
  }
  if (Object.keys(out).length === 0) bad(key, 'needs at least one entry with a weight > 0');
  return out;
}

function parseTarget(
  value: unknown,
  key: string,
  groups: ReadonlySet<string>,
  regions: readonly string[],
  bad: (key: string, message: string) => void,
): Target | undefined {
  if (value === undefined || value === 'all') return { kind: 'all' };
  if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value)) return percentTarget(Number(value.slice(0, -1)), key, bad);
  if (!isObject(value)) {
    bad(key, 'must be all, a percentage ("10%"), or one of {percent}, {count}, {group}, {region}');
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    bad(key, 'must name exactly one of percent, count, group, region');
    return undefined;
  }
  if (value.percent !== undefined) return percentTarget(value.percent, key, bad);
  if (value.count !== undefined) {
    if (!Number.isInteger(value.count) || (value.count as number) < 0) bad(`${key}.count`, 'must be an integer ≥ 0');
    return { kind: 'count', count: value.count as number };
  }
  if (value.group !== undefined) {
    if (typeof value.group !== 'string' || !groups.has(value.group)) bad(`${key}.group`, `no earlier event names the group ${JSON.stringify(value.group)} (as: …)`);
    return { kind: 'group', group: String(value.group) };
  }
  if (value.region !== undefined) {
    if (typeof value.region !== 'string' || !regions.includes(value.region)) {
      bad(`${key}.region`, `unknown region ${JSON.stringify(value.region)} (gateways.regions has ${regions.join(', ')})`);
    }
    return { kind: 'region', region: String(value.region) };
  }
  bad(key, `unknown target ${keys[0]} (expected percent, count, group or region)`);
  return undefined;
}

function percentTarget(percent: unknown, key: string, bad: (key: string, message: string) => void): Target | undefined {
  if (typeof percent !== 'number' || percent < 0 || percent > 100) {
    bad(key, 'percent must be between 0 and 100');
    return undefined;
  }
  return { kind: 'percent', percent };
}
