import { connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './cli.js';

afterEach(() => vi.restoreAllMocks());

function lines(socket: Socket): () => Promise<string> {
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  const rl = createInterface({ input: socket });
  rl.on('error', () => undefined);
  rl.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else queue.push(line);
  });
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

/** Polls `done` until it holds, within a deadline of real time (not a count of polls). */
async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('cellgate sim', () => {
  it('rejects bad options with a clear message', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    expect(await run(['--dialect', 'nokia'])).toBe(2);
    expect(errors.join('\n')).toMatch(/unknown dialect 'nokia'/);
    expect(await run(['--speed', '-1'])).toBe(2);
  });

  it('serves a modem on TCP, takes control commands on a socket, and exits cleanly on quit', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((m: string) => void printed.push(m));
    const sock = join(mkdtempSync(join(tmpdir(), 'cellgate-cli-')), 'control.sock');
    const exit = run(['--dialect', 'sim7080', '--tcp', '0', '--latency', 'zero', '--no-stdin', '--control', sock]);
    await until(() => printed.some((l) => l.startsWith('control:')), 'the control socket');
    const url = new URL(printed.find((l) => l.startsWith('tcp: '))!.slice(5));
    const modemSocket = connect(Number(url.port), url.hostname);
    // The simulator cuts its clients when it exits: that reset is expected here.
    modemSocket.on('error', () => undefined);
    let modemText = '';
    modemSocket.on('data', (d) => (modemText += d.toString()));
    const control = connect(sock);
    control.on('error', () => undefined);
    const next = lines(control);
    control.write('reject 15\n');
    expect(await next()).toBe('ok: rejecting registration with EMM cause #15');
    const status = async (): Promise<{ registration: number }> => {
      control.write('status\n');
      let text = '';
      while (!text.endsWith('}')) text += await next();
      return JSON.parse(text) as { registration: number };
    };
    let state = await status();
    await until(async () => (state = await status()).registration === 3, 'registration denied');
    expect(state).toMatchObject({ dialect: 'sim7080', registration: 3, emmCause: 15 });
    modemSocket.write('AT+CEER\r');
    await until(() => /OK\r\n$/.test(modemText), 'the answer to AT+CEER');
    expect(modemText).toContain('+CEER: EMM cause 15,No suitable cells in tracking area');
    control.write('bogus\n');
    expect(await next()).toMatch(/unknown command 'bogus'/);
    control.write('quit\n');
    expect(await exit).toBe(0);
    modemSocket.destroy();
    control.destroy();
  });
});
