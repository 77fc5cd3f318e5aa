/**
 * The AT channel (agent/at): transport → pure framer → command queue → URC bus. Modem drivers,
 * the session machine and the LPA import from here only.
 */
// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { AtChannel } from './types.js';
import { createChannel } from './channel.js';
import { openTransport } from './open-transport.js';

export type * from './types.js';
export { AtFramer, DEFAULT_MAX_LINE_LENGTH } from './framer.js';
export type { FramerEvent, Expectation, FramerOptions } from './framer.js';
export { Channel, createChannel, DEFAULT_TIMEOUT_MS } from './channel.js';
export type { ChannelOptions } from './channel.js';
export {
  AtError,
  AtTimeoutError,
  AtCmeError,
  AtCmsError,
  AtCommandError,
  AtPortClosedError,
  AtParseError,
  errorForFinal,
} from './errors.js';
export { openTransport, transportFor } from './open-transport.js';
export type { OpenTransportOptions } from './open-transport.js';
export { SerialTransport } from './transport-serial.js';
export type { SerialTransportOptions } from './transport-serial.js';
export { TcpTransport, parseTcpSpec } from './transport-tcp.js';
export { parseInfoArgs, splitArgs, linesWithPrefix, command } from './command-helpers.js';
export { parseFinalResult, isSuccess, describeFinal } from './final-result.js';
export { BUILT_IN_URC_PREFIXES, responsePrefixesOf } from './urc-prefixes.js';
export { redactCommand, redactLine } from './redact.js';
export { classifyOpenError, describeHolders, diagnosePort, errnoOf, findPortHolders, isModemManagerName } from './port-diagnosis.js';
export type { DiagnosisOptions, PortDiagnosis, PortFailureKind, PortHolder } from './port-diagnosis.js';

/** Options of `openChannel`. */
export interface OpenChannelOptions {
  /** A device path (`/dev/ttyUSB2`) or `tcp://host:port`. */
  port: string;
  baudRate?: number;
  binding?: BindingInterface;
  clock?: Clock;
  logger?: Logger;
  defaultTimeoutMs?: number;
}

/** Opens the port and returns a channel over it. */
export async function openChannel(options: OpenChannelOptions): Promise<AtChannel> {
  const transport = await openTransport(options.port, { baudRate: options.baudRate, binding: options.binding });
  return createChannel(transport, {
    clock: options.clock,
    logger: options.logger,
    defaultTimeoutMs: options.defaultTimeoutMs,
  });
}
