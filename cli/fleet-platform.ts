/** How a fleet run starts its platform (in process, or in the coordinator of shard processes). */
import type { Clock } from '../common/clock.js';
import type { StartPlatformOptions } from '../platform/index.js';
import type { Scenario } from '../simulator/fleet/index.js';

export function fleetPlatformOptions(scenario: Scenario, clock: Clock, virtual: boolean, dataDir: string): StartPlatformOptions {
  return {
    dataDir,
    clock,
    http: { port: 0 },
    // [choice] Device secrets are 256-bit random: PBKDF2 stretching adds nothing to them, and
    // 10 000 registrations × 10 000 iterations cost over a minute of CPU (docs/fleet.md).
    mqttPasswordIterations: 1_000,
    config: {
      ...(scenario.platform.sessionIdleTimeoutMs !== undefined ? { sessionIdleTimeoutMs: scenario.platform.sessionIdleTimeoutMs } : {}),
      // [choice] On the wall clock an eSIM order would take 5 s + 10 s per profile; a soak run need not wait.
      ...(virtual ? {} : { esimProvisioningStartDelayMs: 200, esimProvisioningPerProfileMs: 50 }),
    },
  };
}
