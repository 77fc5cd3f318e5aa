/**
 * eSIM downloads per second through the full SGP.22 protocol with everything in one process: the
 * agent's LPA (downloadProfile), the simulated eUICC (certificate checks, ECDSA, ECKA, SCP03t,
 * profile install) wired straight to it, and the platform's SM-DP+ service (store, sessions, BPP
 * binding, then the install notification) — one download at a time, `CONCURRENCY` at a time (as a
 * fleet downloads: the store's group commit shares the fsyncs), and one at a time over real ES9+
 * HTTPS (the agent's Es9Client against the platform's TLS listener). Baselines measured in the
 * same run: the provisioning shortcut (same cards, same profiles, no protocol), and the
 * protocol's raw public-key crypto alone (the P-256 signatures, verifications, key pairs and ECDH
 * one download needs).
 *
 * Run: `npm run build && node dist/scripts/bench/esim-download.js [downloads] [concurrency]`.
 */
import { performance } from 'node:perf_hooks';
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mm, printMachine, REPEATS, spread } from './_repeat.js';
import { Es9Client, Es9Error } from '../../agent/lpa/es9-client.js';
import { RealClock } from '../../common/clock.js';
import { downloadProfile } from '../../agent/lpa/profile-download.js';
import { LpaClient } from '../../agent/lpa/lpa-client.js';
import type { ApduTransport } from '../../agent/lpa/apdu-transport.js';
import { ecka, generateOneTimeKeyPair } from '../../common/rsp/ecka.js';
import type { Es9Function } from '../../common/rsp/es9.js';
import { startPlatform } from '../../platform/index.js';
import { Euicc } from '../../simulator/euicc/euicc.js';

const DOWNLOADS = Number(process.argv[2] ?? 40);
const CONCURRENCY = Number(process.argv[3] ?? 20);

class Direct implements ApduTransport {
  constructor(private readonly card: Euicc) {}
  async open(aid: string): Promise<number> {
    const r = this.card.openChannel(aid);
    if ('sw' in r) throw new Error(`no channel ${r.sw}`);
    return r.channel;
  }
  async transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array> {
    return this.card.transmit(ch, apdu);
  }
  async close(ch: number): Promise<void> {
    this.card.closeChannel(ch);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-bench-esim-'));
const platform = await startPlatform({ dataDir, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 0 }, http: { port: 0 }, mqtt: false });
const service = platform.smdp!.service;
const pki = service.pki;
type Es9 = Pick<Es9Client, 'call'>;
const es9: Es9 = {
  async call(_address: string, fn: Es9Function, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await service[fn](body);
    if (!r.ok) throw new Es9Error('failed', r.status.message ?? 'refused', r.status);
    return r.body;
  },
};
const inject = async <T>(method: 'GET' | 'POST', url: string, auth: { apiKey: string; token: string } | undefined, body?: unknown): Promise<T> => {
  const res = await platform.http.inject({
    method,
    url,
    headers: { ...(auth ? { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return res.json() as T;
};
const auth = await inject<{ apiKey: string; token: string }>('POST', '/v1/sandbox/init', undefined, { email: `bench-${process.pid}@cellgate.local`, password: 'Cg-bench-password-1' });

/** `n` fresh activation codes with their ICCID / IMSI (orders of 20). */
async function order(n: number): Promise<Array<{ activationCode: string; iccid: string; imsi: string }>> {
  const out: Array<{ activationCode: string; iccid: string; imsi: string }> = [];
  while (out.length < n) {
    const quantity = Math.min(20, n - out.length);
    const { profileOrderId } = await inject<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', auth, { subscription: 'plan01s', quantity });
    await inject('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`, auth);
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      const { status } = await inject<{ status: string }>('GET', `/v1/sim_profile_orders/${profileOrderId}`, auth);
      if (process.env.BENCH_DEBUG) console.error(status, wait);
      if (status === 'COMPLETED') break;
      if (status !== 'CONFIRMED' && status !== 'IN_PROGRESS') throw new Error(`profile order ${profileOrderId} is ${status}`);
      await new Promise((r) => setTimeout(r, wait));
    }
    const listed = await inject<Array<{ activationCode: string; iccid: string; imsi: string }>>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`, auth);
    if (!Array.isArray(listed) || listed.length !== quantity) throw new Error(`profile order ${profileOrderId} listed ${JSON.stringify(listed).slice(0, 200)}`);
    out.push(...listed);
  }
  return out;
}

let eidSeq = 0;
const cards = (n: number): Euicc[] =>
  Array.from({ length: n }, () => new Euicc({ eid: `8904903200000000000000${String(eidSeq++).padStart(10, '0')}`, pki: { eum: pki.eum, trustedCis: [pki.ci.certificate] }, maxProfiles: 1 }));

/** Downloads (and hands the install notification to the SM-DP+), `inFlight` at a time; returns downloads/s. */
async function protocolRound(inFlight: number, client: Es9 = es9): Promise<number> {
  const profiles = await order(DOWNLOADS);
  const euiccs = cards(DOWNLOADS);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < DOWNLOADS; i = next++) {
        const outcome = await new LpaClient(new Direct(euiccs[i]!), { segmentSize: 255 }).withSession((s) =>
          downloadProfile(s.exchange, client, { activationCode: profiles[i]!.activationCode, imei: '359221090000042' }),
        );
        if (!outcome.ok) throw new Error(`download ${i} failed: ${outcome.reason}`);
        await client.call(outcome.smdpAddress!, 'handleNotification', { pendingNotification: outcome.profileInstallationResult });
      }
    }),
  );
  return DOWNLOADS / ((performance.now() - t0) / 1000);
}

/** One download at a time over ES9+ HTTPS, each with its own client (one kept-alive TLS connection per download, as the agent does). */
async function httpsRound(): Promise<number> {
  const clients: Es9Client[] = [];
  const perDownload: Es9 = {
    call: (address, fn, body) => {
      if (fn === 'initiateAuthentication') clients.push(new Es9Client({ ca: platform.smdp!.ciPem, clock: new RealClock() }));
      return clients[clients.length - 1]!.call(address, fn, body);
    },
  };
  try {
    return await protocolRound(1, perDownload);
  } finally {
    for (const c of clients) c.close();
  }
}

async function shortcutRound(): Promise<number> {
  const profiles = await order(DOWNLOADS);
  const euiccs = cards(DOWNLOADS);
  const t0 = performance.now();
  for (let i = 0; i < DOWNLOADS; i++) euiccs[i]!.installFromActivationCode(profiles[i]!.activationCode, { iccid: profiles[i]!.iccid, imsi: profiles[i]!.imsi });
  return DOWNLOADS / ((performance.now() - t0) / 1000);
}

/** One download's public-key work: 6 signatures, 11 verifications, 2 one-time key pairs, 2 ECDH. */
function cryptoRound(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const data = Buffer.alloc(200, 7);
  const sig = createSign('sha256').update(data).sign(privateKey);
  const t0 = performance.now();
  for (let i = 0; i < DOWNLOADS; i++) {
    for (let s = 0; s < 6; s++) createSign('sha256').update(data).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
    for (let v = 0; v < 11; v++) createVerify('sha256').update(data).verify(publicKey, sig);
    const a = generateOneTimeKeyPair();
    const b = generateOneTimeKeyPair();
    ecka(a.privateKey, b.publicKey);
    ecka(b.privateKey, a.publicKey);
  }
  return DOWNLOADS / ((performance.now() - t0) / 1000);
}

printMachine('start');
const protocol: number[] = [];
const concurrent: number[] = [];
const https: number[] = [];
const shortcut: number[] = [];
const crypto: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  protocol.push(await protocolRound(1));
  concurrent.push(await protocolRound(CONCURRENCY));
  https.push(await httpsRound());
  shortcut.push(await shortcutRound());
  crypto.push(cryptoRound());
}
const p = spread(protocol);
const pc = spread(concurrent);
const ph = spread(https);
const s = spread(shortcut);
const c = spread(crypto);
console.log(`  ${DOWNLOADS} downloads × ${REPEATS} runs (each: the download, then HandleNotification of its install result)`);
console.log(`  full SGP.22 download, in-process, one at a time        ${mm(p)} downloads/s`);
console.log(`  full SGP.22 download, in-process, ${String(CONCURRENCY).padEnd(3)} at a time       ${mm(pc)} downloads/s`);
console.log(`  full SGP.22 download, ES9+ over HTTPS, one at a time   ${mm(ph)} downloads/s`);
console.log(`  baseline: provisioning shortcut                        ${mm(s)} installs/s  (${(s.median / p.median).toFixed(1)}× the protocol)`);
console.log(`  baseline: the protocol's public-key crypto alone       ${mm(c)} downloads/s  (the protocol reaches ${((p.median / c.median) * 100).toFixed(0)} % of it one at a time, ${((pc.median / c.median) * 100).toFixed(0)} % ${CONCURRENCY} at a time)`);
printMachine('end');
await platform.close();
rmSync(dataDir, { recursive: true, force: true });
