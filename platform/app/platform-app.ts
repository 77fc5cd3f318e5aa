import type { Logger } from 'pino';
import { RealClock, type Clock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import type { PlatformStore } from '../store/port.js';
import { TokenCache } from './token-cache.js';
import { DEFAULT_PLATFORM_CONFIG, cryptoRandom, type AppContext, type PlatformConfig, type RandomSource } from './context.js';
import { ClockControl } from './clock-control.js';
import { PlatformNetworkGate } from './network-gate.js';
import { Scheduler } from './scheduler.js';
import { registerSubscriberJobs } from './subscriber-jobs.js';
import { registerBillingJobs } from './billing-jobs.js';
import { registerEsimJobs } from './esim-orders.js';
import { registerReadyTransferJobs } from './ready-transfers.js';
import { registerSupportTransferJobs } from './support-transfers.js';

export interface PlatformAppOptions {
  store: PlatformStore;
  clock?: Clock;
  /**
   * The clock of transport timers and of stamps devices compare with their own clocks (command
   * timeouts and expiry, stream heartbeats, broker reconnects). Defaults to `clock`; a platform
   * whose rules run on a virtual clock moved by hand passes the wall clock here.
   */
  ioClock?: Clock;
  logger?: Logger;
  random?: RandomSource;
  config?: Partial<PlatformConfig>;
}

/** The wired platform core: context for use cases, scheduler and network gate. */
export interface PlatformApp {
  ctx: AppContext;
  scheduler: Scheduler;
  gate: PlatformNetworkGate;
  /** Reads and moves the virtual clock (`/_cellgate/clock`). */
  clockControl: ClockControl;
  /** Starts time-driven work (runs what fell due while stopped). */
  start(): void;
  stop(): Promise<void>;
}

export function createPlatformApp(options: PlatformAppOptions): PlatformApp {
  const clock = options.clock ?? new RealClock();
  const logger = options.logger ?? silentLogger();
  const scheduler = new Scheduler(clock, options.store, logger);
  const config = { ...DEFAULT_PLATFORM_CONFIG, ...options.config };
  const ctx: AppContext = {
    store: options.store,
    clock,
    ioClock: options.ioClock ?? clock,
    scheduler,
    random: options.random ?? cryptoRandom,
    logger,
    config,
    listeners: new Set(),
    tokens: new TokenCache(config.tokenCacheTtlMs),
  };
  if (options.store.shared) shareTokenCache(ctx);
  registerSubscriberJobs(ctx);
  registerReadyTransferJobs(ctx);
  registerSupportTransferJobs(ctx);
  registerEsimJobs(ctx);
  // Loads the fee schedules (throws on a bad configured one) and registers the month close.
  registerBillingJobs(ctx).catch((error: unknown) => logger.error({ err: error }, 'billing jobs failed to register'));
  return {
    ctx,
    scheduler,
    gate: new PlatformNetworkGate(ctx),
    clockControl: new ClockControl(clock, scheduler, options.store),
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  };
}

const TOKEN_CHANNEL = 'token-cache';

/**
 * Several processes share the store: a logout or a SAM change in one process drops the cached
 * token in every other at once (NOTIFY after a commit), not only after the cache's TTL.
 */
function shareTokenCache(ctx: AppContext): void {
  ctx.tokens.onForget = (what) => {
    ctx.store.transaction(async (tx) => tx.notify(TOKEN_CHANNEL, what)).catch((error: unknown) => ctx.logger.warn({ err: (error as Error).message }, 'token forget not sent to the other processes'));
  };
  ctx.store.listen(TOKEN_CHANNEL, (what) => ctx.tokens.receive(what)).catch((error: unknown) => ctx.logger.error({ err: (error as Error).message }, 'token cache not listening'));
}
