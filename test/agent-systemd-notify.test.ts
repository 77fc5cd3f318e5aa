/**
 * The agent under systemd (`Type=notify`, `WatchdogSec=`): it says READY=1 once running, keeps
 * the watchdog fed from its health loop, reports its state in STATUS= and says STOPPING=1 on
 * SIGTERM — all through the `systemd-notify` program (agent/health/service-notify.ts). Here a
 * stand-in `systemd-notify` first on PATH records what it was asked to send, and checks it was
 * given the socket systemd passes in $NOTIFY_SOCKET.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli, killAllCellgate, spawnCellgate, tempDir, until } from './support/process-stack.js';

afterEach(killAllCellgate);

describe.skipIf(!builtCli)('agent under systemd', () => {
  it('READY=1, WATCHDOG=1 from the health loop, STATUS= with the state, STOPPING=1 on SIGTERM', async () => {
    const dir = tempDir('notify');
    const record = join(dir, 'sent');
    const fake = join(dir, 'systemd-notify');
    writeFileSync(fake, `#!/bin/sh\n[ "$NOTIFY_SOCKET" = "/run/systemd/notify" ] || exit 3\necho "$*" >> "${record}"\n`);
    chmodSync(fake, 0o755);
    const agent = spawnCellgate(['agent', '--port', join(dir, 'ttyUSB9'), '--data-dir', dir, '--health-port', '0'], {
      // WatchdogSec=3 → the health loop pings every second.
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '3000000' },
    });
    const sent = (): string[] => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []);
    // The port problem found while opening is in a STATUS= line (READY's, or one the health loop sends).
    const problem = /STATUS=opening-port — \S+ttyUSB9 does not exist/;
    await until(async () => sent().filter((l) => l === 'WATCHDOG=1').length >= 2 && sent().some((l) => problem.test(l)), 20_000, 'two watchdog pings and the port problem');
    expect(sent()[0]).toMatch(/^READY=1 STATUS=/);
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(sent().at(-1)).toMatch(/^STOPPING=1 STATUS=stopping/);
  });
});
