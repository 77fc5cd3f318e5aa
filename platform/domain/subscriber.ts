import { fail, ok, type Result } from './errors.js';
import type { CoverageType } from './ids.js';
import { publicModuleType } from './module-type.js';

export type SubscriberStatus = 'ready' | 'active' | 'inactive' | 'standby' | 'suspended' | 'terminated' | 'transferring';
export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'ready',
  'active',
  'inactive',
  'standby',
  'suspended',
  'terminated',
  'transferring',
];

export const SUBSCRIPTIONS = [
  'plan01s',
  'plan01s-low_data_volume',
  'plan-D',
  'plan-K',
  'plan-KM1',
  'plan-DU',
  'planX1',
  'planP1',
] as const;
export type Subscription = (typeof SUBSCRIPTIONS)[number];

export const SPEED_CLASSES = [
  's1.minimum',
  's1.slow',
  's1.standard',
  's1.fast',
  's1.4xfast',
  'u1.standard',
  'u1.slow',
  't1.standard',
] as const;
export type SpeedClass = (typeof SPEED_CLASSES)[number];

export type ExpiryAction = 'doNothing' | 'deleteSession' | 'deactivate' | 'suspend' | 'terminate';
export const EXPIRY_ACTIONS: readonly ExpiryAction[] = ['doNothing', 'deleteSession', 'deactivate', 'suspend', 'terminate'];

/** Cell as reported in a session (`Cell` of the reference API). */
export interface SessionCell {
  radioType: string;
  mcc: number;
  mnc: number;
  tac?: number;
  eci?: number;
}

export interface SessionStatus {
  online: boolean;
  lastUpdatedAt: number;
  imsi: string;
  imei?: string;
  sessionId?: string;
  ueIpAddress?: string;
  dnsServers?: string[];
  cell?: SessionCell;
  subscription: string;
}

export interface PreviousSession {
  createdTime: number;
  deletedTime: number;
  imei?: string;
  sessionId?: string;
  ueIpAddress?: string;
  dnsServers?: string[];
  cell?: SessionCell;
  subscription: string;
}

/**
 * A subscriber as stored: every field of the reference `Subscriber` cellgate fills, plus the
 * platform-internal fields below the marker (stripped by `toSubscriberJson`).
 */
export interface Subscriber {
  imsi: string;
  msisdn: string;
  iccid: string;
  simId: string;
  serialNumber: string;
  operatorId: string;
  status: SubscriberStatus;
  subscription: Subscription;
  speedClass: string;
  type: string;
  moduleType: string;
  plan: number;
  apn: string;
  ipAddress: string;
  groupId: string | null;
  tags: Record<string, string>;
  terminationEnabled: boolean;
  expiryTime: number | null;
  expiryAction: ExpiryAction | null;
  imeiLock: { imei: string } | null;
  sessionStatus: SessionStatus | null;
  previousSession: PreviousSession | null;
  createdTime: number;
  lastModifiedTime: number;
  registeredTime: number | null;
  renewalFeeStatusSetTime: number | null;
  // ---- internal ----
  coverageType: CoverageType;
  /** False when the terms forbid moving this SIM to another account (SPEC §1.3). */
  transferable: boolean;
  /** PUK/passcode the sandbox returns; needed once to register. */
  registrationSecret: string;
  /** False until `registerSubscriber` made it part of an operator's account. */
  registered: boolean;
  statusChangedAt: number;
  /** Last time the live session showed activity (create, modify, usage); idle timeout base. */
  lastActivityAt: number | null;
  sessionCreatedAt: number | null;
  terminatedAt: number | null;
}

/** Default speed class per subscription [choice: the "standard" class of each family]. */
export function defaultSpeedClass(subscription: Subscription): string {
  if (subscription === 'plan-DU') return 'u1.standard';
  if (subscription === 'plan-KM1') return 't1.standard';
  return 's1.standard';
}

/** Speed classes a subscription may use (reference `UpdateSpeedClassRequest`). */
export function speedClassesFor(subscription: Subscription): readonly string[] {
  if (subscription === 'plan-DU') return ['u1.standard', 'u1.slow'];
  if (subscription === 'plan-KM1') return ['t1.standard'];
  return ['s1.minimum', 's1.slow', 's1.standard', 's1.fast', 's1.4xfast'];
}

export const isSubscription = (s: unknown): s is Subscription => (SUBSCRIPTIONS as readonly unknown[]).includes(s);

export interface NewSimInput {
  imsi: string;
  msisdn: string;
  iccid: string;
  serialNumber: string;
  ipAddress: string;
  registrationSecret: string;
  operatorId: string;
  subscription: Subscription;
  coverageType: CoverageType;
  moduleType?: string;
  transferable?: boolean;
  now: number;
}

/** A SIM made by the sandbox (or the factory): not yet part of an account until registered. */
export function newSim(input: NewSimInput): Subscriber {
  const speedClass = defaultSpeedClass(input.subscription);
  return {
    imsi: input.imsi,
    msisdn: input.msisdn,
    iccid: input.iccid,
    simId: input.iccid,
    serialNumber: input.serialNumber,
    operatorId: input.operatorId,
    status: 'ready',
    subscription: input.subscription,
    speedClass,
    type: speedClass,
    moduleType: input.moduleType ?? 'trio',
    plan: 1,
    apn: 'soracom.io',
    ipAddress: input.ipAddress,
    groupId: null,
    tags: { name: '' },
    terminationEnabled: false,
    expiryTime: null,
    expiryAction: null,
    imeiLock: null,
    sessionStatus: null,
    previousSession: null,
    createdTime: input.now,
    lastModifiedTime: input.now,
    registeredTime: null,
    renewalFeeStatusSetTime: null,
    coverageType: input.coverageType,
    transferable: input.transferable ?? true,
    registrationSecret: input.registrationSecret,
    registered: false,
    statusChangedAt: input.now,
    lastActivityAt: null,
    sessionCreatedAt: null,
    terminatedAt: null,
  };
}

/** Registers a sandbox/factory SIM into `operatorId`'s account (status `ready`). */
export function register(
  sim: Subscriber,
  input: { operatorId: string; registrationSecret: string; groupId?: string; tags?: Record<string, string>; now: number },
): Result<Subscriber> {
  if (sim.registered) return fail('SEM0008');
  if (sim.registrationSecret !== input.registrationSecret) return fail('SEM0007');
  return ok({
    ...sim,
    operatorId: input.operatorId,
    registered: true,
    registeredTime: input.now,
    groupId: input.groupId ?? null,
    tags: { name: '', ...(input.tags ?? {}) },
    lastModifiedTime: input.now,
    statusChangedAt: input.now,
  });
}

/** The reference `Subscriber` JSON: internal fields stripped, nulls left out. */
export function toSubscriberJson(s: Subscriber): Record<string, unknown> {
  const json: Record<string, unknown> = {
    imsi: s.imsi,
    msisdn: s.msisdn,
    iccid: s.iccid,
    simId: s.simId,
    serialNumber: s.serialNumber,
    operatorId: s.operatorId,
    status: s.status,
    subscription: s.subscription,
    speedClass: s.speedClass,
    // `type` is the speed class (seed 003's example); derived so it can never lag behind it.
    type: s.speedClass,
    moduleType: publicModuleType(s.moduleType),
    plan: s.plan,
    apn: s.apn,
    ipAddress: s.ipAddress,
    tags: { ...s.tags },
    terminationEnabled: s.terminationEnabled,
    sessionStatus: s.sessionStatus ?? { online: false, imsi: s.imsi, lastUpdatedAt: s.lastModifiedTime, subscription: s.subscription },
    createdTime: s.createdTime,
    createdAt: s.createdTime,
    lastModifiedTime: s.lastModifiedTime,
    lastModifiedAt: s.lastModifiedTime,
    ...optionalSubscriberFields(s),
  };
  if (s.registeredTime !== null) json.registeredTime = s.registeredTime;
  return json;
}

/** The fields the Subscriber and Sim views show only when set (nulls are left out). */
export function optionalSubscriberFields(s: Subscriber): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (s.groupId) json.groupId = s.groupId;
  if (s.expiryTime !== null) json.expiryTime = s.expiryTime;
  if (s.expiryAction !== null) json.expiryAction = s.expiryAction;
  if (s.imeiLock) json.imeiLock = s.imeiLock;
  if (s.previousSession) json.previousSession = s.previousSession;
  if (s.renewalFeeStatusSetTime !== null) json.renewalFeeStatusSetTime = s.renewalFeeStatusSetTime;
  return json;
}

/** `putSubscriberTags`: merges tags; `name` is always present. */
export function putTags(s: Subscriber, tags: { tagName: string; tagValue: string }[], now: number): Subscriber {
  const next = { ...s.tags };
  for (const t of tags) next[t.tagName] = t.tagValue;
  return { ...s, tags: next, lastModifiedTime: now };
}

/** `deleteSubscriberTag`; deleting `name` resets it to "" since it is always present. */
export function deleteTag(s: Subscriber, tagName: string, now: number): Result<Subscriber> {
  if (!(tagName in s.tags)) return fail('SEM0012');
  const next = { ...s.tags };
  delete next[tagName];
  if (!('name' in next)) next.name = '';
  return ok({ ...s, tags: next, lastModifiedTime: now });
}

export function setGroup(s: Subscriber, groupId: string | null, now: number): Subscriber {
  return { ...s, groupId, lastModifiedTime: now };
}

export function updateSpeedClass(s: Subscriber, speedClass: string, now: number): Result<Subscriber> {
  if (s.status === 'terminated') return fail('SEM0003');
  if (!speedClassesFor(s.subscription).includes(speedClass)) return fail('SEM0009', `${s.subscription}: ${speedClassesFor(s.subscription).join(', ')}.`);
  return ok({ ...s, speedClass, type: speedClass, lastModifiedTime: now });
}

/** `terminationEnabled: true` means protection OFF (terminate allowed). */
export function setTerminationEnabled(s: Subscriber, enabled: boolean, now: number): Result<Subscriber> {
  if (s.status === 'terminated') return fail('SEM0003');
  return ok({ ...s, terminationEnabled: enabled, lastModifiedTime: now });
}

export function setExpiry(s: Subscriber, expiryTime: number, action: ExpiryAction | null, now: number): Result<Subscriber> {
  if (s.status === 'terminated') return fail('SEM0003');
  if (expiryTime <= now) return fail('SEM0010');
  if (action === 'terminate' && !s.terminationEnabled) return fail('SEM0011');
  return ok({ ...s, expiryTime, expiryAction: action, lastModifiedTime: now });
}

export function unsetExpiry(s: Subscriber, now: number): Subscriber {
  return { ...s, expiryTime: null, expiryAction: null, lastModifiedTime: now };
}
