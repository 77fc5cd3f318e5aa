import type { Logger } from '../../common/log.js';
import type { RadioLink, RegistrationStat } from '../network/radio-link.js';
import type { ChannelRelay } from './channel-relay.js';
import type { DialectProfile } from './dialects.js';
import type { LatencyKind } from './latency.js';
import type { ModemQuirks } from './modem-quirks.js';
import type { LastFailure, PersistentSettings, VolatileSettings } from './modem-state.js';
import type { SimCard } from './sim-card.js';
import type { SmsStore } from './sms-store.js';

/** How a reset looks from the serial side. */
export interface ResetOptions {
  /** Printed before the module goes silent (`POWERED DOWN`, `NORMAL POWER DOWN`). */
  powerDownLine?: string;
  /** The module stays off this long before it boots (a power-down whose circuit restarts it). */
  powerOffFor?: number;
  /** The serial device vanishes this long (USB re-enumeration, a powered-off module). */
  dropPortMs?: number;
}

/** What the command handlers may see and do on a modem (implemented by `SimulatedModem`). */
export interface ModemContext {
  readonly dialect: DialectProfile;
  /** eUICC-over-AT quirks of this modem (start from the dialect's). */
  readonly quirks: ModemQuirks;
  readonly imei: string;
  readonly radio: RadioLink;
  readonly channels: ChannelRelay;
  /** Message memories and the 27.005 settings. */
  readonly sms: SmsStore;
  readonly logger: Logger;
  persistent: PersistentSettings;
  settings: VolatileSettings;
  lastFailure: LastFailure;
  readonly simIdentity: { imsi: string; iccid: string } | undefined;
  readonly simState: 'ready' | 'absent' | 'no-profile';
  readonly card: SimCard | undefined;
  readonly bootEpoch: number;
  /** Registered on UTRAN (a 2G/3G fallback, the `rat utran` control) rather than E-UTRAN. */
  readonly onUtran: boolean;
  /** Waits a latency (or ms) on the modem clock; false when the module reset meanwhile. */
  wait(kind: LatencyKind | number): Promise<boolean>;
  urc(line: string): void;
  startSearching(): void;
  detach(): Promise<void>;
  applyPendingRefresh(): void;
  /** Powers the SIM down and up (UICC reset): the card shows its enabled profile, identity re-read. */
  powerCycleSim(): void;
  waitForRegistration(timeoutMs: number): Promise<RegistrationStat | undefined>;
  reset(options?: ResetOptions): void;
  later(ms: number, fn: () => void): void;
}
