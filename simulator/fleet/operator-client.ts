/**
 * The fleet's operator: drives the platform only through its public HTTP API (docs/api.md), as
 * a customer's script would — sandbox operator, SIMs, status actions, session deletes, bills.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { httpExchange } from '../http-exchange.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CreatedSim {
  imsi: string;
  iccid: string;
  subscription: string;
}

/** Operator actions by the path segment the API uses. */
const ACTION_PATHS: Record<string, string> = {
  activate: 'activate',
  deactivate: 'deactivate',
  suspend: 'suspend',
  standby: 'set_to_standby',
  'delete-session': 'delete_session',
};

export class OperatorClient {
  private apiKey = '';
  private token = '';
  private credentials: { email: string; password: string } | undefined;
  operatorId = '';
  /** HTTP calls made (for the report). */
  calls = 0;

  constructor(private readonly baseUrl: string) {}

  /** Creates a sandbox operator and keeps its API key and token for every later call. */
  async init(email: string, password: string): Promise<void> {
    const body = await this.request<{ apiKey: string; token: string; operatorId: string }>('POST', '/v1/sandbox/init', { email, password }, false);
    this.apiKey = body.apiKey;
    this.token = body.token;
    this.operatorId = body.operatorId;
    this.credentials = { email, password };
  }

  /** Logs in again (a month of virtual time outlives any token). */
  private async reauthenticate(): Promise<void> {
    const body = await this.request<{ apiKey: string; token: string }>('POST', '/v1/auth', { ...this.credentials, tokenTimeoutSeconds: 172_800 }, false);
    this.apiKey = body.apiKey;
    this.token = body.token;
  }

  /** A sandbox SIM, registered to this operator (status `ready`). */
  async createSim(subscription: string): Promise<CreatedSim> {
    const sim = await this.request<{ imsi: string; registrationSecret: string; subscription: string }>('POST', '/v1/sandbox/subscribers/create', {
      subscription,
    });
    const registered = await this.request<{ iccid?: string }>('POST', `/v1/subscribers/${sim.imsi}/register`, {
      registrationSecret: sim.registrationSecret,
    });
    return { imsi: sim.imsi, iccid: registered.iccid ?? '', subscription: sim.subscription };
  }

  /** `activate`, `deactivate`, `suspend`, `standby` or `delete-session`. */
  async act(imsi: string, action: string): Promise<void> {
    const path = ACTION_PATHS[action];
    if (!path) throw new Error(`unknown operator action ${action}`);
    await this.request('POST', `/v1/subscribers/${imsi}/${path}`, {});
  }

  async getSubscriber(imsi: string): Promise<{ status: string; sessionStatus?: { online?: boolean } }> {
    return this.request('GET', `/v1/subscribers/${imsi}`);
  }

  /** The monthly bill, or `undefined` when this platform serves no billing API (yet). */
  async bill(yearMonth: string): Promise<{ amount: number; currency?: string } | undefined> {
    try {
      const b = await this.request<{ amount?: number; totalAmount?: number; currency?: string }>('GET', `/v1/bills/${yearMonth}`);
      return { amount: Number(b.amount ?? b.totalAmount ?? 0), ...(b.currency ? { currency: b.currency } : {}) };
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'COM0003' || error.code === 'BIL0007')) {
        return error.code === 'BIL0007' ? { amount: 0 } : undefined;
      }
      throw error;
    }
  }

  /** Registers a gateway (`POST /_cellgate/devices`): its MQTT credentials, the secret shown once. */
  async registerDevice(deviceId: string): Promise<{ deviceId: string; password: string; mqttUrl: string }> {
    return this.request('POST', '/_cellgate/devices', { deviceId });
  }

  /** Every device of the operator with its latest retained status. */
  async listDevices(): Promise<Array<{ deviceId: string; status: { online: boolean; session?: { state: string } } | null }>> {
    return this.request('GET', '/_cellgate/devices');
  }

  /** Every event the platform stored for a device (all pages). */
  async deviceEvents(deviceId: string): Promise<Array<{ key: string; type: string }>> {
    const out: Array<{ key: string; type: string }> = [];
    let after: string | undefined;
    for (;;) {
      const { body, next } = await this.requestPaged<Array<{ key: string; type: string }>>(
        `/_cellgate/devices/${encodeURIComponent(deviceId)}/events?limit=1000${after ? `&last_evaluated_key=${after}` : ''}`,
      );
      out.push(...body);
      if (!next) return out;
      after = next;
    }
  }

  /** Sends a command to a device and waits for its result (`timeoutMs` of platform time). */
  async sendCommand(deviceId: string, command: Record<string, unknown>, timeoutMs: number): Promise<{ status: string; result?: unknown; error?: { code: string; message: string } }> {
    return this.request('POST', `/_cellgate/devices/${encodeURIComponent(deviceId)}/commands`, { command, timeoutMs });
  }

  /** Orders eSIM profiles (`POST /v1/sim_profile_orders` + confirm); returns the order id. */
  async orderProfiles(subscription: string, quantity: number): Promise<string> {
    const order = await this.request<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription, quantity });
    await this.request('POST', `/v1/sim_profile_orders/${order.profileOrderId}/confirm`, {});
    return order.profileOrderId;
  }

  async profileOrder(orderId: string): Promise<{ status: string }> {
    return this.request('GET', `/v1/sim_profile_orders/${orderId}`);
  }

  async orderedProfiles(orderId: string): Promise<Array<{ iccid: string; imsi: string; activationCode: string; profileStatus: string }>> {
    return this.request('GET', `/v1/sim_profile_orders/${orderId}/profiles`);
  }

  /** Marks a SIM transferable (`POST /_cellgate/subscribers/{imsi}/transferable`, the operator's root user). */
  async setTransferable(imsi: string): Promise<void> {
    await this.request('POST', `/_cellgate/subscribers/${imsi}/transferable`, { transferable: true });
  }

  /** Issues a ready-transfer token for `imsis` to another operator. */
  async issueTransferToken(imsis: readonly string[], to: { operatorId: string; email: string }): Promise<string> {
    const body = await this.request<{ token: string }>('POST', '/v1/subscribers/transfer_token/issue', {
      transferImsi: imsis,
      transferDestinationOperatorId: to.operatorId,
      transferDestinationOperatorEmail: to.email,
    });
    return body.token;
  }

  /** Accepts a ready-transfer token (as the destination operator); the IMSIs now owned. */
  async verifyTransferToken(token: string): Promise<string[]> {
    const body = await this.request<{ transferredImsi: string[] }>('POST', '/v1/subscribers/transfer_token/verify', { token });
    return body.transferredImsi;
  }

  /** The operator's e-mail (the destination of a transfer names it). */
  get email(): string {
    return this.credentials?.email ?? '';
  }

  private async requestPaged<T>(path: string): Promise<{ body: T; next: string | undefined }> {
    let next: string | undefined;
    const body = await this.request<T>('GET', path, undefined, true, (h) => {
      next = h('x-soracom-next-key');
    });
    return { body, next };
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, auth = true, onHeaders?: (header: (name: string) => string | undefined) => void): Promise<T> {
    try {
      return await this.send<T>(method, path, body, auth, onHeaders);
    } catch (error) {
      if (!auth || !this.credentials || !(error instanceof ApiError) || (error.code !== 'AUM0003' && error.code !== 'AUM0002')) throw error;
      await this.reauthenticate();
      return this.send<T>(method, path, body, auth, onHeaders);
    }
  }

  private async send<T>(method: string, path: string, body: unknown, auth: boolean, onHeaders?: (header: (name: string) => string | undefined) => void): Promise<T> {
    this.calls++;
    const headers: OutgoingHttpHeaders = {};
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (auth) {
      headers['x-soracom-api-key'] = this.apiKey;
      headers['x-soracom-token'] = this.token;
    }
    const response = await httpExchange(new URL(`${this.baseUrl}${path}`), method, headers, payload);
    onHeaders?.((name) => {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    });
    const { text } = response;
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (response.status < 200 || response.status > 299) {
      const err = (parsed ?? {}) as { code?: string; message?: string };
      throw new ApiError(response.status, err.code ?? 'HTTP', `${method} ${path}: ${response.status} ${err.code ?? ''} ${err.message ?? text}`.trim());
    }
    return parsed as T;
  }
}
