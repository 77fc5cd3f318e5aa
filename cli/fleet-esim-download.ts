/**
 * The fleet's eSIM step done for real: each ordered profile reaches the gateway's simulated eUICC
 * by the full SGP.22 download (the agent's LPA, `downloadProfile`) from the platform's SM-DP+ over
 * ES9+ HTTPS, trusting the platform's exported CI. The card is wired to the LPA straight (its APDU
 * interface, no modem): this is the factory / staging step before the gateway boots, so the
 * install notification stays on the card and the gateway's agent delivers it like any other.
 * It lives in `cli/` because the simulator never imports the agent.
 */
import type { ApduTransport } from '../agent/lpa/apdu-transport.js';
import { Es9Client } from '../agent/lpa/es9-client.js';
import { LpaClient } from '../agent/lpa/lpa-client.js';
import { downloadProfile } from '../agent/lpa/profile-download.js';
import { RealClock, type Clock } from '../common/clock.js';
import { generateP256 } from '../common/rsp/ecdsa.js';
import { fromPem } from '../common/rsp/x509.js';
import type { IssuedEum } from '../platform/app/smdp-port.js';
import type { EsimDownloadKit } from '../simulator/fleet/index.js';
import type { Euicc } from '../simulator/index.js';

/** An `ApduTransport` straight onto a simulated card's APDU interface (no modem, no AT). */
export class CardApduTransport implements ApduTransport {
  constructor(private readonly card: Euicc) {}
  async open(aid: string): Promise<number> {
    const opened = this.card.openChannel(aid);
    if ('sw' in opened) throw new Error(`the eUICC opened no channel to ${aid} (SW ${opened.sw.toString(16).toUpperCase()})`);
    return opened.channel;
  }
  async transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array> {
    return this.card.transmit(ch, apdu);
  }
  async close(ch: number): Promise<void> {
    this.card.closeChannel(ch);
  }
}

export interface CardDownloaderOptions {
  /** PEM of the CI the SM-DP+'s TLS certificate chains to (the platform's `ci.pem`). */
  ca: string;
  clock: Clock;
  /** The IMEI reported in DeviceInfo (its TAC). */
  imei?: string;
}

/**
 * Returns `download(card, activationCode)`: one SGP.22 download into `card`; rejects with the
 * stage and reason when the SM-DP+ or the card refused (the LPA cancelled the session then).
 */
export function cardDownloader(options: CardDownloaderOptions): (card: Euicc, activationCode: string) => Promise<{ iccid: string }> {
  return async (card, activationCode) => {
    // One client per download: its kept-alive connection serves the four ES9+ calls of it.
    const es9 = new Es9Client({ ca: options.ca, clock: options.clock, attempts: 3, retryDelayMs: 500 });
    try {
      const outcome = await new LpaClient(new CardApduTransport(card), { segmentSize: 255 }).withSession((s) =>
        downloadProfile(s.exchange, es9, { activationCode, ...(options.imei ? { imei: options.imei } : {}) }),
      );
      if (!outcome.ok || !outcome.iccid) throw new Error(`SGP.22 download of ${activationCode} failed at ${outcome.stage ?? '?'}: ${outcome.reason ?? 'unknown'}`);
      return { iccid: outcome.iccid };
    } finally {
      es9.close();
    }
  };
}

/**
 * The eSIM step of a shard against a shared platform (`--platform URL`): the shard makes its own
 * EUM key, has the platform's test CI certify it (`POST /_cellgate/network/eum_certificates`, the
 * network token) and signs its cards' certificates with it; the cards trust the platform's CI,
 * and the LPA downloads from the SM-DP+ address of the activation codes over ES9+ HTTPS.
 * Rejects with the platform's message when it cannot issue one (external certificates: CGW0007).
 */
export async function remoteEsimDownloadKit(platformUrl: string, networkToken: string): Promise<EsimDownloadKit> {
  const { privateKey, publicKey } = generateP256();
  const response = await fetch(`${platformUrl}/_cellgate/network/eum_certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${networkToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<IssuedEum> & { code?: string; message?: string };
  if (response.status !== 201 || !body.eumCertificate || !body.ciCertificate) {
    throw new Error(
      `the platform issued no EUM certificate for this shard's cards (HTTP ${response.status} ${body.code ?? ''} ${body.message ?? ''}): ` +
        'its SM-DP+ needs its own test CI key for the SGP.22 download, or set gateways.esimProvisioning: shortcut (docs/fleet.md)',
    );
  }
  return {
    pki: { eum: { certificate: fromPem(body.eumCertificate)[0]!, privateKey }, trustedCis: fromPem(body.ciCertificate) },
    // Retry waits of the ES9+ calls are real I/O: the wall clock.
    download: cardDownloader({ ca: body.ciCertificate, clock: new RealClock() }),
  };
}
