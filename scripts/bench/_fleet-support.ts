/** Shared by the fleet benchmarks (the leading underscore keeps run-all from running it). */
import { validateScenario, type Scenario } from '../../simulator/fleet/index.js';

/** A fleet with no timeline: everyone cold-starts and stays up. */
export function plainFleet(name: string, gateways: number, duration: string, extra: Record<string, unknown> = {}): Scenario {
  return validateScenario(
    {
      name,
      duration,
      gateways: { count: gateways, dialects: { bg96: 4, bg95: 2, sim7080: 3, generic: 1 }, latency: { zero: 1 }, plans: { plan01s: 1 }, trafficBytesPerHour: 20_000 },
      agent: { link: true, statusIntervalMs: '6h', liveness: { intervalMs: '6h' } },
      modem: { usageReportIntervalMs: '6h' },
      platform: { sessionIdleTimeoutMs: '12h' },
      expect: { online: 'all', agentCrashes: 0 },
      ...extra,
    },
    name,
  );
}

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Positive integer argument `index` of argv, or the default. */
export function intArg(index: number, fallback: number): number {
  const raw = process.argv[2 + index];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`bad argument ${JSON.stringify(raw)}: expected a positive number`);
    process.exit(2);
  }
  return n;
}
