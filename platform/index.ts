import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RealClock, type Clock } from '../common/clock.js';
import { listenError } from '../common/listen-error.js';
import { openVirtualClock } from './app/clock-control.js';
import { silentLogger } from '../common/log.js';
import { advertisedHost, urlOf } from './app/advertised-urls.js';
import type { PlatformConfig, RandomSource } from './app/context.js';
import { startDeviceLink, type PlatformMqttOptions } from './app/device-link.js';
import type { DeviceService } from './app/devices.js';
import type { DeviceHub } from './broker/device-hub.js';
import type { PlatformNetworkGate } from './app/network-gate.js';
import { createPlatformApp, type PlatformApp } from './app/platform-app.js';
import type { Scheduler } from './app/scheduler.js';
import { buildHttpApi } from './http/server.js';
import type { PlatformStore } from './store/port.js';
import { buildEs9Server } from './smdp/es9-server.js';
import { loadOrCreateSmdpPki } from './smdp/smdp-pki.js';
import { buildEs11Server } from './smds/es11-server.js';
import { loadOrCreateSmdsPki } from './smds/smds-pki.js';
import { SmdsService, type SmdsConfig } from './smds/smds-service.js';
import { SmdpService, type SmdpConfig } from './smdp/smdp-service.js';
import { toPem } from '../common/rsp/x509.js';
import { openStore } from './store/open-store.js';
import { isPostgresUrl } from './store/postgres-store.js';

export interface StartPlatformOptions {
  /**
   * Where the data lives: a directory for the SQLite database (`platform.sqlite`), `:memory:` for
   * a throw-away store, or a `postgres://` URL (docs/deployment.md: several processes may then
   * share it).
   */
  dataDir: string;
  /** Defaults to the wall clock; pass a `VirtualClock` for tests and fleet runs. */
  clock?: Clock;
  /**
   * Run the rules on a virtual clock that moves only through `POST /_cellgate/clock`
   * (`cellgate platform --clock virtual`): it resumes the virtual time saved in the store, or
   * starts at `start` (default: now). Transport timers keep the wall clock. Ignored with `clock`.
   */
  virtualTime?: { start?: number };
  logger?: Logger;
  random?: RandomSource;
  config?: Partial<PlatformConfig>;
  /** Port 0 picks a free port. Host defaults to 127.0.0.1. Omit `http` to run without HTTP. */
  http?: { port: number; host?: string };
  /** Use this store instead of opening SQLite in `dataDir`. */
  store?: PlatformStore;
  /** The MQTT broker devices connect to: embedded aedes on 127.0.0.1 (any free port) by default. */
  mqtt?: PlatformMqttOptions;
  /**
   * PBKDF2 iterations of new MQTT credential hashes (Mosquitto `$7$` format; default 10 000).
   * [choice] Device secrets are 256-bit random, so stretching adds nothing to their strength; a
   * fleet of thousands registering at once may lower it (the fleet runner uses 1 000).
   */
  mqttPasswordIterations?: number;
  /** Bearer token of the remote network gate (`/_cellgate/network/*`); random (256 bits) when absent. */
  networkToken?: string;
  /** The built web console served at `/console` (default: `dist/console`; null: none). */
  consoleDir?: string | null;
  /**
   * The SM-DP+ (ES9+ over HTTPS): on by default whenever `http` is set, on a free port. Its address
   * in activation codes is `config.smdpAddress` when given, else `localhost:<port>`. `false` turns it off.
   */
  smdp?: { port: number; host?: string; config?: Partial<SmdpConfig> } | false;
  /**
   * The SM-DS (ES11 over HTTPS, docs/smdp.md#sm-ds): on whenever the SM-DP+ is, on a free port
   * (default), with its address `config.smdsAddress` when given, else `localhost:<port>`. `false` turns it off.
   */
  smds?: { port: number; host?: string; config?: Partial<SmdsConfig> } | false;
  /** The HTTP API URL clients and devices are told (default: from the bind address, see `advertised-urls.ts`). */
  publicUrl?: string;
  /** The MQTT URL devices are told, e.g. in `POST /_cellgate/devices` answers (default: from the bind address). */
  publicMqttUrl?: string;
}

/** The running SM-DS. */
export interface RunningSmds {
  service: SmdsService;
  /** `https://host:port` of ES11. */
  url: string;
  /** The SM-DS address (a card's rootDsAddress, lpac's `profile discovery -s`). */
  address: string;
}

/** The running SM-DP+. */
export interface RunningSmdp {
  service: SmdpService;
  /** `https://host:port` of ES9+ ('' when it does not listen). */
  url: string;
  /** The address in activation codes (`localhost:<port>`). */
  address: string;
  /** The CI certificate (PEM) a card or an LPA trusts; also `<data-dir>/smdp/ci.pem`. */
  ciPem: string;
}

export interface RunningPlatform {
  /** Base URL of the HTTP API from this machine (empty when started without HTTP). */
  url: string;
  /** The HTTP API URL clients and devices are told (`publicUrl`, or derived from the bind address). */
  publicUrl: string;
  app: PlatformApp;
  /** The fastify instance (also usable with `inject`). */
  http: FastifyInstance;
  store: PlatformStore;
  scheduler: Scheduler;
  /** In-process network gate for the simulator's network side. */
  gate: PlatformNetworkGate;
  /** `mqtt://host:port` of the broker from this machine ('' with `mqtt: false`). */
  mqttUrl: string;
  /** The MQTT URL devices are told (`publicMqttUrl`, or derived from the bind address). */
  publicMqttUrl: string;
  /**
   * A new connection to the embedded broker over an in-memory pipe (login and ACL as over TCP,
   * no file descriptor): for device clients in this same process, the in-process fleet.
   * Undefined with an external broker or `mqtt: false`.
   */
  connectMqttInProcess?: () => Duplex;
  /** Device registry: `register(operatorId, deviceId)`, `revoke`, `status`, `sendCommand`. */
  devices: DeviceService;
  /** The platform's MQTT service client. */
  hub: DeviceHub;
  /** Token a remote radio side sends as `Authorization: Bearer <token>` to `/_cellgate/network/*`. */
  networkToken: string;
  /** The SM-DP+, when it runs. */
  smdp?: RunningSmdp;
  /** The SM-DS, when it runs (with the SM-DP+). */
  smds?: RunningSmds;
  close(): Promise<void>;
}

/**
 * Opens the store, starts the broker, the SM-DP+, the scheduler and (optionally) the HTTP API.
 * When any part fails to start (a port in use, a bad fee schedule), everything already started is
 * released before the error is thrown, so the caller can report it and exit at once.
 */
export async function startPlatform(options: StartPlatformOptions): Promise<RunningPlatform> {
  const logger = options.logger ?? silentLogger();
  const releases: Array<() => Promise<void> | void> = [];
  const releaseAll = async (): Promise<void> => {
    for (const release of releases.splice(0).reverse()) {
      try {
        await release();
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'releasing after a failed start failed');
      }
    }
  };
  try {
    const store = options.store ?? (await openStore(options.dataDir));
    if (!options.store) releases.push(() => store.close());
    const wallClock = new RealClock();
    let clock: Clock = options.clock ?? wallClock;
    if (!options.clock && options.virtualTime) clock = await openVirtualClock(store, options.virtualTime.start, wallClock);
    // Hand-moved virtual time: devices, radio sides and brokers still live in real time.
    const ioClock = !options.clock && options.virtualTime ? wallClock : clock;
    const app = createPlatformApp({ store, clock, ioClock, logger, random: options.random, config: options.config });
    releases.push(() => app.stop());
    const smdp = await startSmdp(app, options);
    if (smdp) releases.push(() => smdp.server.close());
    const smds = smdp ? await startSmds(app, smdp.running.service, options) : undefined;
    if (smds) releases.push(() => smds.server.close());
    let publicUrl = '';
    const link = await startDeviceLink(
      app.ctx,
      options.mqtt,
      { ...(options.mqttPasswordIterations !== undefined ? { passwordIterations: options.mqttPasswordIterations } : {}) },
      { ...(options.publicMqttUrl ? { publicMqttUrl: options.publicMqttUrl } : {}), apiUrl: () => publicUrl || undefined },
    );
    releases.push(() => link.close());
    // Hex, not base64url: a token is passed as a command-line argument, and one starting with `-`
    // would be read as an option.
    const networkToken = options.networkToken ?? randomBytes(32).toString('hex');
    const http = await buildHttpApi({
      platform: app,
      logger: options.logger,
      devices: link.devices,
      networkToken,
      ...(options.consoleDir !== undefined ? { consoleDir: options.consoleDir } : {}),
    });
    releases.push(() => http.close());
    app.start();
    let url = '';
    if (options.http) {
      const host = options.http.host ?? '127.0.0.1';
      try {
        await http.listen({ port: options.http.port, host });
      } catch (error) {
        throw listenError('HTTP API', host, options.http.port, error);
      }
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : options.http.port;
      url = urlOf('http', host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port);
      publicUrl = options.publicUrl ?? urlOf('http', advertisedHost(host), port);
    }
    return {
      url,
      publicUrl,
      app,
      http,
      store,
      scheduler: app.scheduler,
      gate: app.gate,
      mqttUrl: link.mqttUrl,
      publicMqttUrl: link.publicMqttUrl,
      ...(link.broker ? { connectMqttInProcess: link.broker.connectInProcess } : {}),
      devices: link.devices,
      hub: link.hub,
      networkToken,
      ...(smdp ? { smdp: smdp.running } : {}),
      ...(smds ? { smds: smds.running } : {}),
      close: async () => {
        await smds?.server.close();
        await smdp?.server?.close();
        await http.close();
        await link.close();
        await app.stop();
        await store.close();
      },
    };
  } catch (error) {
    await releaseAll();
    throw error;
  }
}

/**
 * Loads (or generates) the SM-DP+'s PKI in `<data-dir>/smdp`, listens for ES9+ and sets the SM-DP+
 * address of new activation codes. Without `http`, only the in-process service (for tests) is made
 * when `smdp` asks for it.
 */
async function startSmdp(app: PlatformApp, options: StartPlatformOptions) {
  const wanted = options.smdp ?? (options.http ? { port: 0 } : false);
  if (wanted === false) return undefined;
  const host = wanted.host ?? '127.0.0.1';
  const configured = options.config?.smdpAddress;
  // [choice] On PostgreSQL there is no data dir: the PKI is generated per process unless
  // CELLGATE_SMDP_DIR names a directory (shared by every process, docs/deployment.md).
  const pkiDir = isPostgresUrl(options.dataDir) ? process.env.CELLGATE_SMDP_DIR : options.dataDir === ':memory:' ? undefined : join(options.dataDir, 'smdp');
  const pki = loadOrCreateSmdpPki(pkiDir, { hosts: [configured?.split(':')[0] ?? 'localhost', host], now: app.ctx.clock.now() });
  const service = new SmdpService(app.ctx, pki, wanted.config);
  app.ctx.smdp = service;
  const server = await buildEs9Server(service, options.logger);
  try {
    await server.listen({ port: wanted.port, host });
  } catch (error) {
    await server.close();
    throw listenError('SM-DP+ (ES9+)', host, wanted.port, error);
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : wanted.port;
  if (!configured) app.ctx.config.smdpAddress = `localhost:${port}`;
  const running: RunningSmdp = { service, url: `https://${host}:${port}`, address: app.ctx.config.smdpAddress, ciPem: toPem('CERTIFICATE', pki.ci.certificate) };
  return { running, server };
}

/**
 * Issues (or reads) the SM-DS's certificates beside the SM-DP+'s, listens for ES11 and sets the
 * SM-DS address the SM-DP+ registers events at.
 */
async function startSmds(app: PlatformApp, smdp: SmdpService, options: StartPlatformOptions) {
  const wanted = options.smds ?? { port: 0 };
  if (wanted === false) return undefined;
  const host = wanted.host ?? (options.smdp ? options.smdp.host : undefined) ?? '127.0.0.1';
  const configured = options.config?.smdsAddress;
  const pki = loadOrCreateSmdsPki(smdp.pki, { hosts: [configured?.split(':')[0] ?? 'localhost', host], now: app.ctx.clock.now() });
  const service = new SmdsService(app.ctx, pki, wanted.config);
  app.ctx.smds = service;
  const server = await buildEs11Server(service, smdp.pki.ci.certificate, options.logger);
  try {
    await server.listen({ port: wanted.port, host });
  } catch (error) {
    await server.close();
    throw listenError('SM-DS (ES11)', host, wanted.port, error);
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : wanted.port;
  if (!configured) app.ctx.config.smdsAddress = `localhost:${port}`;
  const running: RunningSmds = { service, url: `https://${host}:${port}`, address: app.ctx.config.smdsAddress };
  return { running, server };
}

export { createPlatformApp } from './app/platform-app.js';
export { SmdpService } from './smdp/smdp-service.js';
export { PlatformNetworkGate } from './app/network-gate.js';
export { Scheduler } from './app/scheduler.js';
export { SqliteStore } from './store/sqlite-store.js';
export { PostgresStore } from './store/postgres-store.js';
export { openStore, describeStore } from './store/open-store.js';
export type { PlatformStore, StoreTx } from './store/port.js';
export { STREAMS } from './app/context.js';
export { DeviceService, DEVICE_STREAMS, type DeviceCredentials, type DeviceView, type StoredDeviceEvent } from './app/devices.js';
export { PLATFORM_SERVICE_USERNAME, type PlatformMqttOptions } from './app/device-link.js';
export { SESSION_IP_POOL } from './app/session-ips.js';
export { buildHttpApi } from './http/server.js';
