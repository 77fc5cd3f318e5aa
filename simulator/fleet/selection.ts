/**
 * Deterministic draws for a fleet: each gateway's attributes depend only on (seed, index), so a
 * shard draws exactly what the whole fleet would have drawn for its slice.
 */
import { seededRandom } from '../seeded-random.js';
import type { GatewaySpec } from './gateway-factory.js';
import type { FleetDialect, InitialStatus, LatencyProfile, Scenario, TimelineEvent } from './scenario.js';

/** Picks a key of `weights` with probability proportional to its weight. */
export function pickWeighted(weights: Record<string, number>, random: () => number): string {
  const entries = Object.entries(weights);
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let r = random() * total;
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** `count` distinct items of `items`, chosen by a seeded shuffle. */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = [...items];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** Draws gateway `index` of the fleet (same draw in every shard). */
export function drawGateway(scenario: Scenario, index: number): Omit<GatewaySpec, 'imsi' | 'iccid'> {
  const random = seededRandom(scenario.seed * 1_000_003 + index);
  const g = scenario.gateways;
  return {
    index,
    dialect: pickWeighted(g.dialects, random) as FleetDialect,
    latency: pickWeighted(g.latency, random) as LatencyProfile,
    plan: pickWeighted(g.plans, random),
    initialStatus: pickWeighted(g.initialStatus, random) as InitialStatus,
    region: pickWeighted(g.regions, random),
  };
}

/** Gateway `index` of `count` holds an eUICC: `esim` of them, spread evenly, the same in every shard. */
export function isEsimGateway(index: number, count: number, esim: number): boolean {
  return esim > 0 && Math.floor(((index + 1) * esim) / count) > Math.floor((index * esim) / count);
}

/** The seeded draw of an event's targets (its index keeps two events' draws apart). */
export function eventRandom(scenario: Scenario, event: TimelineEvent): () => number {
  return seededRandom(scenario.seed * 7919 + event.index + 1);
}

/** Which fleet indices shard `index` of `count` (1-based) runs: every `count`-th gateway. */
export function shardIndices(total: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < total; i += shard.count) out.push(i);
  return out;
}

/** The fleet indices this process runs: one shard's, or all `total`. */
export function indicesOf(total: number, shard?: { index: number; count: number }): number[] {
  return shard ? shardIndices(total, shard) : [...Array(total).keys()];
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n (got ${JSON.stringify(text)})`);
  return { index, count };
}
