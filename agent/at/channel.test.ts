import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { VirtualClock } from '../../common/clock.js';
import { createLogger } from '../../common/log.js';
import { openChannel, createChannel, openTransport, command, parseInfoArgs } from './index.js';
import { AtCmeError, AtCmsError, AtCommandError, AtParseError, AtPortClosedError, AtTimeoutError } from './errors.js';
import type { AtChannel, Urc } from './types.js';
import { FakeModem } from './fixtures/fake-modem.js';

interface Bench {
  modem: FakeModem;
  channel: AtChannel;
  clock: VirtualClock;
  socket: () => Socket;
  server: Server;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A fake modem behind a real TCP server, and a channel connected to it over tcp://. */
async function bench(modem = new FakeModem(), options: { logger?: ReturnType<typeof createLogger> } = {}): Promise<Bench> {
  let peer: Socket | undefined;
  const server = createServer((socket) => {
    peer = socket;
    modem.output = (text) => socket.write(Buffer.from(text, 'latin1'));
    socket.on('data', (data) => modem.input(data));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const clock = new VirtualClock();
  const channel = await openChannel({ port: `tcp://127.0.0.1:${port}`, clock, defaultTimeoutMs: 1000, logger: options.logger });
  await waitFor(() => peer !== undefined);
  cleanups.push(async () => {
    await channel.close();
    peer?.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { modem, channel, clock, socket: () => peer!, server };
}

/** Marks a promise expected to reject later, so its rejection is not reported as unhandled. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  // A deadline in time, not a count of polls: a loaded machine runs fewer polls per second.
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('AT channel over a real TCP socket', () => {
  it('sends a command and returns its information lines and final result', async () => {
    const { channel, modem } = await bench(new FakeModem({ ATI: '\r\nQuectel\r\nBG96\r\nRevision: BG96MAR02A07M1G\r\n\r\nOK\r\n' }));
    const response = await channel.exec('ATI');
    expect(response).toEqual({ lines: ['Quectel', 'BG96', 'Revision: BG96MAR02A07M1G'], final: { kind: 'ok' } });
    expect(modem.received).toEqual(['ATI']);
  });

  it('parses with a typed command and helper', async () => {
    const { channel } = await bench(new FakeModem({ 'AT+QIACT?': '\r\n+QIACT: 1,1,1,"10.170.208.114"\r\n\r\nOK\r\n' }));
    const ip = await channel.send(command('AT+QIACT?', (r) => parseInfoArgs(r.lines[0]!, '+QIACT')[3]));
    expect(ip).toBe('10.170.208.114');
  });

  it('keeps one command in flight and answers a queue in FIFO order', async () => {
    const modem = new FakeModem();
    const { channel } = await bench(modem);
    let outstanding = 0;
    let maxOutstanding = 0;
    for (const n of [1, 2, 3]) {
      modem.on(`AT+N${n}`, () => {
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        // Answer later, so a channel that did not wait would have written the next command already.
        setTimeout(() => {
          outstanding--;
          modem.push(`\r\n+N${n}: ${n}\r\n\r\nOK\r\n`);
        }, 5);
        return undefined;
      });
    }
    const results = await Promise.all([1, 2, 3].map((n) => channel.exec(`AT+N${n}`)));
    expect(results.map((r) => r.lines)).toEqual([['+N1: 1'], ['+N2: 2'], ['+N3: 3']]);
    expect(modem.received).toEqual(['AT+N1', 'AT+N2', 'AT+N3']);
    expect(maxOutstanding).toBe(1);
  });

  it('rejects with typed errors: CME (number and text), CMS, plain ERROR, bad parse', async () => {
    const { channel } = await bench(
      new FakeModem({
        'AT+CPIN?': '\r\n+CME ERROR: SIM not inserted\r\n',
        'AT+QIACT=1': '\r\n+CME ERROR: 30\r\n',
        'AT+CMGR=1': '\r\n+CMS ERROR: 321\r\n',
        'AT+FOO': '\r\nERROR\r\n',
        'AT+CSQ': '\r\n+CSQ: x\r\n\r\nOK\r\n',
      }),
    );
    const noop = (): void => undefined;
    await expect(channel.send(command('AT+CPIN?', noop))).rejects.toMatchObject({ constructor: AtCmeError, text: 'SIM not inserted' });
    await expect(channel.send(command('AT+QIACT=1', noop))).rejects.toMatchObject({ constructor: AtCmeError, cmeCode: 30 });
    await expect(channel.send(command('AT+CMGR=1', noop))).rejects.toMatchObject({ constructor: AtCmsError, cmsCode: 321 });
    await expect(channel.send(command('AT+FOO', noop))).rejects.toMatchObject({ constructor: AtCommandError, final: { kind: 'error' } });
    const parseCsq = command('AT+CSQ', (r) => {
      const rssi = Number(parseInfoArgs(r.lines[0]!, '+CSQ')[0]);
      if (Number.isNaN(rssi)) throw new Error('rssi is not a number');
      return rssi;
    });
    await expect(channel.send(parseCsq)).rejects.toMatchObject({ constructor: AtParseError, message: 'AT+CSQ: rssi is not a number' });
    // exec is the passthrough: it returns an error final as is.
    expect((await channel.exec('AT+FOO')).final).toEqual({ kind: 'error' });
  });

  it('times out on the injected clock, not before', async () => {
    const { channel, clock, modem } = await bench();
    modem.on('AT+QIACT=1', undefined);
    const pending = quiet(channel.exec('AT+QIACT=1', 150_000));
    let settled = false;
    pending.catch(() => undefined).finally(() => (settled = true));
    await waitFor(() => modem.received.includes('AT+QIACT=1'));
    await clock.advance(149_999);
    expect(settled).toBe(false);
    await clock.advance(1);
    await expect(pending).rejects.toBeInstanceOf(AtTimeoutError);
  });

  it('never takes a late final result of a timed-out command as the next command result', async () => {
    const { channel, clock, modem } = await bench();
    modem.on('AT+COPS=?', undefined);
    const slow = quiet(channel.exec('AT+COPS=?', 1000));
    await waitFor(() => modem.received.length === 1);
    await clock.advance(1000);
    await expect(slow).rejects.toBeInstanceOf(AtTimeoutError);
    // The modem finishes the abandoned command just as the next line arrives, and answers that
    // line a little later: whatever the channel writes next first sees the late result.
    // Like a real modem, it answers strictly in order.
    let lateSent = false;
    let answers = Promise.resolve();
    const lateFirst = (answer: string) => (): undefined => {
      if (!lateSent) {
        lateSent = true;
        modem.push('\r\n+COPS: (1,"Op","Op","44010",7)\r\n\r\nOK\r\n');
      }
      answers = answers.then(() => new Promise((resolve) => setTimeout(resolve, 10))).then(() => modem.push(answer));
      return undefined;
    };
    modem.on('AT+CMEE?', lateFirst('\r\n+CMEE: 2\r\n\r\nOK\r\n'));
    modem.on('AT+CGMI', lateFirst('\r\nQuectel\r\n\r\nOK\r\n'));
    const next = await channel.exec('AT+CGMI');
    expect(next).toEqual({ lines: ['Quectel'], final: { kind: 'ok' } });
    expect(modem.received).toEqual(['AT+COPS=?', 'AT+CMEE?', 'AT+CGMI']);
  });

  it('fails the next command when the modem stays silent through resync, then recovers', async () => {
    const { channel, clock, modem } = await bench();
    modem.on('AT+CGATT=1', undefined);
    modem.on('AT+CMEE?', undefined);
    const first = quiet(channel.exec('AT+CGATT=1', 1000));
    await waitFor(() => modem.received.length === 1);
    await clock.advance(1000);
    await expect(first).rejects.toBeInstanceOf(AtTimeoutError);
    const second = quiet(channel.exec('AT'));
    for (let i = 0; i < 3; i++) {
      await waitFor(() => modem.received.filter((l) => l === 'AT+CMEE?').length === i + 1, `probe ${i + 1}`);
      await clock.advance(2000);
    }
    await expect(second).rejects.toThrow(/resync probe/);
    expect(modem.received).not.toContain('AT');
    modem.on('AT+CMEE?', '\r\n+CMEE: 2\r\n\r\nOK\r\n');
    modem.on('AT', '\r\nOK\r\n');
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
  });

  it('dispatches a URC arriving mid-command without losing it or the answer', async () => {
    const { channel } = await bench(new FakeModem({ 'AT+CSQ': '\r\n+CSQ: 18,99\r\n\r\n+CEREG: 5,"1A2B","01A2D101",7\r\n\r\nOK\r\n' }));
    const urcs: Urc[] = [];
    channel.onUrc('+CEREG', (urc) => urcs.push(urc));
    const response = await channel.exec('AT+CSQ');
    expect(response.lines).toEqual(['+CSQ: 18,99']);
    expect(urcs).toMatchObject([{ prefix: '+CEREG', args: '5,"1A2B","01A2D101",7', line: '+CEREG: 5,"1A2B","01A2D101",7' }]);
    expect(typeof urcs[0]!.at).toBe('number');
  });

  it('survives a throwing URC subscriber: others still get the URC, commands still work', async () => {
    const { channel, modem } = await bench(new FakeModem({ AT: '\r\nOK\r\n' }));
    const seen: string[] = [];
    channel.onUrc('+QIURC', () => {
      throw new Error('subscriber bug');
    });
    channel.onUrc('+QIURC', (urc) => seen.push(urc.args));
    modem.push('\r\n+QIURC: "pdpdeact",1\r\n');
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['"pdpdeact",1']);
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
  });

  it('registers subscriber prefixes so unknown URCs are not read as an answer', async () => {
    const { channel } = await bench(new FakeModem({ 'AT+CSQ': '\r\n+MYVENDOR: 7\r\n+CSQ: 18,99\r\n\r\nOK\r\n' }));
    const seen: string[] = [];
    const off = channel.onUrc('+MYVENDOR', (urc) => seen.push(urc.args));
    expect((await channel.exec('AT+CSQ')).lines).toEqual(['+CSQ: 18,99']);
    expect(seen).toEqual(['7']);
    off();
    expect((await channel.exec('AT+CSQ')).lines).toEqual(['+MYVENDOR: 7', '+CSQ: 18,99']);
  });

  it('writes the payload and Ctrl-Z after the prompt', async () => {
    const modem = new FakeModem({ 'AT+CMGS="+819012345678" <payload>': '\r\n+CMGS: 12\r\n\r\nOK\r\n' });
    const { channel } = await bench(modem);
    const ref = await channel.send({
      text: 'AT+CMGS="+819012345678"',
      payload: 'hello',
      parse: (r) => Number(parseInfoArgs(r.lines[0]!, '+CMGS')[0]),
    });
    expect(ref).toBe(12);
    expect(modem.payloads).toEqual(['hello']);
  });

  it('rejects the command in flight and the queue when closed, and reports the close once', async () => {
    const { channel, modem } = await bench();
    modem.on('AT+QIACT=1', undefined);
    const closes: (Error | undefined)[] = [];
    channel.onClose((error) => closes.push(error));
    const inFlight = quiet(channel.exec('AT+QIACT=1'));
    const queued = quiet(channel.exec('AT'));
    await waitFor(() => modem.received.length === 1);
    await channel.close();
    await expect(inFlight).rejects.toBeInstanceOf(AtPortClosedError);
    await expect(queued).rejects.toBeInstanceOf(AtPortClosedError);
    await expect(channel.exec('AT')).rejects.toBeInstanceOf(AtPortClosedError);
    expect(channel.isOpen).toBe(false);
    expect(closes).toEqual([undefined]);
  });

  it('reports the peer closing the connection (module reset, ser2net restart)', async () => {
    const { channel, modem, socket } = await bench();
    modem.on('AT+CFUN=1,1', undefined);
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const pending = quiet(channel.exec('AT+CFUN=1,1'));
    await waitFor(() => modem.received.length === 1);
    socket().destroy();
    await expect(pending).rejects.toBeInstanceOf(AtPortClosedError);
    expect(await closed).toBeInstanceOf(Error);
    expect(channel.isOpen).toBe(false);
  });

  it('rejects an answer whose line overflowed the framer with a parse error', async () => {
    const { channel } = await bench(new FakeModem({ 'AT+CGLA=1,4,"0000"': `\r\n+CGLA: 9,"${'F'.repeat(20_000)}"\r\n\r\nOK\r\n`, AT: '\r\nOK\r\n' }));
    await expect(channel.exec('AT+CGLA=1,4,"0000"')).rejects.toBeInstanceOf(AtParseError);
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
  });

  it('never logs credentials or payloads', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: 'test', level: 'debug', destination });
    const modem = new FakeModem({
      'AT+CGAUTH=1,1,"sora","s3cr3t-pw"': '\r\nOK\r\n',
      'AT+CPIN="1234"': '\r\n+CME ERROR: incorrect password\r\n',
      'AT+CMGS="+81" <payload>': '\r\n+CMGS: 1\r\n\r\nOK\r\n',
    });
    const { channel } = await bench(modem, { logger });
    await channel.exec('AT+CGAUTH=1,1,"sora","s3cr3t-pw"');
    const error = await channel.send(command('AT+CPIN="1234"', () => undefined)).catch((e: Error) => e);
    await channel.send({ text: 'AT+CMGS="+81"', payload: 'private-text', parse: () => undefined });
    expect(String(error)).not.toContain('1234');
    const log = lines.join('');
    expect(log).toContain('AT+CGAUTH=<redacted>');
    expect(log).not.toContain('s3cr3t-pw');
    expect(log).not.toContain('"1234"');
    expect(log).not.toContain('private-text');
  });

  it('never logs a credential in a line that arrives with no command in flight', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const modem = new FakeModem({ AT: '\r\nOK\r\n' });
    const { channel } = await bench(modem, { logger: createLogger({ name: 'test', level: 'debug', destination }) });
    // A late echo of a timed-out credential command, and an answer that reads one back.
    modem.push('AT+QICSGP=1,1,"apn","sora","late-pw-1"\r\n+QICSGP: 1,"apn","sora","late-pw-2",2\r\n');
    await waitFor(() => lines.join('').includes('no command in flight'), 'the late lines logged');
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
    const log = lines.join('');
    expect(log).toContain('no command in flight');
    expect(log).not.toContain('late-pw-1');
    expect(log).not.toContain('late-pw-2');
  });
});

describe('openTransport and createChannel', () => {
  it('rejects a malformed spec clearly', async () => {
    await expect(openTransport('tcp://host-without-port', {})).rejects.toBeInstanceOf(RangeError);
    await expect(openTransport('udp://1.2.3.4:5', {})).rejects.toThrow(/unsupported AT port spec/);
  });

  it('rejects a refused TCP connection with AtPortClosedError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await expect(openTransport(`tcp://127.0.0.1:${port}`, {})).rejects.toBeInstanceOf(AtPortClosedError);
  });

  it('builds a channel over an already open transport', async () => {
    const modem = new FakeModem({ AT: '\r\nOK\r\n' });
    const server = createServer((socket) => {
      modem.output = (text) => socket.write(text);
      socket.on('data', (d) => modem.input(d));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const transport = await openTransport(`tcp://127.0.0.1:${port}`, {});
    const channel = createChannel(transport);
    expect(transport.description).toBe(`tcp://127.0.0.1:${port}`);
    expect((await channel.exec('AT')).final).toEqual({ kind: 'ok' });
    await channel.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('channel over a transport whose writes fail', () => {
  it('rejects each queued command with AtPortClosedError instead of hanging', async () => {
    const failingWrites = {
      isOpen: true,
      description: 'broken',
      open: async () => undefined,
      write: async () => {
        throw new Error('EIO');
      },
      onData: () => undefined,
      onClose: () => undefined,
      close: async () => undefined,
    };
    const channel = createChannel(failingWrites, { clock: new VirtualClock() });
    const results = await Promise.allSettled([channel.exec('AT'), channel.exec('ATI')]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof AtPortClosedError)).toEqual([true, true]);
  });
});

describe('vendor final result codes end the command (no timeout)', () => {
  it.each([
    ['COMMAND NOT SUPPORT', 'Huawei (gammu/gammu#138)'],
    ['MODEM ERROR: 0', 'Motorola (gammu at.c)'],
    ['ABORTED', 'u-blox (SARA-R4 AT manual)'],
  ])('%s — %s', async (final) => {
    const { channel, clock } = await bench(new FakeModem({ 'AT+CPROT=?': `\r\n${final}\r\n`, AT: '\r\nOK\r\n' }));
    const start = clock.now();
    const failed = quiet(channel.send(command('AT+CPROT=?', () => 'never')));
    await expect(failed).rejects.toBeInstanceOf(AtCommandError);
    await expect(failed).rejects.toThrow(final);
    // The next command runs at once: no resync, no clock needed.
    expect(clock.now()).toBe(start);
    await expect(channel.exec('AT')).resolves.toEqual({ lines: [], final: { kind: 'ok' } });
  });
});
