import { DeviceHub } from '../broker/device-hub.js';
import { CredentialIssuer } from '../broker/credentials.js';
import { startBroker, type RunningBroker } from '../broker/embedded-broker.js';
import { writeMosquittoFiles } from '../broker/mosquitto-config.js';
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
 */
export type PlatformMqttOptions = { port?: number; host?: string } | { externalUrl: string; mosquittoDir?: string; mosquittoPid?: number } | false;

/** The platform's end of the device link. */
export interface DeviceLink {
  /** `mqtt://host:port` devices connect to ('' when `mqtt: false`). */
  mqttUrl: string;
  hub: DeviceHub;
  devices: DeviceService;
  broker?: RunningBroker;
  close(): Promise<void>;
}

/** The platform's own MQTT account. */
export const PLATFORM_SERVICE_USERNAME = 'svc.platform';

/** Starts the broker (or points at the external one), the service client (hub) and the device service. */
export async function startDeviceLink(ctx: AppContext, options: PlatformMqttOptions | undefined, credentials: { passwordIterations?: number } = {}): Promise<DeviceLink> {
  const mqtt = options ?? {};
  const credentialStore = new PlatformCredentialStore(ctx.store);
  const issuer = new CredentialIssuer({
    store: credentialStore,
    now: () => ctx.clock.now(),
    ...(credentials.passwordIterations !== undefined ? { iterations: credentials.passwordIterations } : {}),
  });
  const inbox = new PlatformInboxStore(ctx.store, () => ctx.clock.now());
  // A fresh service secret each start: only its hash is kept, so it cannot be reused.
  const service = await issuer.issueService(PLATFORM_SERVICE_USERNAME);

  let broker: RunningBroker | undefined;
  let mqttUrl = '';
  let onCredentialsChanged: (() => Promise<void>) | undefined;
  if (mqtt !== false && 'externalUrl' in mqtt) {
    mqttUrl = mqtt.externalUrl;
    if (mqtt.mosquittoDir) {
      const dir = mqtt.mosquittoDir;
      const url = new URL(mqttUrl);
      const listener = { host: url.hostname, port: Number(url.port || 1883) };
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
    broker = await startBroker({ credentials: issuer, host: mqtt.host ?? '127.0.0.1', port: mqtt.port ?? 0, logger: ctx.logger });
    mqttUrl = broker.url;
  }

  const hub = new DeviceHub({
    url: mqttUrl || 'mqtt://127.0.0.1:1',
    username: service.username,
    password: service.password,
    clock: ctx.ioClock,
    logger: ctx.logger,
    inbox,
    handlers: deviceHubHandlers(ctx, inbox),
  });
  const devices = new DeviceService(ctx, {
    issuer,
    hub,
    mqttUrl,
    onCredentialsChanged,
    onRevoked: (deviceId) => {
      // aedes: cut the revoked device off now (Mosquitto keeps a live connection until it drops).
      // aedes keeps connected clients by id (untyped); a device's client id is its device id.
      const clients = (broker?.aedes as unknown as { clients?: Record<string, { close(): void } | undefined> } | undefined)?.clients;
      clients?.[deviceId]?.close();
    },
  });
  if (broker) await hub.start();
  // An external broker may still be loading the new service password: the hub keeps retrying.
  else if (mqttUrl) hub.start().catch((error: unknown) => ctx.logger.error({ err: (error as Error).message }, 'device hub stopped'));

  return {
    mqttUrl,
    hub,
    devices,
    broker,
    close: async () => {
      await hub.stop();
      await broker?.close();
    },
  };
}
