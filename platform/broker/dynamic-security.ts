import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { MqttSession } from '../contract/mqtt-session.js';
import { DEVICE_PUBLISHED_KINDS, DEVICE_SUBSCRIBED_KINDS, TOPIC_ROOT, assertDeviceId, deviceTopic } from '../contract/topics.js';
import { SERVICE_USERNAME_PATTERN, hashPassword } from './credentials.js';

/**
 * Mosquitto's dynamic security plugin (`mosquitto_dynamic_security.so`, shipped with Debian's
 * mosquitto 2.x), driven live over its control topic: the platform creates a client and a role
 * per device as it registers one, changes the password when it re-issues one, deletes both when
 * it revokes one (the plugin disconnects the client at once) — no files, no SIGHUP.
 *
 * Topic names are literal: the plugin of Mosquitto 2.0 does not expand `%u` in ACLs (checked
 * against 2.0.11), so each device has its own role naming its own six topics.
 */

export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_CONTROL_TOPIC}/response`;

/** Role of the platform's service clients (one per platform process). */
export const SERVICE_ROLE = 'cellgate-service';
/** Shared-subscription group of the platform processes: each device message goes to one of them. */
export const PLATFORM_SHARE_GROUP = 'cellgate-platform';

export const deviceRole = (deviceId: string): string => `cellgate-device-${deviceId}`;

interface Acl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

/** A device: publish its four outbound topics, subscribe to its two inbound ones, nothing else. */
export function deviceAcls(deviceId: string): Acl[] {
  assertDeviceId(deviceId);
  return [
    ...DEVICE_PUBLISHED_KINDS.map((k): Acl => ({ acltype: 'publishClientSend', topic: deviceTopic(deviceId, k), allow: true })),
    ...DEVICE_SUBSCRIBED_KINDS.flatMap((k): Acl[] => [
      { acltype: 'subscribeLiteral', topic: deviceTopic(deviceId, k), allow: true },
      { acltype: 'publishClientReceive', topic: deviceTopic(deviceId, k), allow: true },
    ]),
  ];
}

/** A platform process: read every device's outbound topics (plain or shared), write commands and acks. */
export function serviceAcls(): Acl[] {
  return [
    { acltype: 'subscribePattern', topic: `${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'subscribePattern', topic: `$share/${PLATFORM_SHARE_GROUP}/${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/#`, allow: true },
    ...DEVICE_SUBSCRIBED_KINDS.map((k): Acl => ({ acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/+/${k}`, allow: true })),
  ];
}

/**
 * The plugin's initial configuration file (`plugin_opt_config_file`): one admin client whose role
 * may use the control topic, and default access "deny" for sending and subscribing. Equivalent to
 * `mosquitto_ctrl dynsec init FILE USER` (same PBKDF2-SHA512 record the plugin stores).
 */
export async function dynamicSecurityBootstrap(adminUsername: string, adminPassword: string): Promise<string> {
  const [, , iterations, salt, hash] = (await hashPassword(adminPassword, 101)).split('$');
  const admin = { rolename: 'admin', acls: [
    { acltype: 'publishClientSend', topic: '$CONTROL/dynamic-security/#', allow: true },
    { acltype: 'publishClientReceive', topic: '$CONTROL/dynamic-security/#', allow: true },
    { acltype: 'subscribePattern', topic: '$CONTROL/dynamic-security/#', allow: true },
  ] };
  return `${JSON.stringify(
    {
      clients: [{ username: adminUsername, textName: 'cellgate platform (dynamic security admin)', password: hash, salt, iterations: Number(iterations), roles: [{ rolename: 'admin' }] }],
      roles: [admin],
      groups: [],
      defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
    },
    null,
    2,
  )}\n`;
}

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

interface DynsecResponse {
  command: string;
  error?: string;
  correlationData?: string;
  data?: unknown;
}

/** The plugin refused a command. */
export class DynamicSecurityError extends Error {
  constructor(readonly command: string, readonly reason: string) {
    super(`mosquitto dynamic security: ${command} failed: ${reason}`);
    this.name = 'DynamicSecurityError';
  }
}

export interface DynamicSecurityAdminOptions {
  url: string;
  username: string;
  password: string;
  clock: Clock;
  logger: Logger;
  /** How long to wait for the plugin's answer (default 10 s). */
  timeoutMs?: number;
}

interface Waiting {
  resolve(responses: DynsecResponse[]): void;
  reject(error: Error): void;
  timer: TimerHandle;
  count: number;
}

/** The platform's admin connection to the plugin. */
export class DynamicSecurityAdmin {
  private readonly session: MqttSession;
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly options: DynamicSecurityAdminOptions) {
    this.session = new MqttSession({
      url: options.url,
      // A client id of its own per process: two platform processes must not kick each other off.
      clientId: `${options.username}-${randomUUID().slice(0, 8)}`,
      username: options.username,
      password: options.password,
      clean: true,
      clock: options.clock,
      logger: options.logger,
      onConnected: async (client) => {
        await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
      },
      onMessage: (topic, payload) => this.receive(topic, payload),
    });
  }

  async start(): Promise<void> {
    this.session.start();
    await this.session.whenConnected();
  }

  async stop(): Promise<void> {
    for (const [id, w] of this.waiting) {
      this.options.clock.clearTimeout(w.timer);
      w.reject(new Error(`dynamic security admin stopped before ${id} was answered`));
    }
    this.waiting.clear();
    await this.session.stop();
  }

  /**
   * Sends commands in one control message and resolves with the plugin's answers, in order.
   * Errors listed in `tolerate` (e.g. "Client already exists") are returned, not thrown.
   */
  async run(commands: DynsecCommand[], tolerate: readonly string[] = []): Promise<DynsecResponse[]> {
    await this.session.whenConnected();
    const client = this.session.connectedClient();
    if (!client) throw new Error('not connected to the MQTT broker');
    const id = randomUUID();
    const tagged = commands.map((c, i) => ({ ...c, correlationData: `${id}:${i}` }));
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`mosquitto dynamic security did not answer within ${timeoutMs} ms (is the plugin loaded?)`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer, count: commands.length });
    });
    await client.publishAsync(DYNSEC_CONTROL_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    const responses = await answered;
    for (const r of responses) if (r.error && !tolerate.includes(r.error)) throw new DynamicSecurityError(r.command, r.error);
    return responses;
  }

  private receive(topic: string, payload: Buffer): void {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let responses: DynsecResponse[];
    try {
      responses = (JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] }).responses ?? [];
    } catch {
      return;
    }
    const id = responses[0]?.correlationData?.split(':')[0];
    const w = id ? this.waiting.get(id) : undefined;
    if (!w || !id) return;
    this.waiting.delete(id);
    this.options.clock.clearTimeout(w.timer);
    w.resolve(responses);
  }

  /** Creates the service role (once; later starts find it there). */
  async ensureServiceRole(): Promise<void> {
    const [created] = await this.run([{ command: 'createRole', rolename: SERVICE_ROLE, acls: serviceAcls() }], ['Role already exists']);
    if (created?.error) await this.run(serviceAcls().map((acl) => ({ command: 'addRoleACL', rolename: SERVICE_ROLE, ...acl })), ['ACL with this topic already exists']);
  }

  /** Creates (or re-keys) a device's client, bound to its own client id, with its own role. */
  async upsertDevice(deviceId: string, password: string): Promise<void> {
    const role = deviceRole(deviceId);
    const [, client] = await this.run(
      [
        { command: 'createRole', rolename: role, acls: deviceAcls(deviceId) },
        { command: 'createClient', username: deviceId, password, clientid: deviceId, roles: [{ rolename: role }] },
      ],
      ['Role already exists', 'Client already exists'],
    );
    // Already there (a re-issued secret): new password; its role was given when it was created.
    if (client?.error) await this.run([{ command: 'setClientPassword', username: deviceId, password }]);
  }

  /** Deletes a device's client (the plugin disconnects it) and its role. */
  async removeDevice(deviceId: string): Promise<void> {
    assertDeviceId(deviceId);
    await this.run([{ command: 'deleteClient', username: deviceId }, { command: 'deleteRole', rolename: deviceRole(deviceId) }], ['Client not found', 'Role not found']);
  }

  /** A platform process's own service client (`svc.…`). */
  async upsertService(username: string, password: string): Promise<void> {
    if (!SERVICE_USERNAME_PATTERN.test(username)) throw new Error(`invalid service username ${JSON.stringify(username)}`);
    const [client] = await this.run([{ command: 'createClient', username, password, roles: [{ rolename: SERVICE_ROLE }] }], ['Client already exists']);
    if (client?.error) await this.run([{ command: 'setClientPassword', username, password }]);
  }

  async removeService(username: string): Promise<void> {
    await this.run([{ command: 'deleteClient', username }], ['Client not found']);
  }
}
