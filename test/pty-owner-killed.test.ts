/**
 * A SIGKILLed `cellgate sim --pty` leaves no socat behind (issue: socat, started detached for its
 * pty pair, was orphaned and kept the device links alive). socat runs under
 * `setpriv --pdeathsig TERM` (util-linux), so the kernel signals it when its owner dies, and it
 * removes its links on the way out. The compiled CLI as a user runs it, socat found in /proc.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli, killAllCellgate, spawnCellgate, tempDir, until } from './support/process-stack.js';

afterEach(killAllCellgate);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Pids of the live `socat` processes whose command line names `text`, with their parent pid. */
function socatsNaming(text: string): Array<{ pid: number; ppid: number }> {
  const found: Array<{ pid: number; ppid: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('socat') || !argv.some((a) => a.includes(text))) continue;
      // /proc/<pid>/stat: "pid (comm) state ppid …"; a zombie has exited already.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') found.push({ pid: Number(entry), ppid: Number(ppid) });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** True when `path` is gone or a dangling link (its pty no longer exists). */
const deadLink = (path: string): boolean => {
  try {
    lstatSync(path);
  } catch {
    return true;
  }
  return !existsSync(path);
};

describe.skipIf(!builtCli || process.platform !== 'linux')('cellgate sim --pty killed with SIGKILL', () => {
  it('takes its socat with it: the socat process ends and the device link vanishes', async () => {
    const link = join(tempDir('pty-kill'), 'ttyCG0');
    dirs.push(dirname(link));
    const sim = spawnCellgate(['sim', '--pty', link, '--no-stdin', '--latency', 'zero']);
    await sim.waitFor(/^device: /m, 30_000);
    expect(deadLink(link)).toBe(false);
    const socats = socatsNaming(link);
    expect(socats, 'one socat for the pty pair, a child of cellgate').toEqual([{ pid: expect.any(Number), ppid: sim.proc.pid }]);

    sim.proc.kill('SIGKILL');
    expect(await sim.exited()).toBeNull();
    // Bounded wait on the kernel's parent-death signal (no fixed sleep): polls until both are gone.
    await until(async () => socatsNaming(link).length === 0 && deadLink(link), 10_000, 'socat to end and the link to vanish');
    expect(socatsNaming(link)).toEqual([]);
    expect(deadLink(link)).toBe(true);
  });
});
