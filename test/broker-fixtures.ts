import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStore } from '../platform/broker/credentials.js';
import { dynamicSecurityBootstrap } from '../platform/broker/dynamic-security.js';
import { mosquittoDynsecConfig, writeMosquittoFiles } from '../platform/broker/mosquitto-config.js';

/** Whether a `mosquitto` binary is on the PATH. */
export function mosquittoAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not open port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningMosquitto {
  url: string;
  port: number;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts a real Mosquitto on a free loopback port with config generated from `store`. */
export async function startMosquitto(store: CredentialStore): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-mosquitto-'));
  const port = await freePort();
  const { configPath } = await writeMosquittoFiles(dir, store, {
    host: '127.0.0.1',
    port,
    ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
  });
  const child = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    process: child,
    stderr: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A real Mosquitto with the dynamic security plugin on a free loopback port: the plugin's file
 * holds only the admin account; everything else arrives over `$CONTROL`.
 */
export async function startMosquittoDynsec(admin: { username: string; password: string }): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-dynsec-'));
  const port = await freePort();
  const dynsecFile = join(dir, 'dynamic-security.json');
  writeFileSync(dynsecFile, await dynamicSecurityBootstrap(admin.username, admin.password), { mode: 0o600 });
  const configPath = join(dir, 'mosquitto.conf');
  writeFileSync(configPath, mosquittoDynsecConfig({ host: '127.0.0.1', port, dynsecFile, ...(process.getuid?.() === 0 ? { user: 'root' } : {}) }));
  const child = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    process: child,
    stderr: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
