import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../common/clock.js';
import { DEFAULT_SESSION_IDLE_TIMEOUT_MS } from '../domain/session.js';
import { DEFAULT_TERMINATED_RETENTION_MS } from '../domain/status-rules.js';
import type { DomainEvent } from '../domain/events.js';
import type { CoverageType } from '../domain/ids.js';
import { DEFAULT_CALENDAR_SPECS, type CalendarSpec } from '../domain/transfer/calendar-config.js';
import type { PlatformStore, StoreTx } from '../store/port.js';
import { TokenCache } from './token-cache.js';
import type { Scheduler } from './scheduler.js';
import type { SmdpPort, SmdsEs12Port } from './smdp-port.js';

/** Cryptographically strong randomness; injectable so tests can make ids reproducible. */
export interface RandomSource {
  bytes(n: number): Buffer;
}

export const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

export interface PlatformConfig {
  /** Session idle timeout [choice: default 1 hour]. */
  sessionIdleTimeoutMs: number;
  /** How long terminated subscribers stay listed [choice: default 30 days]. */
  terminatedRetentionMs: number;
  /** Default and maximum API token lifetime (reference `AuthRequest.tokenTimeoutSeconds`). */
  defaultTokenTimeoutSeconds: number;
  maxTokenTimeoutSeconds: number;
  /**
   * Directory holding `g.json` and `jp.json` fee schedules (docs/billing.md); absent → the shipped
   * `platform/fees/`. CLI `--fee-schedule-dir`, env `CELLGATE_FEE_SCHEDULE_DIR`.
   */
  feeScheduleDir?: string;
  /**
   * Business calendar per coverage type (SPEC §1.4 [choice], docs/transfers-and-esim.md): the
   * time zone the 5 business days, the 25th and the transfer's 00:00 are judged in, and the
   * holidays. Defaults: `jp` Asia/Tokyo with Japanese public holidays and 12-29..01-03; `g` UTC
   * with 01-01 and 12-25. CLI `--config`, `--time-zone-<cov>`, `--holidays-<cov>`.
   */
  businessCalendars: Record<CoverageType, CalendarSpec>;
  /** Sender of the platform's short messages to SIMs (docs/sms.md) [choice: the short code `900100`]. */
  smsOriginator: string;
  /** SM-DP+ address of eSIM profiles (activation code `LPA:1$<smdp>$<matchingId>`). */
  smdpAddress: string;
  /** The platform's SM-DS address (ES11, docs/smdp.md#sm-ds), the root SM-DS simulated cards are configured with. */
  smdsAddress: string;
  /** Emulated eSIM provisioning delays [choice: 5 s, then 10 s per profile]. */
  esimProvisioningStartDelayMs: number;
  esimProvisioningPerProfileMs: number;
  /** How long a verified API token is trusted without reading the store again [choice: 1 s; 0 turns the cache off]. */
  tokenCacheTtlMs: number;
}

export const DEFAULT_PLATFORM_CONFIG: PlatformConfig = {
  sessionIdleTimeoutMs: DEFAULT_SESSION_IDLE_TIMEOUT_MS,
  terminatedRetentionMs: DEFAULT_TERMINATED_RETENTION_MS,
  defaultTokenTimeoutSeconds: 86_400,
  maxTokenTimeoutSeconds: 172_800,
  businessCalendars: { g: DEFAULT_CALENDAR_SPECS.g, jp: DEFAULT_CALENDAR_SPECS.jp },
  smsOriginator: '900100',
  smdpAddress: 'smdp.cellgate.local',
  smdsAddress: 'smds.cellgate.local',
  esimProvisioningStartDelayMs: 5_000,
  esimProvisioningPerProfileMs: 10_000,
  tokenCacheTtlMs: 1_000,
};

/** Durable event streams (store streams) other parts read with `readStream(stream, {afterSeq})`. */
export const STREAMS = {
  /** `StatusChange` records, key = IMSI: what billing rates basic fees from. */
  statusHistory: 'status-history',
  /** `FeeIncurred` records (reactivation, suspension), key = IMSI. */
  fees: 'fees',
  /** `SessionEventRecord`s, key = IMSI (listSessionEvents). */
  sessionEvents: 'session-events',
  /** `UsageRecord`s from the network gate and the sandbox stats API, key = IMSI. */
  usage: 'usage',
  /** `TransferDropOut` records, key = IMSI. */
  transferDropOuts: 'transfer-drop-outs',
  /** `session-delete-ordered` events, key = IMSI: replayed to a remote radio side (network SSE). */
  sessionDeleteOrders: 'session-delete-orders',
  /** `sms-deliver-ordered` events, key = IMSI: replayed to a remote radio side (network SSE). */
  smsDeliverOrders: 'sms-deliver-orders',
} as const;

/** A data usage record for billing (bytes per speed class at a time). */
export interface UsageRecord {
  imsi: string;
  operatorId: string;
  coverageType: string;
  subscription: string;
  speedClass: string;
  uplinkBytes: number;
  downlinkBytes: number;
  at: number;
  source: 'network' | 'sandbox';
}

export type EventListener = (event: DomainEvent) => void;

/** Everything a use case needs, injected. */
export interface AppContext {
  store: PlatformStore;
  clock: Clock;
  /** Transport timers and device-facing stamps (`PlatformAppOptions.ioClock`); usually `clock`. */
  ioClock: Clock;
  scheduler: Scheduler;
  random: RandomSource;
  logger: Logger;
  config: PlatformConfig;
  /** Listeners notified after a use case committed (never inside the transaction). */
  listeners: Set<EventListener>;
  /** The SM-DP+, once started (it verifies the signed notifications of the profiles it delivered). */
  smdp?: SmdpPort;
  /** The SM-DS's ES12 side (RegisterEvent / DeleteEvent), once started: the SM-DP+ announces bound profiles there. */
  smds?: SmdsEs12Port;
  /** Verified API tokens, briefly (see `TokenCache` for why that is safe across processes). */
  tokens: TokenCache;
}

const STREAM_OF: Record<DomainEvent['type'], string | null> = {
  'status-changed': STREAMS.statusHistory,
  'fee-incurred': STREAMS.fees,
  'session-event': STREAMS.sessionEvents,
  'transfer-drop-out': STREAMS.transferDropOuts,
  'session-delete-ordered': STREAMS.sessionDeleteOrders,
  'sms-deliver-ordered': STREAMS.smsDeliverOrders,
  // Billing sees the new owner through the `status-changed` record of the same instant (the
  // transfer use cases emit one with the destination's operatorId); this event is for listeners.
  'ownership-changed': null,
  'stored-data-delete-ordered': null,
  'event-handlers-reset-ordered': null,
  'esim-profile-status-changed': null,
  'esim-profile-deleted-sim-not-terminated': null,
};

/** Collects a use case's domain events; they are persisted in its transaction. */
export type Emit = (events: DomainEvent[]) => Promise<void>;

/**
 * Runs one use case in one store transaction: domain events it emits are appended to their
 * streams in the same transaction and published to listeners once it committed.
 */
export async function useCase<T>(ctx: AppContext, fn: (tx: StoreTx, emit: Emit) => Promise<T>): Promise<T> {
  let published: DomainEvent[] = [];
  const result = await ctx.store.transaction(async (tx) => {
    // A shared store may run this again after a conflict: only the last attempt's events count.
    published = [];
    const emit: Emit = async (events) => {
      for (const e of events) {
        const stream = STREAM_OF[e.type];
        if (stream) await tx.append(stream, e.imsi, 'at' in e ? e.at : 'time' in e ? e.time : ctx.clock.now(), e);
        // Wakes the radio sides following delete orders, in every process sharing the store.
        if (e.type === 'session-delete-ordered') tx.notify(STREAMS.sessionDeleteOrders, e.imsi);
        if (e.type === 'sms-deliver-ordered') tx.notify(STREAMS.smsDeliverOrders, e.imsi);
        published.push(e);
      }
    };
    return fn(tx, emit);
  });
  for (const e of published) {
    for (const l of ctx.listeners) {
      try {
        l(e);
      } catch (error) {
        ctx.logger.error({ err: error, event: e.type }, 'event listener failed');
      }
    }
  }
  return result;
}
