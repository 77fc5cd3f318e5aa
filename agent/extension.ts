/**
 * The extension seam of the agent: parts (the LPA, ...) that join a running agent once its
 * platform link exists.
 */
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { AgentConfig } from './config.js';
import type { AgentLink } from './link/agent-link.js';
import type { SessionDriver } from './session/session-driver.js';

/** What an extension (the LPA, ...) gets to work with. */
export interface AgentExtensionContext {
  readonly driver: SessionDriver;
  /** The platform link, when one is configured. */
  readonly link: AgentLink | undefined;
  readonly deviceId: string | undefined;
  readonly config: AgentConfig;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * A part that joins the agent once its link exists (or at start, without a link): registers
 * command handlers, listens to state changes, uses `driver.atChannel`. Returns its own stopper,
 * run at shutdown before the link closes (so what it still sends reaches the outbox).
 */
export interface AgentExtension {
  readonly name: string;
  start(context: AgentExtensionContext): void | (() => Promise<void> | void);
}
