/**
 * A port the agent cannot use is reported at once, with what to do, retried with backoff and
 * marked in `/healthz` (issue: a missing or forbidden port showed up only after 60 s, then was
 * retried forever as "transient"). The compiled agent as a user runs it, on real device paths:
 * one that does not exist, and a real pty another process holds locked.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli, killAllCellgate, spawnCellgate, tempDir, until } from './support/process-stack.js';

afterEach(killAllCellgate);

interface Health {
  healthy: boolean;
  reason?: string;
  state: string;
  port?: { kind: string; message: string; hint: string };
}

async function agentOn(port: string) {
  const agent = spawnCellgate(['agent', '--port', port, '--data-dir', tempDir('port'), '--health-port', '0', '--log-level', 'info'], { env: { LOG_LEVEL: 'info' } });
  const healthUrl = (await agent.waitFor(/"url":"(http:\/\/[^"]+)","msg":"health endpoint listening"/, 20_000))[1]!;
  const health = async (): Promise<Health> => (await fetch(`${healthUrl}/healthz`)).json() as Promise<Health>;
  return { agent, health };
}

describe.skipIf(!builtCli)('AT port problems', () => {
  it('a missing device: reported at once with what to do, and /healthz says port-unavailable', async () => {
    const { agent, health } = await agentOn(join(tempDir('nodev'), 'ttyUSB9'));
    // At once: the open waits up to 60 s for a device that may be re-enumerating, but says so first.
    await agent.waitFor(/"problem":"missing".*"msg":"AT port problem: \S+ttyUSB9 does not exist/, 10_000);
    const report = await until(async () => {
      const h = await health();
      return h.reason === 'port-unavailable' ? h : undefined;
    }, 10_000, '/healthz naming the port');
    expect(report).toMatchObject({ healthy: false, state: 'opening-port', port: { kind: 'missing', hint: expect.stringMatching(/ls -l \/dev\/serial\/by-id/) } });
    expect(await agent.stop('SIGTERM')).toBe(0);
  });

  it('a port another process holds: the holder is named, the attempt fails at once and is retried with backoff', async () => {
    const dir = tempDir('busy');
    const pty = join(dir, 'tty');
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${pty}`, `pty,raw,echo=0,link=${join(dir, 'other')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let socatLog = '';
    socat.stderr.on('data', (d: Buffer) => (socatLog += d.toString()));
    await until(async () => /starting data transfer loop/.test(socatLog), 10_000, 'socat ready');
    // flock(1) takes the same lock serialport takes (flock LOCK_EX|LOCK_NB) and holds the device open.
    const holder = spawn('flock', ['--nonblock', pty, 'sleep', '600'], { stdio: 'ignore' });
    try {
      const { agent, health } = await agentOn(pty);
      await agent.waitFor(/"problem":"busy".*"msg":"AT port problem: \S+ is busy: .*\b(flock|sleep) \(pid \d+\)/, 10_000);
      // Failed at once (not after the 60 s wait for a missing device), and backing off to retry.
      const report = await until(async () => {
        const h = await health();
        return h.state === 'backoff' ? h : undefined;
      }, 10_000, 'backoff after the busy port');
      expect(report).toMatchObject({ healthy: false, reason: 'port-unavailable', port: { kind: 'busy' } });
      expect(await agent.stop('SIGTERM')).toBe(0);
    } finally {
      holder.kill('SIGKILL');
      socat.kill('SIGTERM');
    }
  });
});
