/**
 * The heap cap of `cellgate fleet` (docs/fleet.md, "Memory"): a fleet process runs with V8's old
 * generation capped to a size fitted to its gateways, unless the user chose a cap.
 *
 * Why: a 10 000-gateway run keeps ≈ 0.7 GiB live, but bursts (a coverage loss reconnecting
 * thousands of gateways at once) leave garbage the collector reaches late; uncapped, V8 lets
 * the heap grow to 1.8–2.1 GiB before collecting it. With the cap it collects earlier for the
 * same CPU (docs/benchmarks.md, P1) and the whole run stays under 1.5 GB.
 *
 * [choice] The cap can only be set when the process starts (V8 sizes its heap then), so the
 * command re-executes itself once with `--max-old-space-size` added; a cap (or any of V8's heap
 * size flags) given by the user on the command line or in `NODE_OPTIONS` wins and nothing is
 * re-executed, and `CELLGATE_FLEET_HEAP=off` turns the re-execution off.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

/**
 * Set in the re-executed child to `<parent pid> <flag>`, so it never re-executes again; `off` turns
 * re-execution off. Processes the child spawns in turn (`--workers` shards) see a pid that is not
 * their parent's and size their own cap.
 */
const MARK = 'CELLGATE_FLEET_HEAP';

/** The flag this process was re-executed with (its parent set the mark), if it was. */
function rerunFlag(env: NodeJS.ProcessEnv): string | undefined {
  const [pid, flag] = (env[MARK] ?? '').split(' ');
  return flag !== undefined && Number(pid) === process.ppid ? flag : undefined;
}

/** Flags that size V8's old generation; when the user gave one, the fleet keeps it. */
const USER_HEAP_FLAG = /--max[-_]old[-_]space[-_]size|--max[-_]heap[-_]size/;

/**
 * The old-generation cap for a process running `gateways` gateways, MiB: 256 MiB for the
 * platform and the code, 85 KiB per gateway (63–74 KiB live per linked gateway after a GC plus
 * room for a reconnect storm), never under 1 GiB (small fleets never come near it, and a cap
 * only ever costs when it is reached).
 */
export function fleetHeapCapMiB(gateways: number): number {
  return Math.max(1024, Math.ceil(256 + (gateways * 85) / 1024));
}

/** The node flag to add, or undefined when the process already has a cap (or must not be re-run). */
export function heapFlagToAdd(gateways: number, execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[MARK] === 'off' || rerunFlag(env) !== undefined) return undefined;
  if (execArgv.some((a) => USER_HEAP_FLAG.test(a)) || USER_HEAP_FLAG.test(env.NODE_OPTIONS ?? '')) return undefined;
  return `--max-old-space-size=${fleetHeapCapMiB(gateways)}`;
}

/**
 * Runs this same command again in a child node process with the heap cap, stdio shared, and
 * resolves with its exit code (signals sent to this process are passed on). Resolves undefined
 * when no re-execution is needed: the caller goes on in this process.
 */
export async function rerunWithHeapCap(gateways: number): Promise<number | undefined> {
  const applied = rerunFlag(process.env);
  if (applied !== undefined) {
    // The re-executed child says what it runs with (stderr, next to the progress lines).
    process.stderr.write(`cellgate fleet: ${applied} (V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MiB; docs/fleet.md, Memory)\n`);
    return undefined;
  }
  const flag = heapFlagToAdd(gateways);
  const script = process.argv[1];
  // Only the `cellgate` command re-executes itself (not a test or a program calling `run`).
  if (!flag || !script || !isCellgateBin(script)) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, flag, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: `${process.pid} ${flag}` },
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  try {
    // A child that cannot be started (no node binary at execPath): run here, uncapped.
    return await new Promise<number | undefined>((resolve) => {
      child.once('error', () => resolve(undefined));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}

/** Whether `script` is this package's `bin/cellgate.js` (through any symlink, e.g. npm's bin link). */
function isCellgateBin(script: string): boolean {
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(new URL('../../bin/cellgate.js', import.meta.url)));
  } catch {
    return false;
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}
