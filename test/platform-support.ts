import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { VirtualClock } from '../common/clock.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';

export interface Api {
  platform: RunningPlatform;
  clock: VirtualClock;
  http: FastifyInstance;
  call(method: string, url: string, opts?: { body?: unknown; raw?: string; auth?: Creds | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export interface Creds {
  apiKey: string;
  token: string;
  operatorId: string;
}

/** A platform on a virtual clock and an in-memory store, driven through `fastify.inject`. */
export async function startTestApi(config?: Parameters<typeof startPlatform>[0]['config']): Promise<Api> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const platform = await startPlatform({ dataDir: ':memory:', clock, config });
  const http = platform.http;
  const call: Api['call'] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) {
      headers['x-soracom-api-key'] = opts.auth.apiKey;
      headers['x-soracom-token'] = opts.auth.token;
    }
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    return http.inject({ method: method as 'GET', url, headers, payload: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
  };
  return { platform, clock, http, call };
}

let seq = 0;

/** Sandbox-inits an operator; returns its root credentials. */
export async function newOperator(api: Api, coverageTypes?: string[]): Promise<Creds & { email: string; password: string }> {
  const email = `user${seq++}@example.com`;
  const password = 'correct horse battery';
  const res = await api.call('POST', '/v1/sandbox/init', { body: { email, password, ...(coverageTypes ? { coverageTypes } : {}) } });
  if (res.statusCode !== 201) throw new Error(`sandbox init failed: ${res.body}`);
  return { ...(res.json() as Creds), email, password };
}

/** Creates and registers a sandbox SIM; returns the registered subscriber JSON. */
export async function newSim(api: Api, auth: Creds, subscription = 'plan01s', coverage?: string): Promise<Record<string, unknown> & { imsi: string }> {
  const headers = coverage ? { 'x-cellgate-coverage': coverage } : undefined;
  const created = await api.call('POST', '/v1/sandbox/subscribers/create', { auth, body: { subscription }, headers });
  if (created.statusCode !== 200) throw new Error(`create failed: ${created.body}`);
  const { imsi, registrationSecret } = created.json() as { imsi: string; registrationSecret: string };
  const reg = await api.call('POST', `/v1/subscribers/${imsi}/register`, { auth, body: { registrationSecret }, headers });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
  return reg.json();
}
