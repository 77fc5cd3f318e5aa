/**
 * Repetition and machine context for every benchmark (the leading underscore keeps run-all from
 * running it): each figure is measured `REPEATS` times (≥ 3), printed as min / median, and the
 * machine's load (`/proc/loadavg`) is printed before and after, so a figure taken on a busy
 * machine says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Repeats per figure: `BENCH_REPEATS` (at least 3), default 3. */
export const REPEATS = Math.max(3, Number(process.env.BENCH_REPEATS ?? 3) || 3);

/** The 1, 5 and 15-minute load averages (`/proc/loadavg`), or `n/a` off Linux. */
export function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** One line naming the machine and its load; call at the start and at the end of a bench. */
export function printMachine(when: 'start' | 'end'): void {
  console.log(`  [${when}] node ${process.version}, ${availableParallelism()} cores, loadavg ${loadavg()}`);
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  values: number[];
}

/** Min / median / max of a sample (the median of an even count is the mean of the middle two). */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]!, values: [...values] };
}

/** `min 1.20 / median 1.31` with `digits` decimals and a unit. */
export function mm(s: Spread, unit = '', digits = 1): string {
  return `min ${s.min.toFixed(digits)}${unit} / median ${s.median.toFixed(digits)}${unit}`;
}

/** Spreads of each numeric field over a list of samples. */
export function spreads<K extends string>(samples: ReadonlyArray<Record<K, number>>, keys: readonly K[]): Record<K, Spread> {
  return Object.fromEntries(keys.map((k) => [k, spread(samples.map((s) => s[k]))])) as Record<K, Spread>;
}

/**
 * Runs `node --expose-gc <script> ...args` in a child process and returns the JSON object of the
 * last line of its stdout. A fresh process per sample keeps one sample's heap out of another's.
 */
export function childSample<T>(script: string, args: readonly string[], nodeArgs: readonly string[] = []): T {
  const r = spawnSync(process.execPath, ['--expose-gc', ...nodeArgs, script, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`child ${script} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error?.message}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/**
 * Forces a full collection (the benches run with `--expose-gc`) and returns what is live after
 * it: `live` = JS heap used + memory outside the heap (`external`: buffers, native objects such
 * as SQLite connections), and the process RSS. RSS rarely shrinks after a GC (freed pages stay
 * mapped), so a per-object cost reads better from `live`.
 */
export function memoryAfterGc(): { live: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { live: m.heapUsed + m.external, rss: m.rss };
}
