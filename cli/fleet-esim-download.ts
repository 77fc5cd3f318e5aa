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
import type { Clock } from '../common/clock.js';
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
