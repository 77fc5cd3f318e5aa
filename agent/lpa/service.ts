/**
 * The agent's LPA service (SPEC §2, LPA): profile operations over the live AT channel, the
 * profile-switch discipline (refresh, verify, re-attach, fall back), and the exactly-once
 * notification pipeline eUICC → durable outbox → platform ack → NotificationSent; a notification
 * that names another SM-DP+ goes to that server (ES9+ HandleNotification) instead.
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { readFileSync } from 'node:fs';
import { AtCmeError, AtError } from '../at/errors.js';
import type { AtChannel, AtCommand } from '../at/types.js';
import { at } from '../modem/commands.js';
import { dialects } from '../modem/dialects.js';
import { isRegistered } from '../modem/parsers.js';
import type { EsimNotification } from '../../platform/contract/messages.js';
import { AtApduTransport, type AtApduTransportOptions } from './at-apdu-transport.js';
import type { Es10Result, PendingNotification, ProfileInfo } from './es10-codec.js';
import { LpaError } from './errors.js';
import { LpaClient } from './lpa-client.js';
import { Es9Client, Es9Error } from './es9-client.js';
import { downloadProfile, type DownloadOutcome, type DownloadRequest } from './profile-download.js';
import { isInvalidAddress, retrieveEvents, type DiscoveryOutcome } from './event-discovery.js';
import { getConfiguredAddresses, getRat, memoryReset, setDefaultDpAddress, type MemoryResetOption, type RatRule } from './es10b.js';

/** Where notifications go: the agent's MQTT link (`AgentLink` satisfies it). */
export interface NotificationSink {
  /** Persists the notification in the durable outbox and returns its key `esim:{eid}:{seq}`. */
  sendEsimNotification(notification: Omit<EsimNotification, 'v' | 'key' | 'deviceId' | 'createdAt'>): string;
  /** Resolves once the platform acknowledged `key` (at once when it is not pending). */
  whenAcknowledged(key: string): Promise<void>;
}

/** Optional hooks into the attach/session driver. */
export interface LpaSessionHooks {
  /**
   * The modem now shows another profile: re-attach now (a resync that re-reads IMSI / ICCID).
   * Without it the session driver notices the detach through its own loss detection.
   */
  reattach?(reason: 'profile-switch' | 'fallback'): void | Promise<void>;
}

export interface LpaServiceConfig {
  /** `AtApduTransport` mode: `auto` (default) probes; `cgla` / `csim` force one. */
  transportMode: NonNullable<AtApduTransportOptions['mode']>;
  segmentSize: number;
  apduTimeoutMs: number;
  /** How long to wait for the modem to show the new profile before a SIM power cycle (CFUN 0 → 1). */
  refreshTimeoutMs: number;
  /** How long the new profile has to register before the LPA falls back to the previous one. */
  attachTimeoutMs: number;
  /** Poll interval of `AT+CIMI` / `AT+CEREG?` while waiting. */
  pollIntervalMs: number;
  /** Re-enable the previous profile when the new one cannot attach. */
  fallback: boolean;
  /**
   * Re-run the notification delivery this often while something is pending or failed; a
   * notification its own SM-DP+ did not take waits `deliveryRetryMs × 2^(failures-1)`, capped at
   * `deliveryRetryMaxMs`.
   */
  deliveryRetryMs: number;
  /** Cap of the backoff of a notification for another SM-DP+ [choice: 1 h]. */
  deliveryRetryMaxMs: number;
  /**
   * `Failed` answers of another SM-DP+ to one notification before the LPA stops offering it: it
   * stays on the card, is logged once and listed in `abandonedNotifications` [choice: 8].
   */
  directNotificationAttempts: number;
  /**
   * SM-DS discovery without a command [choice: `enable`]: at agent start (the first time the card
   * and the network answer) the LPA asks the card's root SM-DS for events and downloads each
   * event's profile (`install`), enabling the first one (`enable`); `off`: only on command.
   */
  discovery: 'enable' | 'install' | 'off';
  /** Repeat the automatic discovery this often; 0: only at start [choice: 0, see docs/esim-lpa.md]. */
  discoveryIntervalMs: number;
  /** PEM file(s) of the CAs trusted for SM-DP+ TLS (ES9+); empty: the system store. */
  es9CaFile: string;
  /** One ES9+ request's timeout. */
  es9TimeoutMs: number;
  /** Attempts per ES9+ function on transport failures (backoff from 1 s, doubling). */
  es9Attempts: number;
  /**
   * The platform's own SM-DP+ address(es) (`host[:port]`, as in its activation codes): their
   * notifications go to the platform over MQTT; any other notificationAddress gets its
   * notification by ES9+ HandleNotification over HTTPS. Empty: every notification goes to the
   * platform (the agent cannot tell foreign ones apart).
   */
  platformSmdp: string[];
}

export const DEFAULT_LPA_CONFIG: LpaServiceConfig = {
  transportMode: 'auto',
  segmentSize: 120,
  apduTimeoutMs: 10_000,
  refreshTimeoutMs: 15_000,
  attachTimeoutMs: 180_000,
  pollIntervalMs: 1_000,
  fallback: true,
  deliveryRetryMs: 60_000,
  deliveryRetryMaxMs: 3_600_000,
  directNotificationAttempts: 8,
  discovery: 'enable',
  discoveryIntervalMs: 0,
  es9CaFile: '',
  es9TimeoutMs: 30_000,
  es9Attempts: 4,
  platformSmdp: [],
};

/** What a platform `esim.download` / `cellgate lpa download` asks for. */
export interface DownloadCommand extends DownloadRequest {
  /** Enable the profile once installed (switch, re-attach, fall back as `enable` does). */
  enable?: boolean;
}

/** What a platform `esim.discover` / `cellgate lpa discover` asks for. */
export interface DiscoverCommand {
  /** The SM-DS to ask; default the eUICC's root SM-DS address. */
  smdsAddress?: string;
  /** Download each event's profile (default: only list the events). */
  download?: boolean;
  /** Enable the first profile installed. */
  enable?: boolean;
  /** A start-up or interval run (single attempts; quiet when there is no SM-DS to ask). */
  automatic?: boolean;
}

/** The events found and, with `download`, each event's download outcome. */
export interface DiscoverResult extends DiscoveryOutcome {
  downloads: Array<DownloadResult & { eventId: string }>;
}

/** The download's outcome, and the switch's when `enable` was asked. */
export interface DownloadResult extends DownloadOutcome {
  enabled?: SwitchOutcome;
}

export interface LpaServiceOptions {
  /** The live AT channel (it changes when the port is reopened); undefined while there is none. */
  channel: () => AtChannel | undefined;
  /** Notification delivery; without it notifications stay on the eUICC (the bench CLI). */
  link?: NotificationSink;
  session?: LpaSessionHooks;
  clock: Clock;
  logger?: Logger;
  config?: Partial<LpaServiceConfig>;
}

/** Outcome of enable / disable: the card's answer, and what happened on the network after it. */
export interface SwitchOutcome {
  ok: boolean;
  /** SGP.22 result name of the card's answer (`ok`, `profileNotInDisabledState`...). */
  result: string;
  code: number;
  /** ICCID / IMSI the modem shows at the end. */
  iccid?: string;
  imsi?: string;
  /** The new profile registered (enable) within `attachTimeoutMs`. */
  attached?: boolean;
  /** The previous profile was re-enabled because the new one could not attach. */
  fellBackTo?: string;
  /** Why the switch did not complete (`refresh-timeout`, `attach-timeout`). */
  reason?: string;
  /** Time from the ES10 request to registration with the new profile (ms). */
  switchMs?: number;
}

export interface DeliveryReport {
  /** Notifications put into the outbox in this pass (new or re-offered). */
  offered: number[];
  /** Notifications removed from the eUICC (NotificationSent) in this pass. */
  removed: number[];
  /** Notifications for another SM-DP+, handed (or being handed) to it over ES9+ in this pass. */
  direct: number[];
  /** Notifications another SM-DP+ refused `directNotificationAttempts` times: kept on the card, no longer offered. */
  abandoned: number[];
}

/** A notification for another SM-DP+ that has not been taken yet. */
interface DirectRetry {
  /** Consecutive unsuccessful attempts (refused or unreachable). */
  failures: number;
  /** Of which `Failed` answers (the server's verdict). */
  refusals: number;
  /** Not before this time (agent clock). */
  nextAt: number;
}

type Job<T> = () => Promise<T>;

/**
 * Profile operations and notification delivery on one gateway's eUICC. Every ES10 exchange runs
 * through one queue (and the AT channel serialises single commands with the session's use).
 */
export class LpaService {
  private readonly config: LpaServiceConfig;
  private readonly logger: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private client: { channel: AtChannel; lpa: LpaClient } | undefined;
  private eidCache: string | undefined;
  /** Whether the card answered the ISD-R select (unknown until the first try on this channel). */
  private euicc: 'present' | 'absent' | undefined;
  /** seqNumber → key for notifications waiting for the platform's ack (listener registered). */
  private readonly awaitingAck = new Map<number, string>();
  /** Acknowledged notifications whose NotificationSent has not succeeded yet. */
  private readonly acknowledged = new Set<number>();
  /** seqNumbers whose ES9+ HandleNotification to another SM-DP+ is under way. */
  private readonly directInFlight = new Set<number>();
  /** Backoff state of notifications another SM-DP+ has not taken, by seqNumber. */
  private readonly directRetries = new Map<number, DirectRetry>();
  /** Notifications given up on (kept on the card); the warning is logged once. */
  private readonly abandoned = new Set<number>();
  /** Automatic discovery: `pending` until a run reached the SM-DS (or found none to ask). */
  private discovery: 'pending' | 'running' | 'done' = 'pending';
  private discoveryTimer: TimerHandle | undefined;
  private readonly platformSmdp: Set<string>;
  private retryTimer: TimerHandle | undefined;
  private retryAt = 0;
  private stopped = false;
  private delivering: Promise<DeliveryReport> | undefined;
  private readonly switchListeners = new Set<(outcome: SwitchOutcome) => void>();

  constructor(private readonly options: LpaServiceOptions) {
    this.config = { ...DEFAULT_LPA_CONFIG, ...options.config };
    this.logger = options.logger ?? silentLogger();
    this.platformSmdp = new Set(this.config.platformSmdp.map(normaliseSmdpAddress));
  }

  /** Delivers what is pending on the eUICC now and keeps retrying while anything is left. */
  start(): void {
    this.stopped = false;
    void this.deliverNotifications().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.discoveryTimer) this.options.clock.clearTimeout(this.discoveryTimer);
    this.discoveryTimer = undefined;
  }

  /** Notifications no longer offered to their SM-DP+ after too many refusals (they stay on the card). */
  get abandonedNotifications(): number[] {
    return [...this.abandoned];
  }

  /**
   * The automatic SM-DS discovery (config `discovery`), called at start and whenever the session
   * comes online: runs until one attempt reached the SM-DS (or the card has no SM-DS worth asking:
   * no eUICC, no root SM-DS, an RFC 6761 `.invalid` placeholder), then every `discoveryIntervalMs`.
   */
  async autoDiscover(): Promise<DiscoverResult | undefined> {
    if (this.stopped || this.config.discovery === 'off' || this.discovery !== 'pending') return undefined;
    this.discovery = 'running';
    let finished = false;
    try {
      const addresses = await this.configuredAddresses().catch((e: unknown) => {
        if (isNoEuicc(e)) return undefined;
        throw e;
      });
      const root = addresses?.rootDsAddress;
      if (!root || isInvalidAddress(root)) {
        this.logger.debug({ rootDsAddress: root }, 'no SM-DS to ask: automatic discovery off');
        finished = true;
        return undefined;
      }
      const result = await this.discover({ download: true, enable: this.config.discovery === 'enable', automatic: true });
      finished = !result.unreachable;
      return result;
    } catch (e) {
      this.logger.debug({ err: e }, 'automatic SM-DS discovery not possible yet');
      return undefined;
    } finally {
      this.discovery = finished ? 'done' : 'pending';
      if (finished && this.config.discoveryIntervalMs > 0 && !this.stopped && !this.discoveryTimer) {
        this.discoveryTimer = this.options.clock.setTimeout(() => {
          this.discoveryTimer = undefined;
          this.discovery = 'pending';
          void this.autoDiscover();
        }, this.config.discoveryIntervalMs);
      }
    }
  }

  /** Called after every enable / disable that reached the card (for status publishing). */
  onSwitch(listener: (outcome: SwitchOutcome) => void): () => void {
    this.switchListeners.add(listener);
    return () => this.switchListeners.delete(listener);
  }

  // ---- operations ---------------------------------------------------------------------------

  listProfiles(): Promise<ProfileInfo[]> {
    return this.run(() => this.lpa().listProfiles());
  }

  eid(): Promise<string> {
    return this.run(() => this.readEid());
  }

  async enable(iccid: string): Promise<SwitchOutcome> {
    return this.afterOperation(this.run(() => this.switchTo(iccid)));
  }

  async disable(iccid: string): Promise<SwitchOutcome> {
    return this.afterOperation(
      this.run(async () => {
        const answer = await this.lpa().disableProfile({ iccid, refresh: true });
        if (!answer.ok) return refused(answer);
        // With no profile enabled the module answers +CME ERROR to ICCID / IMSI reads: that
        // silence is the success state of a disable, as much as another ICCID is.
        const identity = await this.waitForIdentity((id) => id.iccid !== iccid);
        if (identity.changed) await this.options.session?.reattach?.('profile-switch');
        const outcome: SwitchOutcome = { ok: identity.changed, result: answer.result, code: answer.code, ...identity.identity, ...(identity.changed ? {} : { reason: 'refresh-timeout' }) };
        this.emitSwitch(outcome);
        return outcome;
      }),
    );
  }

  async delete(iccid: string): Promise<Es10Result<string>> {
    return this.afterOperation(this.run(() => this.lpa().deleteProfile({ iccid })));
  }

  async setNickname(iccid: string, nickname: string): Promise<Es10Result<string>> {
    return this.afterOperation(this.run(() => this.lpa().setNickname(iccid, nickname)));
  }

  /**
   * SGP.22 profile download (§3.1.3) into the eUICC, then — if asked — enable it. The install
   * notification is handed to the SM-DP+ with ES9+ HandleNotification right away (best effort)
   * and to the platform through the notification pipeline, which removes it from the card once
   * the platform acknowledged it.
   */
  async download(command: DownloadCommand): Promise<DownloadResult> {
    return this.afterOperation(
      this.run(async () => {
        const imei = await this.imei();
        const es9 = this.es9();
        try {
          return await this.downloadNow(command, imei, es9);
        } finally {
          es9.close();
        }
      }),
    );
  }

  /**
   * SGP.22 §3.6.2 event retrieval at the SM-DS (`smdsAddress`, default the card's root SM-DS),
   * then, with `download`, each event's profile from its SM-DP+ with the event ID as matching ID
   * (the usual download, notification and CancelSession paths). `enable` enables the first profile
   * installed. `automatic` (start-up, interval): one attempt per ES11 call, so an unreachable SM-DS
   * holds the card for one timeout at most.
   */
  async discover(command: DiscoverCommand = {}): Promise<DiscoverResult> {
    return this.afterOperation(
      this.run(async () => {
        const imei = await this.imei();
        const es9 = this.es9(command.automatic ? { attempts: 1 } : {});
        try {
          const discovery = await this.lpa().withSession((s) =>
            retrieveEvents(s.exchange, es9, { ...(command.smdsAddress ? { smdsAddress: command.smdsAddress } : {}), ...(imei ? { imei } : {}) }),
          );
          // An automatic run that cannot reach the SM-DS yet is retried at the next online event: no warning for that.
          const level = discovery.ok || (command.automatic && discovery.unreachable) ? 'info' : 'warn';
          this.logger[level]({ ...discovery }, discovery.ok ? `SM-DS event retrieval: ${discovery.events.length} event(s)` : 'SM-DS event retrieval failed');
          const result: DiscoverResult = { ...discovery, downloads: [] };
          if (!discovery.ok || !command.download) return result;
          let enabled = false;
          for (const event of discovery.events) {
            // SGP.22 §3.6.2 step 9: the download with the EventID as MatchingID (an activation code without a confirmation code flag).
            const outcome = await this.downloadNow({ activationCode: `LPA:1$${event.rspServerAddress}$${event.eventId}`, ...(command.enable && !enabled ? { enable: true } : {}) }, imei, es9);
            enabled ||= outcome.enabled?.ok === true;
            result.downloads.push({ eventId: event.eventId, ...outcome });
          }
          result.ok = result.downloads.every((d) => d.ok);
          return result;
        } finally {
          es9.close();
        }
      }),
    );
  }

  private async imei(): Promise<string | undefined> {
    return this.channel()
      .send(at.imei())
      .catch(() => undefined);
  }

  /** One download on the card (inside the queue); the install result goes to its SM-DP+ at once. */
  private async downloadNow(command: DownloadCommand, imei: string | undefined, es9: Es9Client): Promise<DownloadResult> {
    const outcome = await this.lpa().withSession((s) =>
      downloadProfile(s.exchange, es9, { ...command, ...(imei ? { imei } : {}) }, { onStage: (stage) => this.logger.debug({ stage }, 'profile download') }),
    );
    this.logger[outcome.ok ? 'info' : 'warn']({ ...outcome, profileInstallationResult: undefined }, outcome.ok ? 'profile downloaded and installed' : 'profile download failed');
    if (outcome.profileInstallationResult && outcome.smdpAddress) {
      await es9.call(outcome.smdpAddress, 'handleNotification', { pendingNotification: outcome.profileInstallationResult }).catch((e: unknown) => this.logger.info({ err: e }, 'ES9+ HandleNotification failed; the notification pipeline delivers it'));
    }
    if (!outcome.ok || !command.enable || !outcome.iccid) return outcome;
    return { ...outcome, enabled: await this.switchTo(outcome.iccid) };
  }

  /** ES10a.GetEuiccConfiguredAddresses: the default SM-DP+ and the root SM-DS. */
  configuredAddresses(): Promise<{ defaultDpAddress?: string; rootDsAddress?: string }> {
    return this.run(() => this.lpa().withSession((s) => getConfiguredAddresses(s.exchange)));
  }

  /** ES10a.SetDefaultDpAddress (empty: clear). Result 0 ok, 127 undefinedError. */
  setDefaultSmdp(address: string): Promise<number> {
    return this.run(() => this.lpa().withSession((s) => setDefaultDpAddress(s.exchange, address)));
  }

  /** ES10b.GetRAT. */
  rat(): Promise<RatRule[]> {
    return this.run(() => this.lpa().withSession((s) => getRat(s.exchange)));
  }

  /** ES10c.eUICCMemoryReset (no notifications). Result 0 ok, 1 nothingToDelete, 5 catBusy. */
  memoryReset(options: readonly MemoryResetOption[]): Promise<number> {
    return this.afterOperation(this.run(() => this.lpa().withSession((s) => memoryReset(s.exchange, options))));
  }

  private es9(override: { attempts?: number } = {}): Es9Client {
    const file = this.config.es9CaFile;
    return new Es9Client({
      clock: this.options.clock,
      timeoutMs: this.config.es9TimeoutMs,
      attempts: override.attempts ?? this.config.es9Attempts,
      ...(file ? { ca: readFileSync(file, 'utf8') } : {}),
    });
  }

  // ---- the profile switch -------------------------------------------------------------------

  private async switchTo(iccid: string): Promise<SwitchOutcome> {
    const started = this.options.clock.now();
    const before = await this.lpa().listProfiles();
    const previous = before.find((p) => p.state === 'enabled')?.iccid;
    const answer = await this.lpa().enableProfile({ iccid, refresh: true });
    if (!answer.ok) return refused(answer);
    this.logger.info({ iccid, previous }, 'profile enabled on the eUICC; waiting for the modem to re-read the SIM');
    const outcome = await this.settleOn(iccid, 'profile-switch');
    if (outcome.attached) {
      const done: SwitchOutcome = { ok: true, result: answer.result, code: answer.code, ...outcome.identity, attached: true, switchMs: this.options.clock.now() - started };
      this.logger.info(done, 'new profile attached');
      this.emitSwitch(done);
      return done;
    }
    const reason = outcome.reason;
    this.logger.warn({ iccid, previous, reason }, 'new profile could not attach');
    if (!this.config.fallback || previous === undefined) {
      const failed: SwitchOutcome = { ok: false, result: answer.result, code: answer.code, ...outcome.identity, attached: false, reason };
      this.emitSwitch(failed);
      return failed;
    }
    // Fall back: the previous profile is known to work (SPEC §2; the platform sees both switches).
    const back = await this.lpa().enableProfile({ iccid: previous, refresh: true });
    const restored = back.ok ? await this.settleOn(previous, 'fallback') : undefined;
    const fell: SwitchOutcome = {
      ok: false,
      result: answer.result,
      code: answer.code,
      ...(restored?.identity ?? {}),
      attached: false,
      fellBackTo: previous,
      reason,
    };
    this.logger.warn({ ...fell, restored: restored?.attached ?? false, fallbackResult: back.result }, 'fell back to the previous profile');
    this.emitSwitch(fell);
    return fell;
  }

  /** Waits for the modem to show `iccid`, power-cycles the SIM if it does not, then waits for registration. */
  private async settleOn(iccid: string, reason: 'profile-switch' | 'fallback'): Promise<{ attached: boolean; identity: { iccid?: string; imsi?: string }; reason?: string }> {
    const refreshed = await this.waitForIdentity((id) => id.iccid !== undefined && id.iccid === iccid);
    if (!refreshed.changed) return { attached: false, identity: refreshed.identity, reason: 'refresh-timeout' };
    await this.options.session?.reattach?.(reason);
    const attached = await this.waitForRegistration(this.config.attachTimeoutMs);
    return attached ? { attached, identity: refreshed.identity } : { attached, identity: refreshed.identity, reason: 'attach-timeout' };
  }

  /**
   * Polls the terminal's ICCID / IMSI until `done`; after `refreshTimeoutMs` without a change
   * power-cycles the SIM (`AT+CFUN=0` → `AT+CFUN=1`: SIM7080-style modules and firmware that
   * ignore REFRESH) and waits once more.
   */
  private async waitForIdentity(done: (id: { iccid?: string; imsi?: string }) => boolean): Promise<{ changed: boolean; identity: { iccid?: string; imsi?: string } }> {
    let identity = await this.readIdentity();
    for (const round of [0, 1]) {
      const deadline = this.options.clock.now() + this.config.refreshTimeoutMs;
      for (;;) {
        if (done(identity)) return { changed: true, identity };
        if (this.options.clock.now() >= deadline) break;
        await this.options.clock.sleep(this.config.pollIntervalMs);
        identity = await this.readIdentity();
      }
      if (round === 0) {
        this.logger.info('modem still shows the old profile: SIM power cycle (AT+CFUN=0, AT+CFUN=1)');
        await this.channel().send(at.radio(false)).catch((e: unknown) => this.logger.warn({ err: e }, 'AT+CFUN=0 failed'));
        await this.channel().send(at.radio(true)).catch((e: unknown) => this.logger.warn({ err: e }, 'AT+CFUN=1 failed'));
        identity = await this.readIdentity();
      }
    }
    return { changed: false, identity };
  }

  private async waitForRegistration(timeoutMs: number): Promise<boolean> {
    const deadline = this.options.clock.now() + timeoutMs;
    for (;;) {
      const stat = await this.channel()
        .send(at.registration())
        .then((r) => r.stat)
        .catch(() => undefined);
      if (stat !== undefined && isRegistered(stat)) return true;
      if (this.options.clock.now() >= deadline) return false;
      await this.options.clock.sleep(this.config.pollIntervalMs);
    }
  }

  /** ICCID and IMSI as the modem shows them; a field the modem refuses (SIM busy) is undefined. */
  private async readIdentity(): Promise<{ iccid?: string; imsi?: string }> {
    const channel = this.channel();
    const imsi = await channel.send(at.imsi()).catch(() => undefined);
    let iccid: string | undefined;
    for (const command of iccidCommands()) {
      iccid = await channel.send(command).catch(() => undefined);
      if (iccid !== undefined) break;
    }
    return { ...(iccid !== undefined ? { iccid } : {}), ...(imsi !== undefined ? { imsi } : {}) };
  }

  private emitSwitch(outcome: SwitchOutcome): void {
    for (const listener of [...this.switchListeners]) listener(outcome);
  }

  // ---- notifications ------------------------------------------------------------------------

  /**
   * One delivery pass: retrieve every pending notification, put each into the durable outbox
   * (its key is `esim:{eid}:{seq}`, the same after any restart), and remove from the eUICC only
   * those the platform has acknowledged. Never removes one that was not acknowledged.
   */
  deliverNotifications(): Promise<DeliveryReport> {
    if (this.delivering) return this.delivering;
    const pass = this.run(() => this.deliveryPass()).finally(() => {
      this.delivering = undefined;
    });
    this.delivering = pass;
    pass.then(
      () => this.scheduleRetry(),
      (error: unknown) => {
        // Before the port is open (agent start, a port loss) there is nothing to deliver from yet.
        const noPort = !this.options.channel()?.isOpen;
        this.logger[noPort ? 'debug' : 'warn']({ err: error }, 'notification delivery pass failed; retrying later');
        this.scheduleRetry(true);
      },
    );
    return pass;
  }

  /** Sequence numbers whose ack is awaited (for status and tests). */
  get pendingAcks(): number[] {
    return [...this.awaitingAck.keys()];
  }

  private async deliveryPass(): Promise<DeliveryReport> {
    const link = this.options.link;
    const report: DeliveryReport = { offered: [], removed: [], direct: [], abandoned: [] };
    if (!link) return report;
    // No LPA work on a SIM without an eUICC: the pass runs only once the ISD-R answered.
    if (this.euicc === 'absent' && this.client?.channel === this.options.channel()) return report;
    let eid: string;
    try {
      eid = await this.readEid();
      this.euicc = 'present';
    } catch (e) {
      if (!isNoEuicc(e)) throw e;
      if (this.euicc !== 'absent') this.logger.info({ reason: (e as Error).message }, 'no eUICC in the SIM slot (the ISD-R cannot be selected): eSIM notifications are off until the modem port is reopened');
      this.euicc = 'absent';
      return report;
    }
    const pending = await this.lpa().retrieveNotifications();
    for (const n of pending) {
      if (this.acknowledged.has(n.seqNumber)) continue;
      if (!this.forPlatform(n.notificationAddress)) {
        if (this.abandoned.has(n.seqNumber)) {
          report.abandoned.push(n.seqNumber);
          continue;
        }
        report.direct.push(n.seqNumber);
        const retry = this.directRetries.get(n.seqNumber);
        if (!this.directInFlight.has(n.seqNumber) && (!retry || this.options.clock.now() >= retry.nextAt)) this.handToSmdp(n);
        continue;
      }
      const key = link.sendEsimNotification(toMessage(eid, n));
      report.offered.push(n.seqNumber);
      if (this.awaitingAck.has(n.seqNumber)) continue;
      this.awaitingAck.set(n.seqNumber, key);
      void link.whenAcknowledged(key).then(() => {
        this.awaitingAck.delete(n.seqNumber);
        this.acknowledged.add(n.seqNumber);
        this.logger.info({ key }, 'eSIM notification acknowledged by the platform');
        if (!this.stopped) void this.deliverNotifications().catch(() => undefined);
      });
    }
    const present = new Set(pending.map((n) => n.seqNumber));
    for (const seq of [...this.acknowledged]) {
      if (!present.has(seq)) {
        this.acknowledged.delete(seq);
        continue;
      }
      // SGP.22 §5.7.10 NotificationSent: only now, after the platform's end-to-end ack.
      const answer = await this.lpa().removeNotification(seq);
      this.acknowledged.delete(seq);
      report.removed.push(seq);
      this.logger.info({ seqNumber: seq, result: answer.result }, 'notification removed from the eUICC');
    }
    return report;
  }

  /** Whether a notification goes to the platform (MQTT) rather than to the SM-DP+ it names. */
  private forPlatform(notificationAddress: string): boolean {
    return notificationGoesToPlatform(notificationAddress, this.platformSmdp);
  }

  /**
   * SGP.22 §3.5 / ES9+ HandleNotification at the notification's own SM-DP+ (outside the ES10
   * queue: a slow server never holds up the card). Accepted: marked acknowledged, and the next
   * pass removes it from the card. Refused or unreachable (after the client's retries with
   * backoff): it stays on the card and the pass retries every `deliveryRetryMs`.
   */
  private handToSmdp(n: PendingNotification): void {
    const seq = n.seqNumber;
    this.directInFlight.add(seq);
    let es9: Es9Client | undefined;
    const sent = (async () => {
      es9 = this.es9();
      await es9.call(n.notificationAddress, 'handleNotification', { pendingNotification: n.base64 });
    })();
    sent
      .then(
        () => {
          this.directInFlight.delete(seq);
          this.directRetries.delete(seq);
          this.acknowledged.add(seq);
          this.logger.info({ seqNumber: seq, operation: n.event, smdp: n.notificationAddress }, 'eSIM notification accepted by its SM-DP+ (ES9+ HandleNotification)');
          if (!this.stopped) void this.deliverNotifications().catch(() => undefined);
        },
        (error: unknown) => {
          this.directInFlight.delete(seq);
          const before = this.directRetries.get(seq) ?? { failures: 0, refusals: 0, nextAt: 0 };
          const refused = error instanceof Es9Error && error.kind === 'failed';
          const failures = before.failures + 1;
          const refusals = before.refusals + (refused ? 1 : 0);
          if (refusals >= this.config.directNotificationAttempts) {
            // A server that keeps answering Failed will not change its mind: stop, keep it on the card, say so once.
            this.directRetries.delete(seq);
            this.abandoned.add(seq);
            this.logger.warn({ seqNumber: seq, operation: n.event, smdp: n.notificationAddress, refusals, err: error }, 'ES9+ HandleNotification refused too many times: the notification stays on the eUICC and is no longer offered');
            return;
          }
          // Exponential backoff with a cap (a refusal and an unreachable server alike).
          const delay = Math.min(this.config.deliveryRetryMaxMs, this.config.deliveryRetryMs * 2 ** (failures - 1));
          this.directRetries.set(seq, { failures, refusals, nextAt: this.options.clock.now() + delay });
          this.logger.warn({ seqNumber: seq, operation: n.event, smdp: n.notificationAddress, err: error, retryInMs: delay }, 'ES9+ HandleNotification failed: the notification stays on the eUICC; retrying later');
          this.scheduleRetry(true, delay);
        },
      )
      .finally(() => es9?.close());
  }

  /**
   * One timer for the next pass: after `delayMs` when a pass failed or acks are awaited, and at the
   * earliest backoff end of a notification for another SM-DP+.
   */
  private scheduleRetry(failed = false, delayMs = this.config.deliveryRetryMs): void {
    if (this.stopped) return;
    const now = this.options.clock.now();
    const due = [...this.directRetries.values()].map((r) => r.nextAt);
    if (failed || this.awaitingAck.size > 0 || this.acknowledged.size > 0) due.push(now + delayMs);
    if (due.length === 0) return;
    const at = Math.min(...due);
    if (this.retryTimer) {
      if (this.retryAt <= at) return;
      this.options.clock.clearTimeout(this.retryTimer);
    }
    this.retryAt = at;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.deliverNotifications().catch(() => undefined);
    }, Math.max(0, at - now));
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private async afterOperation<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } finally {
      if (!this.stopped) void this.deliverNotifications().catch(() => undefined);
    }
  }

  private run<T>(job: Job<T>): Promise<T> {
    const result = this.queue.then(job, job);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private channel(): AtChannel {
    const channel = this.options.channel();
    if (!channel || !channel.isOpen) throw new LpaError('LPA_TRANSPORT', 'no AT channel: the modem port is not open');
    return channel;
  }

  private lpa(): LpaClient {
    const channel = this.channel();
    if (this.client?.channel !== channel) {
      this.euicc = undefined;
      this.eidCache = undefined;
      const transport = new AtApduTransport(channel, {
        mode: this.config.transportMode,
        apduTimeoutMs: this.config.apduTimeoutMs,
        onRecovery: (what) => this.logger.warn(what),
        // Only a card known to have an ISD-R is worth a SIM power cycle.
        powerCycle: async () => {
          if (this.euicc !== 'present') throw new LpaError('LPA_NO_FREE_CHANNEL', 'no free logical channel and no known eUICC: no SIM power cycle');
          await channel.send(at.radio(false));
          await channel.send(at.radio(true));
        },
      });
      this.client = { channel, lpa: new LpaClient(transport, { segmentSize: this.config.segmentSize }) };
    }
    return this.client.lpa;
  }

  private async readEid(): Promise<string> {
    this.eidCache ??= await this.lpa().getEid();
    return this.eidCache;
  }
}

/**
 * Whether a notification naming `address` goes to the platform over MQTT rather than to that
 * SM-DP+ over ES9+: when the platform's SM-DP+ addresses are unknown (`platformSmdp` empty), when
 * it is one of them, and when the address is under `.invalid` (RFC 6761 §6.4: never resolves, so no
 * ES9+ server can be there — profiles loaded before the card met any SM-DP+, like the simulator's
 * factory profiles, name one; the platform, which knows its cards' profiles, takes those).
 */
export function notificationGoesToPlatform(address: string, platformSmdp: ReadonlySet<string>): boolean {
  const normalised = normaliseSmdpAddress(address);
  return platformSmdp.size === 0 || platformSmdp.has(normalised) || /(^|\.)invalid(:\d+)?$/.test(normalised);
}

/** SM-DP+ addresses compare case-insensitively, without a trailing dot or the default port 443. */
export function normaliseSmdpAddress(address: string): string {
  return address.trim().toLowerCase().replace(/\.$/, '').replace(/\.?:443$/, '');
}

function refused(answer: Es10Result<string>): SwitchOutcome {
  return { ok: false, result: answer.result, code: answer.code };
}

function toMessage(eid: string, n: PendingNotification): Omit<EsimNotification, 'v' | 'key' | 'deviceId' | 'createdAt'> {
  return {
    eid,
    seqNumber: n.seqNumber,
    operation: n.event,
    ...(n.iccid !== undefined ? { iccid: n.iccid } : {}),
    notificationAddress: n.notificationAddress,
    pendingNotification: n.base64,
  };
}

/** The ICCID commands the known dialects use (`AT+CCID`, `AT+QCCID`), each once. */
function iccidCommands(): AtCommand<string>[] {
  const seen = new Map<string, AtCommand<string>>();
  for (const d of dialects) if (!seen.has(d.iccid.text)) seen.set(d.iccid.text, d.iccid);
  return [...seen.values()];
}

/** The card has no ISD-R: SELECT answered 6A82, or the module refused AT+CCHO with a CME error. */
function isNoEuicc(error: unknown): boolean {
  if (error instanceof LpaError && error.code === 'LPA_ISDR_NOT_FOUND') return true;
  return error instanceof LpaError && error.code === 'LPA_TRANSPORT' && error.cause instanceof AtCmeError && error.cause.cmeCode !== 20 && /AT\+CCHO=/.test(error.message);
}

/** Whether an error came from the AT layer (port gone, timeout) rather than the card. */
export function isTransportFailure(error: unknown): boolean {
  return error instanceof AtError || (error instanceof LpaError && error.code === 'LPA_TRANSPORT');
}
