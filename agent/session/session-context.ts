/**
 * What the step executors and the loss watch share with the driver: the port, what is known of
 * the module, the facts for `status()`, the counters, and the settings in force.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { Dialect } from '../modem/dialects.js';
import type { Registration, RegistrationDomain } from '../modem/registration.js';
import type { Counters } from './counters.js';
import type { ModemPort } from './modem-port.js';
import type { SessionConfig } from './session-config.js';
import type { SessionFacts } from './session-status.js';

/** What must be learnt again after the module restarts. */
export interface ModemMemory {
  /** Picked at identify; undefined until the module has been identified once. */
  dialect: Dialect | undefined;
  /** The module rebooted or lost its SIM outside an attempt: the next one must start from sync. */
  needsResync: boolean;
  /**
   * The registration reports in use (the dialect's, less those the module refused at configure),
   * and the latest state each reported: `effectiveRegistration` decides from them.
   */
  domains: RegistrationDomain[];
  /** `ATE0` took effect: from now on an echoed command means the module reset its settings. */
  echoOff: boolean;
  registrations: Partial<Record<RegistrationDomain, Registration>>;
}

export interface SessionContext {
  readonly port: ModemPort;
  readonly modem: ModemMemory;
  readonly facts: SessionFacts;
  readonly counters: Counters;
  readonly clock: Clock;
  readonly log: Logger;
  /** Read at each use: `applySettings` replaces it. */
  readonly config: SessionConfig;
}
