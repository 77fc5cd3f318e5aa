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
    for (let i = 0; i < 200 && !printed.some((l) => l.startsWith('control:')); i++) await new Promise((r) => setTimeout(r, 10));
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
    for (let i = 0; i < 100 && state.registration !== 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      state = await status();
    }
    expect(state).toMatchObject({ dialect: 'sim7080', registration: 3, emmCause: 15 });
    modemSocket.write('AT+CEER\r');
    for (let i = 0; i < 200 && !/OK\r\n$/.test(modemText); i++) await new Promise((r) => setTimeout(r, 10));
    expect(modemText).toContain('+CEER: EMM cause 15,No suitable cells in tracking area');
    control.write('bogus\n');
    expect(await next()).toMatch(/unknown command 'bogus'/);
    control.write('quit\n');
    expect(await exit).toBe(0);
    modemSocket.destroy();
    control.destroy();
  });
});
