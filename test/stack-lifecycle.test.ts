/**
 * The stack never hangs (issue: `npm start` hung forever on a taken port and ignored signals; a
 * terminal's Ctrl-C killed socat first and the agent still claimed a clean stop). The compiled
 * CLI as a user runs it: a taken port ends the command at once with one line; a Ctrl-C to the
 * whole process group stops `cellgate up` with the data session closed while the modem is still
 * there; every command answers `--version` and its own `--help`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli, killAllCellgate, spawnCellgate, tempDir } from './support/process-stack.js';

afterEach(killAllCellgate);

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** Holds a loopback port, as another program would. */
async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Runs a command that must end on its own; resolves with its exit code and how long it took. */
async function runToExit(args: string[]): Promise<{ code: number | null; ms: number; stderr: string; output: string }> {
  const started = Date.now();
  const p = spawnCellgate(args);
  const code = await p.exited();
  return { code, ms: Date.now() - started, stderr: p.errors(), output: p.output() };
}

describe.skipIf(!builtCli)('a taken port ends the command at once', () => {
  it.each([
    ['cellgate up, HTTP port', (port: number) => ['up', '--data-dir', tempDir('taken'), '--port', String(port), '--mqtt-port', '0'], /HTTP API cannot listen on 127\.0\.0\.1:\d+: the port is already in use/],
    ['cellgate up, MQTT port', (port: number) => ['up', '--data-dir', tempDir('taken'), '--port', '0', '--mqtt-port', String(port)], /MQTT broker cannot listen on 127\.0\.0\.1:\d+: the port is already in use/],
    ['cellgate up, SM-DP+ port', (port: number) => ['up', '--data-dir', tempDir('taken'), '--port', '0', '--mqtt-port', '0', '--smdp-port', String(port)], /SM-DP\+ cannot listen on 127\.0\.0\.1:\d+: the port is already in use/],
    ['cellgate platform, HTTP port', (port: number) => ['platform', '--data-dir', tempDir('taken'), '--port', String(port), '--mqtt-port', '0'], /HTTP API cannot listen/],
    ['cellgate platform, MQTT port', (port: number) => ['platform', '--data-dir', tempDir('taken'), '--port', '0', '--mqtt-port', String(port)], /MQTT broker cannot listen/],
    ['cellgate agent, health port', (port: number) => ['agent', '--port', 'tcp://127.0.0.1:9', '--data-dir', tempDir('taken'), '--health-port', String(port)], /health endpoint cannot listen/],
  ])('%s: non-zero exit within 5 s, one line on stderr', async (_name, args, message) => {
    const port = await occupiedPort();
    const result = await runToExit(args(port));
    expect(result.code, result.output).toBe(1);
    expect(result.ms).toBeLessThan(5_000);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain(String(port));
  });
});

describe.skipIf(!builtCli)('Ctrl-C in a terminal (SIGINT to the whole process group)', () => {
  it('stops cellgate up with the data session closed before the pty goes, and says so', async () => {
    const dataDir = tempDir('ctrl-c');
    const up = spawnCellgate(['up', '--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', '--speed', '0'], { groupLeader: true, env: { LOG_LEVEL: 'info' } });
    await up.waitFor(/gateway 1: activating → online/, 30_000);
    const deviceId = up.output().match(/gateway 1: device (\S+)/)![1]!;
    // What a terminal does: the signal goes to every process in the foreground group.
    process.kill(-up.proc.pid!, 'SIGINT');
    expect(await up.exited()).toBe(0);
    expect(up.output()).toMatch(/online → stopping/);
    expect(up.output()).toMatch(/^stopped cleanly$/m);
    const agentLog = readFileSync(join(dataDir, 'logs', `agent-${deviceId}.log`), 'utf8');
    expect(agentLog).toMatch(/"deactivated":true.*"msg":"data session closed"/);
    expect(agentLog).not.toMatch(/AT port closed/);
  });
});

describe.skipIf(!builtCli)('--version and --help', () => {
  /** The commands `cellgate --help` lists. */
  const listed = async (): Promise<string[]> => {
    const help = await runToExit(['--help']);
    const commands = [...help.output.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['agent', 'lpa', 'platform', 'fleet', 'up', 'sim']));
    return commands;
  };

  it('every command prints the version', async () => {
    const commands = await listed();
    const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const args of [['--version'], ...commands.map((c) => [c, '--version']), ['agent', 'metadata', '--version']]) {
      const result = await runToExit(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.output.trim(), args.join(' ')).toBe(`cellgate ${version}`);
    }
  });

  it('every command and sub-command prints its own usage', async () => {
    const commands = await listed();
    for (const args of [...commands.map((c) => [c]), ['agent', 'metadata'], ['fleet', 'merge']]) {
      const result = await runToExit([...args, '--help']);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.output, args.join(' ')).toMatch(new RegExp(`^usage:\\s+cellgate ${args.join(' ')}\\b`));
    }
  });
});
