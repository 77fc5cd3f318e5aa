import { randomBytes } from 'node:crypto';
import { DeviceHub } from '../broker/device-hub.js';
import { DynamicSecurityAdmin, PLATFORM_SHARE_GROUP } from '../broker/dynamic-security.js';
import { CredentialIssuer } from '../broker/credentials.js';
import { startBroker, type RunningBroker } from '../broker/embedded-broker.js';
import type { BrokerLimits } from '../broker/limits.js';
import { writeMosquittoFiles } from '../broker/mosquitto-config.js';
import { advertisedHost, urlOf } from './advertised-urls.js';
import type { AppContext } from './context.js';
import { PlatformCredentialStore, PlatformInboxStore } from './device-stores.js';
import { DeviceService, deviceHubHandlers } from './devices.js';

/**
 * Where the platform's MQTT broker is:
 * - `{port?, host?}` (the default): an embedded aedes broker, 127.0.0.1, port 0 = any free port;
 * - `{externalUrl, mosquittoDir?, mosquittoPid?}`: an external Mosquitto; on every register /
 *   revoke the platform rewrites `passwd`, `acl` and `mosquitto.conf` in `mosquittoDir` and, when
 *   `mosquittoPid` is given, sends that process SIGHUP (otherwise the operator must);
 * - `false`: no broker; `devices.register` still issues credentials, commands fail (DEV0006).
 *
 * `limits` (packet size, CONNECT timeout, connections; `DEFAULT_BROKER_LIMITS`) apply to the
 * embedded broker and go into the generated `mosquitto.conf`.
 */
export type PlatformMqttOptions =
  | { port?: number; host?: string; limits?: Partial<BrokerLimits> }
  | {
      externalUrl: string;
      mosquittoDir?: string;
      mosquittoPid?: number;
      /**
       * Mosquitto's dynamic security plugin: the platform logs in with this admin account and
       * manages device and service clients live over `$CONTROL/dynamic-security/v1` (no files,
       * no SIGHUP; docs/deployment.md). Replaces `mosquittoDir` / `mosquittoPid`.
       */
      dynamicSecurity?: { username: string; password: string };
      limits?: Partial<BrokerLimits>;
    }
  | false;

/** The platform's end of the device link. */
export interface DeviceLink {
  /** `mqtt://host:port` to reach the broker from this machine ('' when `mqtt: false`). */
  mqttUrl: string;
  /** What devices are told (`publicMqttUrl`, or derived from the bind address; '' when `mqtt: false`). */
  publicMqttUrl: string;
  hub: DeviceHub;
  devices: DeviceService;
  broker?: RunningBroker;
  close(): Promise<void>;
}

/** The platform's own MQTT account. */
export const PLATFORM_SERVICE_USERNAME = 'svc.platform';

/** Starts the broker (or points at the external one), the service client (hub) and the device service. */
export async function startDeviceLink(
  ctx: AppContext,
  options: PlatformMqttOptions | undefined,
  credentials: { passwordIterations?: number } = {},
  advertised: { publicMqttUrl?: string; apiUrl?: () => string | undefined } = {},
): Promise<DeviceLink> {
  const mqtt = options ?? {};
  const credentialStore = new PlatformCredentialStore(ctx.store);
  const issuer = new CredentialIssuer({
    store: credentialStore,
    now: () => ctx.clock.now(),
    ...(credentials.passwordIterations !== undefined ? { iterations: credentials.passwordIterations } : {}),
  });
  const inbox = new PlatformInboxStore(ctx.store, () => ctx.clock.now());
  // Processes sharing the store each have their own service account (and so client id): one
  // re-issuing a shared account at start would lock the others out of their next reconnect.
  const serviceUsername = ctx.store.shared ? `${PLATFORM_SERVICE_USERNAME}-${randomBytes(4).toString('hex')}` : PLATFORM_SERVICE_USERNAME;
  // A fresh service secret each start: only its hash is kept, so it cannot be reused.
  const service = await issuer.issueService(serviceUsername);

  let broker: RunningBroker | undefined;
  let mqttUrl = '';
  let onCredentialsChanged: (() => Promise<void>) | undefined;
  let dynsec: DynamicSecurityAdmin | undefined;
  if (mqtt !== false && 'externalUrl' in mqtt && mqtt.dynamicSecurity) {
    mqttUrl = mqtt.externalUrl;
    dynsec = new DynamicSecurityAdmin({ url: mqttUrl, ...mqtt.dynamicSecurity, clock: ctx.clock, logger: ctx.logger });
    await dynsec.start();
    await dynsec.ensureServiceRole();
    await dynsec.upsertService(service.username, service.password);
  } else if (mqtt !== false && 'externalUrl' in mqtt) {
    mqttUrl = mqtt.externalUrl;
    if (mqtt.mosquittoDir) {
      const dir = mqtt.mosquittoDir;
      const url = new URL(mqttUrl);
      const listener = { host: url.hostname, port: Number(url.port || 1883), ...(mqtt.limits ? { limits: mqtt.limits } : {}) };
      onCredentialsChanged = async () => {
        await writeMosquittoFiles(dir, credentialStore, listener);
        if (mqtt.mosquittoPid) {
          try {
            process.kill(mqtt.mosquittoPid, 'SIGHUP');
          } catch (error) {
            ctx.logger.error({ err: (error as Error).message, pid: mqtt.mosquittoPid }, 'could not signal mosquitto to reload');
          }
        } else {
          ctx.logger.warn({ dir }, 'mosquitto files rewritten: send mosquitto SIGHUP to reload them');
        }
      };
      await onCredentialsChanged();
    }
  } else if (mqtt !== false) {
    broker = await startBroker({
      credentials: issuer,
      host: mqtt.host ?? '127.0.0.1',
      port: mqtt.port ?? 0,
      logger: ctx.logger,
      now: () => ctx.ioClock.now(),
      ...(mqtt.limits ? { limits: mqtt.limits } : {}),
    });
    mqttUrl = broker.url;
  }

  const publicMqttUrl = !mqttUrl ? '' : (advertised.publicMqttUrl ?? (broker ? urlOf('mqtt', advertisedHost(broker.host), broker.port) : mqttUrl));
  const hub = new DeviceHub({
    url: mqttUrl || 'mqtt://127.0.0.1:1',
    username: service.username,
    password: service.password,
    clock: ctx.ioClock,
    logger: ctx.logger,
    inbox,
    handlers: deviceHubHandlers(ctx, inbox),
    // aedes has no shared subscriptions; a shared store with an external broker is N processes.
    ...(ctx.store.shared && !broker ? { shareGroup: PLATFORM_SHARE_GROUP } : {}),
  });
  const devices = new DeviceService(ctx, {
    issuer,
    hub,
    mqttUrl: publicMqttUrl,
    ...(advertised.apiUrl ? { apiUrl: advertised.apiUrl } : {}),
    onCredentialsChanged,
    ...(dynsec ? { onIssued: (deviceId: string, password: string) => dynsec.upsertDevice(deviceId, password) } : {}),
    onRevoked: async (deviceId) => {
      await dynsec?.removeDevice(deviceId);
      // aedes: cut the revoked device off now (Mosquitto keeps a live connection until it drops).
      // aedes keeps connected clients by id (untyped); a device's client id is its device id.
      const clients = (broker?.aedes as unknown as { clients?: Record<string, { close(): void } | undefined> } | undefined)?.clients;
      clients?.[deviceId]?.close();
    },
  });
  if (broker) {
    const started = broker;
    await hub.start().catch(async (error: unknown) => {
      await hub.stop().catch(() => undefined);
      await started.close();
      throw error;
    });
  }
  // An external broker may still be loading the new service password: the hub keeps retrying.
  else if (mqttUrl) hub.start().catch((error: unknown) => ctx.logger.error({ err: (error as Error).message }, 'device hub stopped'));

  return {
    mqttUrl,
    publicMqttUrl,
    hub,
    devices,
    broker,
    close: async () => {
      await hub.stop();
      if (dynsec) {
        await dynsec.removeService(service.username).catch((error: unknown) => ctx.logger.warn({ err: (error as Error).message }, 'service client not removed'));
        await dynsec.stop();
      }
      await broker?.close();
    },
  };
}
