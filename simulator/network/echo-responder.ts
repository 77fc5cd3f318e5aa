/**
 * The simulated device's answer to a downlink ping (docs/sms.md): while a data session is up, a
 * UDP socket on the session address and `DOWNLINK_ECHO_PORT` sends every datagram back (RFC 862
 * echo). The session address is a loopback address only this session owns, so an answer proves
 * the session is there — unlike ICMP, which the kernel answers for all of 127/8.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../common/log.js';
import { DOWNLINK_ECHO_PORT } from '../../platform/contract/network-gate.js';

export class EchoResponder {
  private socket: Socket | undefined;

  constructor(
    readonly address: string,
    private readonly logger: Logger,
    private readonly port = DOWNLINK_ECHO_PORT,
  ) {}

  /** Binds; a failure (address not local, port taken) is logged and the session lives on without echo. */
  start(): void {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    this.socket = socket;
    socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
    socket.on('error', (error) => {
      this.logger.warn({ err: error.message, address: this.address }, 'downlink echo responder failed');
      this.close();
    });
    socket.bind({ address: this.address, port: this.port });
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }
}
