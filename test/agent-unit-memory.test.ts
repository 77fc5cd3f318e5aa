/**
 * The agent as the shipped systemd unit runs it (`scripts/ops/cellgate-agent.service`): node with
 * `--jitless --max-semi-space-size=1` (docs/raspberry-pi.md, "Footprint") and
 * `MemoryDenyWriteExecute=yes`. The kernel's own W^X switch for a process (prctl PR_SET_MDWE,
 * Linux ≥ 6.3, which systemd also uses for that setting) is applied to the agent process through
 * a small launcher, so a JIT that asked for writable+executable memory would abort it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { agentUnitPath, unitNodeFlags } from '../scripts/ops/agent-unit.js';
import { projectRoot } from './support/built.js';
import { builtCli, killAllCellgate, startProcessStack, untilOnline } from './support/process-stack.js';

afterEach(killAllCellgate);

/** Sets PR_SET_MDWE (65) with PR_MDWE_REFUSE_EXEC_GAIN (1), then execs the rest of its arguments. */
const noWriteExecute = [
  'python3',
  '-c',
  'import ctypes, os, sys\nif ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0: sys.exit(111)\nos.execv(sys.argv[1], sys.argv[1:])',
];
const probe = spawnSync(noWriteExecute[0]!, [...noWriteExecute.slice(1), '/bin/true']);
const mdwe = probe.status === 0;

const unit = readFileSync(agentUnitPath(projectRoot), 'utf8');

describe('the agent unit', () => {
  it('runs node with the memory flags and forbids writable+executable memory', () => {
    expect(unitNodeFlags(unit)).toEqual(['--jitless', '--max-semi-space-size=1']);
    expect(unit).toMatch(/^MemoryDenyWriteExecute=yes$/m);
  });

  // A kernel before 6.3 has no PR_SET_MDWE (the launcher exits 111) or python3 is missing.
  describe.skipIf(!builtCli || !mdwe)('under the kernel W^X switch (PR_SET_MDWE)', () => {
    it('would abort plain node (the switch is on), while node with the unit flags evaluates code', () => {
      const plain = spawnSync(noWriteExecute[0]!, [...noWriteExecute.slice(1), process.execPath, '-e', 'let s = 0; for (let i = 0; i < 1e6; i++) s += i; console.log(s)'], { encoding: 'utf8' });
      expect(plain.status).not.toBe(0);
      const flagged = spawnSync(noWriteExecute[0]!, [...noWriteExecute.slice(1), process.execPath, ...unitNodeFlags(unit), '-e', 'let s = 0; for (let i = 0; i < 1e6; i++) s += i; console.log(s)'], { encoding: 'utf8' });
      // V8 says once that --jitless leaves WebAssembly out; nothing else.
      expect(flagged.stderr.replace('Warning: disabling flag --expose_wasm due to conflicting flags\n', '')).toBe('');
      expect(flagged.status).toBe(0);
      expect(flagged.stdout.trim()).toBe('499999500000');
    });

    it('the agent with its link, outbox and health endpoint comes online and stops cleanly', async () => {
      const s = await startProcessStack({ agentLauncher: noWriteExecute });
      const online = await untilOnline(s.api, s.gateway, 30_000);
      expect(online.status!.session!.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const health = (await (await fetch(`${s.agent.healthUrl}/healthz`)).json()) as { state: string; link: string };
      expect(health).toMatchObject({ state: 'online', link: 'connected' });
      expect(await (await fetch(`${s.agent.healthUrl}/metrics`)).text()).toMatch(/^cellgate_agent_/m);
      expect(await s.agent.stop('SIGTERM')).toBe(0);
      expect(s.agent.output()).toMatch(/agent stopped cleanly/);
    }, 60_000);
  });
});
