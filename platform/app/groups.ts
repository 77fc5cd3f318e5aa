import { PlatformError, domainError } from '../domain/errors.js';
import type { Subscriber } from '../domain/subscriber.js';
import type { StoreTx } from '../store/port.js';
import type { AppContext } from './context.js';
import { newUuid } from './ids.js';
import { imsiOfSessionIp } from './session-ips.js';
import { SUBSCRIBER_KIND } from './subscribers.js';

export const GROUP_KIND = 'group';

/** Reference `Group`: configuration by namespace (`SoracomAir`, …), each a key → value map. */
export interface Group {
  groupId: string;
  operatorId: string;
  tags: Record<string, string>;
  configuration: Record<string, Record<string, unknown>>;
  createdTime: number;
  lastModifiedTime: number;
  createdAt: number;
  lastModifiedAt: number;
}

/** `SoracomAir.metadata` (reference "Configuring Metadata Service"). */
export interface MetadataSettings {
  enabled: boolean;
  readonly: boolean;
  allowOrigin?: string;
}

async function loadGroup(tx: StoreTx, operatorId: string, groupId: string): Promise<Group> {
  const g = await tx.get<Group>(GROUP_KIND, groupId);
  if (!g || g.operatorId !== operatorId) throw new PlatformError(domainError('GRP0001'));
  return g;
}

export async function createGroup(ctx: AppContext, operatorId: string, input: { tags?: Record<string, string>; configuration?: Group['configuration'] }): Promise<Group> {
  const now = ctx.clock.now();
  const group: Group = {
    groupId: newUuid(ctx.random),
    operatorId,
    tags: input.tags ?? {},
    configuration: input.configuration ?? {},
    createdTime: now,
    lastModifiedTime: now,
    createdAt: now,
    lastModifiedAt: now,
  };
  await ctx.store.transaction((tx) => tx.put(GROUP_KIND, group.groupId, group, operatorId));
  return group;
}

export function getGroup(ctx: AppContext, operatorId: string, groupId: string): Promise<Group> {
  return ctx.store.transaction((tx) => loadGroup(tx, operatorId, groupId));
}

export function listGroups(ctx: AppContext, operatorId: string, q: { limit?: number; after?: string } = {}): Promise<Group[]> {
  return ctx.store.transaction((tx) => tx.list<Group>(GROUP_KIND, { partition: operatorId, after: q.after, limit: q.limit }));
}

export async function deleteGroup(ctx: AppContext, operatorId: string, groupId: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await loadGroup(tx, operatorId, groupId);
    await tx.delete(GROUP_KIND, groupId);
  });
}

/** putConfigurationParameters: each `{key, value}` replaces that key in the namespace. */
export async function putConfigurationParameters(ctx: AppContext, operatorId: string, groupId: string, namespace: string, params: { key: string; value: unknown }[]): Promise<Group> {
  if (namespace === 'SoracomAir') {
    const metadata = params.find((p) => p.key === 'metadata');
    if (metadata && !isMetadataSettings(metadata.value)) throw new PlatformError(domainError('GRP0002', '(metadata needs {enabled: boolean, readonly?: boolean, allowOrigin?: string})'));
    const userdata = params.find((p) => p.key === 'userdata');
    if (userdata && typeof userdata.value !== 'string') throw new PlatformError(domainError('GRP0002', '(userdata must be a string)'));
  }
  return ctx.store.transaction(async (tx) => {
    const g = await loadGroup(tx, operatorId, groupId);
    const now = ctx.clock.now();
    const ns = { ...(g.configuration[namespace] ?? {}) };
    for (const p of params) ns[p.key] = p.value;
    const next: Group = { ...g, configuration: { ...g.configuration, [namespace]: ns }, lastModifiedTime: now, lastModifiedAt: now };
    await tx.put(GROUP_KIND, groupId, next, operatorId);
    return next;
  });
}

export async function deleteConfigurationParameter(ctx: AppContext, operatorId: string, groupId: string, namespace: string, name: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const g = await loadGroup(tx, operatorId, groupId);
    const ns = g.configuration[namespace];
    if (!ns || !(name in ns)) throw new PlatformError(domainError('GRP0003'));
    const { [name]: _removed, ...rest } = ns;
    const now = ctx.clock.now();
    await tx.put(GROUP_KIND, groupId, { ...g, configuration: { ...g.configuration, [namespace]: rest }, lastModifiedTime: now, lastModifiedAt: now }, operatorId);
  });
}

/** putGroupTags: each `{tagName, tagValue}` is set (merged into the group's tags). */
export async function putGroupTags(ctx: AppContext, operatorId: string, groupId: string, tags: { tagName: string; tagValue: string }[]): Promise<Group> {
  return changeGroup(ctx, operatorId, groupId, (g) => ({ ...g, tags: { ...g.tags, ...Object.fromEntries(tags.map((t) => [t.tagName, t.tagValue])) } }));
}

/** deleteGroupTag: GRP0004 when the group has no such tag. */
export async function deleteGroupTag(ctx: AppContext, operatorId: string, groupId: string, tagName: string): Promise<void> {
  await changeGroup(ctx, operatorId, groupId, (g) => {
    if (!(tagName in g.tags)) throw new PlatformError(domainError('GRP0004'));
    const { [tagName]: _removed, ...rest } = g.tags;
    return { ...g, tags: rest };
  });
}

/** deleteConfigurationNamespace: removes a whole namespace (GRP0003 when it is not set). */
export async function deleteConfigurationNamespace(ctx: AppContext, operatorId: string, groupId: string, namespace: string): Promise<void> {
  await changeGroup(ctx, operatorId, groupId, (g) => {
    if (!(namespace in g.configuration)) throw new PlatformError(domainError('GRP0003'));
    const { [namespace]: _removed, ...rest } = g.configuration;
    return { ...g, configuration: rest };
  });
}

async function changeGroup(ctx: AppContext, operatorId: string, groupId: string, change: (g: Group) => Group): Promise<Group> {
  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const next = { ...change(await loadGroup(tx, operatorId, groupId)), lastModifiedTime: now, lastModifiedAt: now };
    await tx.put(GROUP_KIND, groupId, next, operatorId);
    return next;
  });
}

function isMetadataSettings(v: unknown): v is MetadataSettings {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.enabled === 'boolean' && (o.readonly === undefined || typeof o.readonly === 'boolean') && (o.allowOrigin === undefined || typeof o.allowOrigin === 'string');
}

/** What the metadata service answers for a caller. */
export interface MetadataCaller {
  subscriber: Subscriber;
  settings: MetadataSettings;
  userdata: string | undefined;
}

/**
 * The metadata service's check (docs/platform.md "Metadata service"): the caller's source
 * address must be the live session address of a SIM (MDS0001), and that SIM's group must enable
 * `SoracomAir.metadata` (MDS0002).
 */
export async function resolveMetadataCaller(ctx: AppContext, sourceAddress: string | undefined): Promise<MetadataCaller> {
  const ip = (sourceAddress ?? '').replace(/^::ffff:/, '');
  return ctx.store.transaction(async (tx) => {
    const imsi = ip ? await imsiOfSessionIp(tx, ip) : null;
    const s = imsi ? await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi) : null;
    if (!s || !s.sessionStatus?.online || s.sessionStatus.ueIpAddress !== ip) throw new PlatformError(domainError('MDS0001'));
    const group = s.groupId ? await tx.get<Group>(GROUP_KIND, s.groupId) : null;
    const air = group && group.operatorId === s.operatorId ? group.configuration.SoracomAir : undefined;
    const settings = air?.metadata;
    if (!isMetadataSettings(settings) || !settings.enabled) throw new PlatformError(domainError('MDS0002'));
    return { subscriber: s, settings: { ...settings, readonly: settings.readonly ?? true }, userdata: typeof air?.userdata === 'string' ? air.userdata : undefined };
  });
}
