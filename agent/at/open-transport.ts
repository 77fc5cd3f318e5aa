// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Transport } from './types.js';
import { SerialTransport } from './transport-serial.js';
import { TcpTransport, parseTcpSpec } from './transport-tcp.js';

/** Options of `openTransport`; serial-only ones are ignored for `tcp://`. */
export interface OpenTransportOptions {
  baudRate?: number;
  binding?: BindingInterface;
}

/** Builds the transport a port spec names, without opening it. */
export function transportFor(spec: string, options: OpenTransportOptions = {}): Transport {
  const trimmed = spec.trim();
  if (trimmed === '') throw new RangeError('empty AT port spec');
  if (/^tcp:\/\//i.test(trimmed)) return new TcpTransport(parseTcpSpec(trimmed));
  // With an injected binding (the simulator's in-process one) the binding decides what a path
  // means, e.g. `sim://<imei>`; without one only device paths reach the serial port.
  if (!options.binding && /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new RangeError(`unsupported AT port spec ${trimmed}: use a device path or tcp://host:port`);
  }
  return new SerialTransport({ path: trimmed, baudRate: options.baudRate, binding: options.binding });
}

/**
 * Opens the transport a port spec names: `tcp://host:port` for a raw serial server, anything
 * else a serial device path. Rejects with `AtPortClosedError` when it cannot be opened and with
 * `RangeError` for a malformed spec.
 */
export async function openTransport(spec: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const transport = transportFor(spec, options);
  await transport.open();
  return transport;
}
