/**
 * Every number the session machine uses, with its default (docs/agent.md lists them all).
 */
import type { ApnSettings, DialectId, RatPreference } from '../modem/dialects.js';
import { defaultReconnectConfig, type ReconnectConfig } from './reconnect-policy.js';

export interface SessionTimings {
  /** `AT` probes before the module counts as not answering at sync. */
  syncAttempts: number;
  /** Timeout of each sync probe, ms. */
  syncTimeoutMs: number;
  /** How long to wait for `+CPIN: READY`, ms. */
  simTimeoutMs: number;
  simPollMs: number;
  /** How long to wait for `+CEREG` 1/5 before the attempt counts as failed, ms. */
  registrationTimeoutMs: number;
  /** Slow fallback poll of `AT+CEREG?` while waiting for the URC, ms. */
  registrationPollMs: number;
  /** Reads of the session address after activation before giving up. */
  addressPolls: number;
  addressPollMs: number;
  /** Radio off time of a radio cycle (`AT+CFUN=0` → `AT+CFUN=1`), ms. */
  radioOffMs: number;
  /** How long a reset module may take to print its boot URC, ms. */
  resetBootTimeoutMs: number;
  /** For modules without a boot URC: how long to let a reset module go down before polling `AT`, ms. */
  resetSettleMs: number;
  /** How long to wait for the serial device (or TCP server) to come back, ms. */
  portOpenTimeoutMs: number;
  portRetryMs: number;
  /** Timeout of the polite deactivation at shutdown, ms. */
  shutdownTimeoutMs: number;
}

export interface LivenessConfig {
  /** Period of the liveness probe (`AT+CSQ`, which also refreshes the signal), ms. */
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive probe timeouts that make the module "unresponsive". */
  maxMisses: number;
}

export interface SessionConfig {
  apn: ApnSettings;
  rat: RatPreference;
  /** `auto` picks the profile from `AT+CGMM` / `ATI`. */
  dialect: DialectId | 'auto';
  /** `AT+CEREG=3` adds reject causes to the URC; `2` for modules that lack it. */
  ceregMode: 2 | 3;
  timings: SessionTimings;
  liveness: LivenessConfig;
  reconnect: ReconnectConfig;
}

export const defaultSessionTimings: SessionTimings = {
  syncAttempts: 10,
  syncTimeoutMs: 1_000,
  simTimeoutMs: 20_000,
  simPollMs: 1_000,
  registrationTimeoutMs: 180_000,
  registrationPollMs: 30_000,
  addressPolls: 5,
  addressPollMs: 1_000,
  radioOffMs: 2_000,
  resetBootTimeoutMs: 30_000,
  resetSettleMs: 3_000,
  portOpenTimeoutMs: 60_000,
  portRetryMs: 1_000,
  shutdownTimeoutMs: 5_000,
};

export const defaultLiveness: LivenessConfig = { intervalMs: 30_000, timeoutMs: 5_000, maxMisses: 3 };

export const defaultSessionConfig: SessionConfig = {
  apn: { apn: 'soracom.io', user: 'sora', password: 'sora', auth: 'chap' },
  rat: 'lte-m',
  dialect: 'auto',
  ceregMode: 3,
  timings: defaultSessionTimings,
  liveness: defaultLiveness,
  reconnect: defaultReconnectConfig,
};
