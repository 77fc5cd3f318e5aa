/**
 * The attach / session state machine (agent/session): a pure transition function, a reconnect
 * policy, and the driver that runs them against an AT channel.
 */
export * from './machine.js';
export * from './reconnect-policy.js';
export * from './session-config.js';
export * from './session-driver.js';
export { Counters } from './counters.js';
