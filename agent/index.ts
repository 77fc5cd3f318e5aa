/** The device agent: composition, configuration, and the parts beneath. */
export { createAgent, type Agent, type AgentOptions } from './agent.js';
export { loadConfig, resolveConfig, readConfigFile, flagNames, ConfigError, type AgentConfig, type ConfigSources } from './config.js';
export type { SessionStatus, StateChange } from './session/session-driver.js';
