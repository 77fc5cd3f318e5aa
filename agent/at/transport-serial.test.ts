import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { VirtualClock } from '../../common/clock.js';
import { openChannel, openTransport } from './index.js';
import { AtPortClosedError, AtTimeoutError } from './errors.js';
import type { AtChannel, Urc } from './types.js';
import { FakeModem } from './fixtures/fake-modem.js';

// The package's ESM export map has no typings; its CommonJS build is the same module.
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };

const PATH = '/dev/ttyCELLGATE0';

/** serialport's mock binding, with the fake modem reading what the stream writes. */
function bindingFor(modem: FakeModem): BindingInterface {
  return {
    list: () => MockBinding.list(),
    async open(options) {
      const port: MockPortBinding = await MockBinding.open(options);
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer) => {
        await write(buffer);
        modem.input(buffer);
      };
      modem.output = (text) => port.emitData(Buffer.from(text, 'latin1'));
      return port;
    },
  } as BindingInterface;
}

const channels: AtChannel[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) await channel.close();
  MockBinding.reset();
});

async function open(modem: FakeModem, clock = new VirtualClock()): Promise<AtChannel> {
  MockBinding.createPort(PATH, { echo: false, record: false });
  const channel = await openChannel({ port: PATH, binding: bindingFor(modem), clock, defaultTimeoutMs: 500 });
  channels.push(channel);
  return channel;
}

describe('AT channel over serialport (mock binding)', () => {
  it('runs commands through the real serialport stream, echo and all', async () => {
    const modem = new FakeModem({
      ATE1: 'ATE1\r\r\nOK\r\n',
      'AT+CGMM': 'AT+CGMM\r\r\nSIMCOM_SIM7080G\r\n\r\nOK\r\n',
    });
    const channel = await open(modem);
    expect(channel.isOpen).toBe(true);
    expect(await channel.exec('ATE1')).toEqual({ lines: [], final: { kind: 'ok' } });
    expect(await channel.exec('AT+CGMM')).toEqual({ lines: ['SIMCOM_SIM7080G'], final: { kind: 'ok' } });
  });

  it('dispatches URCs in the middle of a response', async () => {
    const modem = new FakeModem({ 'AT+CNACT=0,1': '\r\n+APP PDP: 0,ACTIVE\r\n\r\nOK\r\n' });
    const channel = await open(modem);
    const urcs: Urc[] = [];
    channel.onUrc('+APP PDP', (urc) => urcs.push(urc));
    expect((await channel.exec('AT+CNACT=0,1')).lines).toEqual([]);
    expect(urcs.map((u) => u.args)).toEqual(['0,ACTIVE']);
  });

  it('times out on the virtual clock and resyncs before the next command', async () => {
    const modem = new FakeModem({ AT: '\r\nOK\r\n' });
    modem.on('AT+CGATT=1', undefined);
    const clock = new VirtualClock();
    const channel = await open(modem, clock);
    const pending = channel.exec('AT+CGATT=1');
    pending.catch(() => undefined);
    // The command is on the wire and its timeout armed on the virtual clock: only then move it.
    await until(() => modem.received.includes('AT+CGATT=1') && clock.pending() > 0);
    await clock.advance(500);
    await expect(pending).rejects.toBeInstanceOf(AtTimeoutError);
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
    expect(modem.received).toEqual(['AT+CGATT=1', 'AT+CMEE?', 'AT']);
  });

  it('rejects the command in flight when the port is closed', async () => {
    const modem = new FakeModem();
    modem.on('AT+QPOWD=1', undefined);
    const channel = await open(modem);
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const pending = channel.exec('AT+QPOWD=1');
    pending.catch(() => undefined);
    await until(() => modem.received.includes('AT+QPOWD=1'));
    await channel.close();
    await expect(pending).rejects.toBeInstanceOf(AtPortClosedError);
    expect(await closed).toBeUndefined();
  });

  it('fails to open a device that does not exist with AtPortClosedError', async () => {
    await expect(openTransport('/dev/ttyNOPE', { binding: bindingFor(new FakeModem()) })).rejects.toBeInstanceOf(
      AtPortClosedError,
    );
  });
});

/** Polls `done` until it holds (real time: the serial mock delivers on the event loop). */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
