/**
 * The agent's composition: the AT channel (serial device, `tcp://` serial server, or an injected
 * serialport binding) under the session machine. Later parts (the MQTT link, the LPA, the health
 * endpoint) attach to `status()`, `metrics()`, `onStateChange()` and `atChannel`.
 */
// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { RealClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/log.js';
import { openChannel } from './at/index.js';
import type { AtChannel } from './at/types.js';
import type { AgentConfig } from './config.js';
import { SessionDriver, type SessionStatus, type StateChange } from './session/session-driver.js';

export interface AgentOptions {
  config: AgentConfig;
  clock?: Clock;
  logger?: Logger;
  /** A serialport binding (the simulator's in-process binding, or the mock in unit tests). */
  binding?: BindingInterface;
  /** Random source of the backoff jitter. */
  random?: () => number;
  /** Replaces how the channel is opened (tests). */
  openChannel?: () => Promise<AtChannel>;
}

export interface Agent {
  /** Starts attaching; the session then stays up (and recovers) until `stop()`. */
  start(): void;
  /** Deactivates the data session politely and closes the port. */
  stop(): Promise<void>;
  status(): SessionStatus;
  metrics(): Readonly<Record<string, number>>;
  onStateChange(listener: (change: StateChange) => void): () => void;
  readonly atChannel: AtChannel | undefined;
}

export function createAgent(options: AgentOptions): Agent {
  const clock = options.clock ?? new RealClock();
  const logger = options.logger ?? silentLogger();
  const { config } = options;
  const atLogger = logger.child({ component: 'at' });
  const open =
    options.openChannel ??
    (() => openChannel({ port: config.port, baudRate: config.baudRate, binding: options.binding, clock, logger: atLogger }));
  const driver = new SessionDriver({
    openChannel: open,
    config: config.session,
    clock,
    logger: logger.child({ component: 'session', port: config.port }),
    ...(options.random ? { random: options.random } : {}),
  });
  return {
    start: () => driver.start(),
    stop: () => driver.stop(),
    status: () => driver.status(),
    metrics: () => driver.metrics(),
    onStateChange: (listener) => driver.onStateChange(listener),
    get atChannel() {
      return driver.atChannel;
    },
  };
}
