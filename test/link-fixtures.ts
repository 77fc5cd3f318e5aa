import { Writable, type Duplex } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';

/** A pino logger whose JSON lines tests can read back. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Polls `check` until it returns true, failing after `timeoutMs` of real time. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A plain mqtt.js client (no reconnect) for poking at the broker directly; resolves on CONNACK. */
export function rawClient(url: string, options: IClientOptions, stream?: () => Duplex): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const config: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4, ...options };
    // With `stream`, the client talks over it (an in-process pipe to the broker) instead of TCP to `url`.
    const client = stream ? new mqtt.MqttClient(() => stream(), config) : mqtt.connect(url, config);
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
