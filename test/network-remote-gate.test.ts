import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { NetworkGateHttpError, RemoteNetworkGate, startSimulatedModem } from '../simulator/index.js';
import { eventually } from './link-fixtures.js';

const clock = new RealClock();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the helper returns whatever JSON the API sent
async function api(p: RunningPlatform, method: string, path: string, auth?: { apiKey: string; token: string }, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (auth) Object.assign(headers, { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token });
  if (body !== undefined) headers['content-type'] = 'application/json';
  // A connection of its own per call (agent: false): the test drops every connection the platform
  // holds, and a pooled keep-alive socket would then fail the next call at random.
  return new Promise((resolve, reject) => {
    const req = request(p.url + path, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** An AT terminal over the simulator's TCP serial server. */
class TcpTerminal {
  private output = '';
  private mark = 0;
  constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.output += d.toString('latin1')));
  }
  static async open(url: string): Promise<TcpTerminal> {
    const { hostname, port } = new URL(url.replace(/^tcp:/, 'http:'));
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    cleanups.push(() => void socket.destroy());
    return new TcpTerminal(socket);
  }
  async at(command: string): Promise<string[]> {
    const start = this.output.length;
    this.socket.write(`${command}\r`);
    await eventually(() => /(^|\r\n)(OK|ERROR|\+CME ERROR: .*)\r\n/.test(this.output.slice(start)), 10_000, `final result of ${command}`);
    this.mark = this.output.length;
    return this.output.slice(start).split(/\r\n|\r|\n/).filter((l) => l !== '');
  }
  async waitFor(pattern: RegExp): Promise<string[]> {
    await eventually(() => pattern.test(this.output.slice(this.mark)), 10_000, String(pattern));
    const lines = this.output.slice(this.mark).split(/\r\n|\r|\n/).filter((l) => l !== '');
    this.mark = this.output.length;
    return lines;
  }
}

describe('remote network gate: simulator and platform apart, over HTTP + Server-Sent Events', () => {
  it('attach → session → operator delete_session → +CGEV: NW PDN DEACT on the modem → Deleted event', async () => {
    const p = await startPlatform({ dataDir: ':memory:', http: { port: 0 }, mqtt: false });
    cleanups.push(() => p.close());
    const root = (await api(p, 'POST', '/v1/sandbox/init', undefined, { email: 'net@example.com', password: 'correct horse battery' })).json;
    const created = (await api(p, 'POST', '/v1/sandbox/subscribers/create', root, { subscription: 'plan01s' })).json;
    expect((await api(p, 'POST', `/v1/subscribers/${created.imsi}/register`, root, { registrationSecret: created.registrationSecret })).status).toBe(201);

    const gate = new RemoteNetworkGate({ url: p.url, token: p.networkToken, clock, backoff: { initialMs: 20, maxMs: 200 } });
    cleanups.push(() => gate.close());
    const sim = await startSimulatedModem({ dialect: 'bg96', imsi: created.imsi, gate, latency: 'zero', usageReportIntervalMs: 0, expose: { tcp: { port: 0 } } });
    cleanups.push(() => sim.close());
    await gate.whenStreaming();
    const term = await TcpTerminal.open(sim.tcpUrl!);
    await term.at('ATE0');
    await term.at('AT+CGEREP=2,1');
    await term.at('AT+CGDCONT=1,"IP","soracom.io"');
    expect((await term.at('AT+QIACT=1'))[0]).toBe('OK');
    const [addr] = await term.at('AT+CGPADDR=1');
    const ip = /"([\d.]+)"/.exec(addr!)![1]!;
    expect(ip).toMatch(/^127\.(1[6-9]|2\d|3[01])\./);

    const online = (await api(p, 'GET', `/v1/subscribers/${created.imsi}`, root)).json;
    expect(online).toMatchObject({ status: 'active', sessionStatus: { online: true, ueIpAddress: ip } });

    expect((await api(p, 'POST', `/v1/subscribers/${created.imsi}/delete_session`, root)).status).toBe(200);
    expect(await term.waitFor(/pdpdeact/)).toEqual(['+CGEV: NW PDN DEACT 1', '+QIURC: "pdpdeact",1']);
    expect(await term.at('AT+QIACT?')).toEqual(['OK']);

    const events = (await api(p, 'GET', `/v1/subscribers/${created.imsi}/events/sessions`, root)).json as { event: string }[];
    expect(events.map((e) => e.event)).toEqual(['Deleted', 'Created']);
    expect((await api(p, 'GET', `/v1/subscribers/${created.imsi}`, root)).json.sessionStatus.online).toBe(false);
  });

  it('replays delete orders issued while the order stream was down (Last-Event-ID)', async () => {
    const p = await startPlatform({ dataDir: ':memory:', http: { port: 0 }, mqtt: false });
    cleanups.push(() => p.close());
    const orders: string[] = [];
    // Reconnects 900 ms after a drop: the second order is issued while no stream is open.
    const gate = new RemoteNetworkGate({ url: p.url, token: p.networkToken, clock, backoff: { initialMs: 1_000, maxMs: 1_000 }, random: () => 0.9 });
    cleanups.push(() => gate.close());
    gate.onSessionDeleteOrder((o) => orders.push(o.sessionId));
    await gate.whenStreaming();
    const root = (await api(p, 'POST', '/v1/sandbox/init', undefined, { email: 'net2@example.com', password: 'correct horse battery' })).json;
    const sims: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = (await api(p, 'POST', '/v1/sandbox/subscribers/create', root, {})).json;
      await api(p, 'POST', `/v1/subscribers/${c.imsi}/register`, root, { registrationSecret: c.registrationSecret });
      sims.push(c.imsi);
    }
    const cell = { radioType: 'lte-m' as const, mcc: '440', mnc: '10', tac: 1, eci: 2 };
    const s1 = await gate.createSession({ imsi: sims[0]!, imei: '359221090000018', apn: 'soracom.io', cell });
    const s2 = await gate.createSession({ imsi: sims[1]!, imei: '359221090000026', apn: 'soracom.io', cell });
    if (!s1.allowed || !s2.allowed) throw new Error('sessions refused');
    expect(s1.ueIpAddress).not.toBe(s2.ueIpAddress);
    await api(p, 'POST', `/v1/subscribers/${sims[0]}/delete_session`, root);
    await eventually(() => orders.length === 1, 5_000, 'first order');
    // Drop every open order stream from the platform side; the gate reconnects with Last-Event-ID.
    p.http.server.closeAllConnections();
    await api(p, 'POST', `/v1/subscribers/${sims[1]}/delete_session`, root);
    await eventually(() => orders.length === 2, 5_000, 'order issued while disconnected');
    expect(orders).toEqual([s1.sessionId, s2.sessionId]);
  });

  it('refuses a wrong network token with 401 NET0002 and does not retry it', async () => {
    const p = await startPlatform({ dataDir: ':memory:', http: { port: 0 }, mqtt: false });
    cleanups.push(() => p.close());
    const gate = new RemoteNetworkGate({ url: p.url, token: 'not-the-token', clock });
    const error = await gate.attach({ imsi: '295050000000001', imei: '359221090000018' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkGateHttpError);
    expect(error).toMatchObject({ status: 401, code: 'NET0002' });
  });
});
