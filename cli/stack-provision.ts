/**
 * Provisioning of the local stack through the platform's own HTTP API, the way a user would do
 * it: a sandbox operator, a group with the metadata service on, a SIM registered to it, an API
 * auth key, and device credentials for each gateway. The result is kept in the stack's state
 * file so a restart on the same data dir reuses everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StackGateway {
  imei: string;
  imsi: string;
  iccid: string;
  deviceId: string;
  /** The device's MQTT secret (shown once by the platform; kept here for the stack's agent). */
  devicePassword: string;
}

/** Everything the stack created, as stored in `<dataDir>/stack.json` (mode 0600: it holds secrets). */
export interface StackState {
  version: 1;
  email: string;
  password: string;
  operatorId: string;
  authKeyId: string;
  authKey: string;
  groupId: string;
  gateways: StackGateway[];
}

/** A tiny client of the platform API with the operator's credentials. */
export class ApiClient {
  private headers: Record<string, string> = {};

  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Logs in (`POST /v1/auth`) and keeps the key and token for the following calls. */
  async login(credentials: { email: string; password: string } | { authKeyId: string; authKey: string }): Promise<{ apiKey: string; token: string; operatorId: string }> {
    const auth = await this.call<{ apiKey: string; token: string; operatorId: string }>('POST', '/v1/auth', credentials);
    this.use(auth);
    return auth;
  }

  use(auth: { apiKey: string; token: string }): void {
    this.headers = { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token };
  }
}

/** A valid, stable IMEI for simulated gateway `n` (TAC 35 892609, Luhn check digit). */
export function stackImei(n: number, seed: string): string {
  const payload = `35892609${seed}${String(n).padStart(2, '0')}`.slice(0, 14);
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${payload}${(10 - (sum % 10)) % 10}`;
}

/** Creates a sandbox operator with a metadata-enabled group. */
export async function provisionOperator(api: ApiClient): Promise<Omit<StackState, 'gateways'>> {
  const email = `stack-${randomBytes(4).toString('hex')}@cellgate.local`;
  const password = `Cg-${randomBytes(12).toString('base64url')}`;
  const init = await api.call<{ apiKey: string; token: string; operatorId: string }>('POST', '/v1/sandbox/init', { email, password });
  api.use(init);
  const key = await api.call<{ authKeyId: string; authKey: string }>('POST', `/v1/operators/${init.operatorId}/auth_keys`);
  const group = await api.call<{ groupId: string }>('POST', '/v1/groups', { tags: { name: 'cellgate-stack' } });
  await api.call('PUT', `/v1/groups/${group.groupId}/configuration/SoracomAir`, [{ key: 'metadata', value: { enabled: true, readonly: true } }]);
  return { version: 1, email, password, operatorId: init.operatorId, authKeyId: key.authKeyId, authKey: key.authKey, groupId: group.groupId };
}

/** A new sandbox SIM registered into the group (status `ready`: active on its first session), and the gateway's device credentials. */
export async function provisionGateway(api: ApiClient, state: Omit<StackState, 'gateways'>, imei: string): Promise<StackGateway> {
  const sim = await api.call<{ imsi: string; registrationSecret: string }>('POST', '/v1/sandbox/subscribers/create', {});
  await api.call('POST', `/v1/subscribers/${sim.imsi}/register`, { registrationSecret: sim.registrationSecret, groupId: state.groupId });
  const subscriber = await api.call<{ iccid: string }>('GET', `/v1/subscribers/${sim.imsi}`);
  const device = await api.call<{ deviceId: string; password: string }>('POST', '/_cellgate/devices', { deviceId: imei });
  return { imei, imsi: sim.imsi, iccid: subscriber.iccid, deviceId: device.deviceId, devicePassword: device.password };
}

export function readStackState(path: string): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as StackState;
  if (state.version !== 1 || !Array.isArray(state.gateways)) throw new Error(`${path} is not a cellgate stack state file (delete it to start afresh)`);
  return state;
}

export function writeStackState(path: string, state: StackState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
