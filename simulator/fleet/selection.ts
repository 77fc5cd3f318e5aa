/**
 * Deterministic draws for a fleet: each gateway's attributes depend only on (seed, index), so a
 * shard draws exactly what the whole fleet would have drawn for its slice.
 */


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

/** Which fleet indices shard `index` of `count` (1-based) runs: every `count`-th gateway. */
export function shardIndices(total: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < total; i += shard.count) out.push(i);
  return out;
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n (got ${JSON.stringify(text)})`);
  return { index, count };
}
