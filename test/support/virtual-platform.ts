/**
 * A `cellgate platform --clock virtual` child process (the compiled CLI, `dist/`), driven over
 * HTTP only, as a tester outside the project would drive it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCellgate, type CellgateProcess } from './process-stack.js';

export interface HttpAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export interface Creds {
  apiKey: string;
  token: string;
  operatorId: string;
  email: string;
  password: string;
}

export interface VirtualPlatform {
  proc: CellgateProcess;
  url: string;
  networkToken: string;
  dataDir: string;
  call(method: string, path: string, options?: { body?: unknown; auth?: Pick<Creds, 'apiKey' | 'token'>; coverage?: 'g' | 'jp'; headers?: Record<string, string> }): Promise<HttpAnswer>;
  /** `POST /_cellgate/clock` with the network token; throws unless 200. */
  advance(move: { advance: string | number } | { to: string | number }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  now(): Promise<number>;
  /** `sandbox/init` (both coverage types) and a login. */
  newOperator(coverageTypes?: string[]): Promise<Creds>;
  /** A sandbox SIM registered to `auth` (in the coverage `coverage`). */
  newSim(auth: Creds, subscription?: string, coverage?: 'g' | 'jp'): Promise<{ imsi: string; simId: string } & Record<string, unknown>>;
}

let seq = 0;

/** Starts the shipped CLI on a virtual clock at `start` with its own data dir; extra flags follow. */
export async function startVirtualPlatform(start: string, extra: string[] = []): Promise<VirtualPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-vplat-'));
  const proc = spawnCellgate(['platform', '--clock', 'virtual', '--start', start, '--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', ...extra]);
  const url = (await proc.waitFor(/listening on (http:\/\/\S+)/, 20_000))[1]!;
  const networkToken = (await proc.waitFor(/network token: ([0-9a-f]{64})/, 20_000))[1]!;
  const call: VirtualPlatform['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth) Object.assign(headers, { 'x-soracom-api-key': options.auth.apiKey, 'x-soracom-token': options.auth.token });
    if (options.coverage) headers['x-cellgate-coverage'] = options.coverage;
    const res = await fetch(`${url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON (CSV, text) */
    }
    return { status: res.status, body, headers: res.headers };
  };
  const vp: VirtualPlatform = {
    proc,
    url,
    networkToken,
    dataDir,
    call,
    async advance(move) {
      const res = await call('POST', '/_cellgate/clock', { body: move, headers: { authorization: `Bearer ${networkToken}` } });
      if (res.status !== 200) throw new Error(`clock move ${JSON.stringify(move)} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async now() {
      return (await call('GET', '/_cellgate/clock', { headers: { authorization: `Bearer ${networkToken}` } })).body.now as number;
    },
    async newOperator(coverageTypes = ['g', 'jp']) {
      const email = `tester${process.pid}-${seq++}@example.com`;
      const password = 'correct horse battery';
      const init = await call('POST', '/v1/sandbox/init', { body: { email, password, coverageTypes } });
      if (init.status !== 201) throw new Error(`sandbox init: ${init.status} ${JSON.stringify(init.body)}`);
      return { ...(init.body as { apiKey: string; token: string; operatorId: string }), email, password };
    },
    async newSim(auth, subscription = 'plan01s', coverage = 'g') {
      const created = await call('POST', '/v1/sandbox/subscribers/create', { auth, body: { subscription }, coverage });
      if (created.status !== 200) throw new Error(`create SIM: ${created.status} ${JSON.stringify(created.body)}`);
      const reg = await call('POST', `/v1/subscribers/${created.body.imsi}/register`, { auth, body: { registrationSecret: created.body.registrationSecret }, coverage });
      if (reg.status !== 201) throw new Error(`register SIM: ${reg.status} ${JSON.stringify(reg.body)}`);
      return reg.body;
    },
  };
  return vp;
}
