import { CommandTimeoutError, HubOfflineError, type DeviceHub, type DeviceHubHandlers } from '../broker/device-hub.js';
import type { CredentialIssuer } from '../broker/credentials.js';
import { decodeCommandRequest, type Command, type CommandResult, type DeviceEvent, type EsimNotification, type StatusSnapshot } from '../contract/messages.js';
import { isValidDeviceId } from '../contract/topics.js';
import { PlatformError, domainError } from '../domain/errors.js';
import type { StoreTx } from '../store/port.js';
import type { AppContext } from './context.js';
import { DEVICE_KINDS, type PlatformInboxStore } from './device-stores.js';
import { applyEsimNotification } from './esim-orders.js';

/** Store streams of the device link (key = device id). */
export const DEVICE_STREAMS = {
  /** `StoredDeviceEvent`s applied by the hub, once each. */
  events: 'device-events',
  /** Every eSIM notification a device delivered, with what the platform made of it. */
  esimNotifications: 'device-esim-notifications',
} as const;

const STATUS_KIND = 'device-status';

/** A gateway registered to an operator (its MQTT username is its device id). */
export interface DeviceRecord {
  deviceId: string;
  operatorId: string;
  createdAt: number;
}

/** What `register` hands out once: the secret is never stored (only its hash). */
export interface DeviceCredentials {
  deviceId: string;
  username: string;
  password: string;
  /** The broker URL devices are told to use (the platform's advertised MQTT URL). */
  mqttUrl: string;
  /** The platform's advertised HTTP API URL (absent when it runs without HTTP). */
  apiUrl?: string;
}

export interface DeviceView extends DeviceRecord {
  /** Latest retained status snapshot, or null before the device ever reported. */
  status: StatusSnapshot | null;
}

export interface StoredDeviceEvent {
  deviceId: string;
  key: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: number;
  receivedAt: number;
}

export interface StoredEsimNotification {
  deviceId: string;
  key: string;
  eid: string;
  seqNumber: number;
  operation: EsimNotification['operation'];
  iccid: string | null;
  createdAt: number;
  receivedAt: number;
  /** `applied`, `duplicate` (already applied through another path) or `refused` with the code. */
  outcome: 'applied' | 'duplicate' | 'refused';
  error?: { code: string; message: string };
}

export interface SendCommandOptions {
  timeoutMs?: number;
  expiresInMs?: number;
}

export interface DeviceServiceOptions {
  issuer: CredentialIssuer;
  hub: DeviceHub;
  /** The advertised MQTT URL handed to devices (docs/platform.md "Advertised addresses"). */
  mqttUrl: string;
  /** The advertised HTTP API URL, once the API listens. */
  apiUrl?: () => string | undefined;
  /** Called after credentials were issued or revoked (external broker: rewrite its files). */
  onCredentialsChanged?(): Promise<void>;
  /** Called after a device was revoked (embedded broker: disconnect it; dynamic security: delete it). */
  onRevoked?(deviceId: string): void | Promise<void>;
  /** Called with a device's new secret (dynamic security: create or re-key its broker client). */
  onIssued?(deviceId: string, password: string): Promise<void>;
}

/**
 * Devices of the platform: registration (MQTT credentials), latest status, commands and the
 * events they delivered. Methods without an operator id are the in-process handle
 * (`RunningPlatform.devices`); the `…For` methods are the operator-scoped HTTP use cases.
 */
export class DeviceService {
  constructor(
    private readonly ctx: AppContext,
    private readonly options: DeviceServiceOptions,
  ) {}

  get mqttUrl(): string {
    return this.options.mqttUrl;
  }

  /**
   * Registers a device to an operator and issues its MQTT credentials. Registering a device the
   * operator already owns rotates its secret [choice]; one owned by another operator → DEV0002.
   */
  async register(operatorId: string, deviceId: string): Promise<DeviceCredentials> {
    if (typeof deviceId !== 'string' || !isValidDeviceId(deviceId)) throw new PlatformError(domainError('DEV0003'));
    await this.ctx.store.transaction(async (tx) => {
      const existing = await tx.get<DeviceRecord>(DEVICE_KINDS.device, deviceId);
      if (existing && existing.operatorId !== operatorId) throw new PlatformError(domainError('DEV0002'));
      if (!existing) await tx.put<DeviceRecord>(DEVICE_KINDS.device, deviceId, { deviceId, operatorId, createdAt: this.ctx.clock.now() }, operatorId);
    });
    const issued = await this.options.issuer.issueDevice(deviceId);
    await this.options.onIssued?.(deviceId, issued.password);
    await this.options.onCredentialsChanged?.();
    this.ctx.logger.info({ deviceId, operatorId }, 'device registered');
    const apiUrl = this.options.apiUrl?.();
    return { deviceId, username: issued.username, password: issued.password, mqttUrl: this.options.mqttUrl, ...(apiUrl ? { apiUrl } : {}) };
  }

  /** Revokes the device's credentials and forgets it (its stored events stay). */
  async revoke(deviceId: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      await tx.delete(DEVICE_KINDS.device, deviceId);
      await tx.delete(STATUS_KIND, deviceId);
    });
    await this.options.issuer.revoke(deviceId);
    await this.options.onCredentialsChanged?.();
    await this.options.onRevoked?.(deviceId);
    this.ctx.logger.info({ deviceId }, 'device revoked');
  }

  /** Latest status snapshot the hub saw in this process. */
  status(deviceId: string): StatusSnapshot | undefined {
    return this.options.hub.latestStatus(deviceId);
  }

  /** What this process saw last, unless several processes share the work (then the store knows). */
  private liveStatus(deviceId: string): StatusSnapshot | undefined {
    return this.ctx.store.shared ? undefined : this.status(deviceId);
  }

  /** Sends a command and waits for its result (`CommandTimeoutError`, `HubOfflineError`). */
  sendCommand(deviceId: string, command: Command, options?: SendCommandOptions): Promise<CommandResult> {
    return this.options.hub.sendCommand(deviceId, command, options);
  }

  async listFor(operatorId: string): Promise<DeviceView[]> {
    const { records, stored } = await this.ctx.store.transaction(async (tx) => {
      const records = await tx.list<DeviceRecord>(DEVICE_KINDS.device, { partition: operatorId });
      const stored = await Promise.all(records.map((r) => tx.get<StatusSnapshot>(STATUS_KIND, r.deviceId)));
      return { records, stored };
    });
    return records.map((r, i) => ({ ...r, status: this.liveStatus(r.deviceId) ?? stored[i] ?? null }));
  }

  async getFor(operatorId: string, deviceId: string): Promise<DeviceView> {
    const { record, stored } = await this.ctx.store.transaction(async (tx) => ({
      record: await ownDevice(tx, operatorId, deviceId),
      stored: await tx.get<StatusSnapshot>(STATUS_KIND, deviceId),
    }));
    return { ...record, status: this.liveStatus(deviceId) ?? stored ?? null };
  }

  async revokeFor(operatorId: string, deviceId: string): Promise<void> {
    await this.ctx.store.transaction((tx) => ownDevice(tx, operatorId, deviceId));
    await this.revoke(deviceId);
  }

  /** Validates the command (contract `Command`), sends it, maps timeouts to DEV0005 / DEV0006. */
  async commandFor(operatorId: string, deviceId: string, command: unknown, options: SendCommandOptions = {}): Promise<CommandResult> {
    await this.ctx.store.transaction((tx) => ownDevice(tx, operatorId, deviceId));
    const checked = decodeCommandRequest({ v: 1, commandId: 'check', issuedAt: 0, command });
    if (!checked.ok) throw new PlatformError(domainError('DEV0004', checked.error.replace('$.command', 'command')));
    try {
      return await this.sendCommand(deviceId, checked.value.command, options);
    } catch (error) {
      if (error instanceof CommandTimeoutError) throw new PlatformError(domainError('DEV0005', `(command ${error.commandId})`));
      if (error instanceof HubOfflineError) throw new PlatformError(domainError('DEV0006'));
      throw error;
    }
  }

  /** Events the device delivered, oldest first; `afterSeq` pages. */
  async eventsFor(operatorId: string, deviceId: string, query: { afterSeq?: number; limit?: number } = {}): Promise<{ events: (StoredDeviceEvent & { seq: number })[]; nextKey: number | null }> {
    const limit = query.limit ?? 100;
    const records = await this.ctx.store.transaction(async (tx) => {
      await ownDevice(tx, operatorId, deviceId);
      return tx.readStream<StoredDeviceEvent>(DEVICE_STREAMS.events, { key: deviceId, afterSeq: query.afterSeq, limit: limit + 1 });
    });
    const page = records.slice(0, limit);
    return { events: page.map((r) => ({ ...r.body, seq: r.seq })), nextKey: records.length > limit ? page[page.length - 1]!.seq : null };
  }
}

async function ownDevice(tx: StoreTx, operatorId: string, deviceId: string): Promise<DeviceRecord> {
  const record = await tx.get<DeviceRecord>(DEVICE_KINDS.device, deviceId);
  // Another operator's device is reported as unknown: its existence is not theirs to learn.
  if (!record || record.operatorId !== operatorId) throw new PlatformError(domainError('DEV0001'));
  return record;
}

/**
 * What the platform does with each device message (the hub calls these at most once per
 * idempotency key): events are stored in `device-events` in the same transaction as the inbox
 * key; eSIM notifications go to `applyEsimNotification` (deduplicated by EID + sequence number
 * there) and are logged in `device-esim-notifications`; statuses are kept as the latest.
 */
export function deviceHubHandlers(ctx: AppContext, inbox: PlatformInboxStore): DeviceHubHandlers {
  return {
    onEvent: async (deviceId: string, event: DeviceEvent) => {
      const stored: StoredDeviceEvent = { deviceId, key: event.key, type: event.type, data: event.data, createdAt: event.createdAt, receivedAt: ctx.clock.now() };
      await inbox.withTx((tx) => tx.append(DEVICE_STREAMS.events, deviceId, stored.receivedAt, stored));
    },
    onEsimNotification: async (deviceId: string, n: EsimNotification) => {
      const base = { deviceId, key: n.key, eid: n.eid, seqNumber: n.seqNumber, operation: n.operation, iccid: n.iccid ?? null, createdAt: n.createdAt, receivedAt: ctx.clock.now() };
      let record: StoredEsimNotification;
      // A notification about a profile the SM-DP+ delivered is checked like an ES9+ HandleNotification:
      // its eUICC signature and certificate chain, with the EID and ICCID taken from the signed data.
      const pending = n.pendingNotification !== undefined ? new Uint8Array(Buffer.from(n.pendingNotification, 'base64')) : undefined;
      const signed = pending !== undefined && ctx.smdp !== undefined && (await ctx.smdp.owns(n.iccid, pending));
      const r = signed
        ? await ctx.smdp!.handlePendingNotification(pending!)
        : n.iccid
          ? await applyEsimNotification(ctx, { eid: n.eid, seqNumber: n.seqNumber, event: n.operation, iccid: n.iccid, at: n.createdAt })
          : ({ outcome: 'refused', duplicate: false, error: { ...domainError('CGW0004', '(no iccid)') } } as const);
      if (r.outcome === 'refused') {
        // A rule refusal is final: resending would be refused again, so it is recorded and acked.
        ctx.logger.warn({ deviceId, key: n.key, code: r.error.code }, 'eSIM notification refused');
        record = { ...base, outcome: 'refused', error: { code: r.error.code, message: r.error.message } };
      } else {
        record = { ...base, outcome: r.outcome };
      }
      await inbox.withTx((tx) => tx.append(DEVICE_STREAMS.esimNotifications, deviceId, record.receivedAt, record));
    },
    onStatus: async (deviceId: string, status: StatusSnapshot) => {
      await ctx.store.transaction(async (tx) => {
        if (!(await tx.get(DEVICE_KINDS.device, deviceId))) return;
        // Processes sharing a subscription may apply a device's snapshots out of order: the newest wins.
        const stored = ctx.store.shared ? await tx.get<StatusSnapshot>(STATUS_KIND, deviceId) : null;
        if (stored && stored.time > status.time) return;
        await tx.put(STATUS_KIND, deviceId, status);
      });
    },
  };
}
