/**
 * `POST /_cellgate/network/eum_certificates` (docs/smdp.md, "EUM certificates for card
 * factories"): the platform's test CI certifies a caller's EUM key, a card whose certificate that
 * EUM signs downloads from the platform's SM-DP+; only the network token may ask; a platform with
 * external certificates (no CI key) refuses with CGW0007.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../common/clock.js';
import { generateP256 } from '../common/rsp/ecdsa.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { remoteEsimDownloadKit } from '../cli/fleet-esim-download.js';
import { ApiClient } from '../cli/stack-provision.js';
import { Euicc } from '../simulator/index.js';

const PATH = '/_cellgate/network/eum_certificates';
const pem = (key: ReturnType<typeof generateP256>['publicKey']): string => key.export({ type: 'spki', format: 'pem' }).toString();

async function post(platform: RunningPlatform, body: unknown, token?: string): Promise<{ status: number; json: Record<string, string> }> {
  const response = await fetch(`${platform.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

describe('EUM certificates for card factories', () => {
  let platform: RunningPlatform;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cellgate-eum-'));
    platform = await startPlatform({ dataDir, clock: new RealClock(), http: { port: 0 }, mqtt: false, config: { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 } });
  });
  afterAll(async () => {
    await platform?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('needs the network token: none → 401 NET0001, an operator token or a wrong one → 401 NET0002', async () => {
    const key = pem(generateP256().publicKey);
    expect(await post(platform, { publicKey: key })).toMatchObject({ status: 401, json: { code: 'NET0001' } });
    expect(await post(platform, { publicKey: key }, 'not-the-token')).toMatchObject({ status: 401, json: { code: 'NET0002' } });
  });

  it('certifies a P-256 key with the platform CI (the key stays with the caller); other keys → 400 CGW0008', async () => {
    const pair = generateP256();
    const issued = await post(platform, { publicKey: pem(pair.publicKey) }, platform.networkToken);
    expect(issued.status).toBe(201);
    const eum = new X509Certificate(issued.json.eumCertificate!);
    const ci = new X509Certificate(issued.json.ciCertificate!);
    expect(issued.json.ciCertificate).toBe(platform.smdp!.ciPem);
    expect(eum.verify(ci.publicKey)).toBe(true);
    expect(eum.publicKey.export({ type: 'spki', format: 'pem' })).toBe(pem(pair.publicKey));
    expect(issued.json.smdpAddress).toBe(platform.smdp!.address);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await post(platform, { publicKey: rsa }, platform.networkToken)).toMatchObject({ status: 400, json: { code: 'CGW0008' } });
    expect(await post(platform, { publicKey: 'not a key' }, platform.networkToken)).toMatchObject({ status: 400, json: { code: 'CGW0008' } });
  });

  it("a card signed by the issued EUM downloads an ordered profile from the platform's SM-DP+", async () => {
    const kit = await remoteEsimDownloadKit(platform.url, platform.networkToken);
    const api = new ApiClient(platform.url);
    api.use(await api.call('POST', '/v1/sandbox/init', { email: 'eum@cellgate.local', password: 'Cg-eum-test-1' }));
    const { profileOrderId } = await api.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'planX1', quantity: 1 });
    await api.call('POST', `/v1/sim_profile_orders/${profileOrderId}/confirm`);
    let profiles: Array<{ iccid: string; activationCode: string; profileStatus: string }> = [];
    for (let i = 0; i < 1000 && profiles.length === 0; i++) {
      profiles = await api.call<typeof profiles>('GET', `/v1/sim_profile_orders/${profileOrderId}/profiles`);
      if (profiles.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(profiles).toHaveLength(1);
    const card = new Euicc({ eid: '89049032123456780000000000000001', pki: kit.pki, clock: new RealClock() });
    expect(await kit.download(card, profiles[0]!.activationCode)).toEqual({ iccid: profiles[0]!.iccid });
    // The signed install result waits on the card for the LPA's HandleNotification (the fleet's agents deliver it).
    expect(card.notifications()).toHaveLength(1);
  });

  it('refuses with CGW0007 when the platform holds no CI key (external certificates)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cellgate-eum-noci-'));
    const first = await startPlatform({ dataDir: dir, clock: new RealClock(), http: { port: 0 }, mqtt: false });
    await first.close();
    await rm(join(dir, 'smdp', 'ci.key.pem'));
    const external = await startPlatform({ dataDir: dir, clock: new RealClock(), http: { port: 0 }, mqtt: false });
    try {
      const refused = await post(external, { publicKey: pem(generateP256().publicKey) }, external.networkToken);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: 'CGW0007', message: expect.stringMatching(/no CI private key.*ci\.key\.pem/) });
      await expect(remoteEsimDownloadKit(external.url, external.networkToken)).rejects.toThrow(/CGW0007.*esimProvisioning: shortcut/);
    } finally {
      await external.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
