/** Public entry of the fleet runner engine (docs/fleet.md). */
export { runFleet, type FleetPlatform, type RunFleetOptions } from './fleet-runner.js';
export type { EsimDownloadKit } from './provisioning.js';
export type { GatewayFactory, GatewayHost, GatewaySpec, HostInput, HostDelivery, HostLink, HostStateChange } from './gateway-factory.js';
export { parseScenario, validateScenario, ScenarioError, type Scenario, type TimelineEvent, type Expectations } from './scenario.js';
export { formatSummary, mergeReports, checkExpectations, finishReport, percentile, type FleetReport, type ExpectationResult, type ShardResult } from './report.js';
export { renderHtmlReport } from './report-html.js';
export { renderJunitReport } from './report-junit.js';
export { createProgress, silentProgress, type FleetProgress } from './progress.js';
export { parseShard, shardIndices } from './selection.js';
export { parseDuration, formatDuration } from './duration.js';
export { VirtualTimeDriver, RealTimeDriver, ActivityMeter, meteredClock, type TimeDriver } from './time-driver.js';
export { OperatorClient, ApiError } from './operator-client.js';
export { BarrierCoordinator, BarrierTimeDriver, joinBarrier, type BarrierClient } from './barrier.js';
