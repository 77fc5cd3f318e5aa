/**
 * Downlink ping (reference `subscriberDownlinkPingToUserEquipment`, `sendDownlinkPing`;
 * docs/sms.md "Downlink ping"): the platform sends echo requests to a SIM's live session address
 * and reports like `ping` does. [choice] cellgate's session addresses are loopback addresses a
 * simulated device owns (docs/platform.md), where the kernel would answer any ICMP echo itself;
 * so the request is a UDP datagram to `DOWNLINK_ECHO_PORT`, which only the radio side of the
 * SIM's live session answers (the simulator's echo responder). Timers run on real time.
 */
import { createSocket } from 'node:dgram';
import { DOWNLINK_ECHO_PORT } from '../contract/network-gate.js';
import type { AppContext } from './context.js';
import { getSubscriber, type Scope } from './subscribers.js';

export interface DownlinkPingRequest {
  /** 1..5 (reference default 1). */
  numberOfPingRequests?: number;
  /** 1..3 s per request (reference default 1). */
  timeoutSeconds?: number;
}

/** Reference `DownlinkPingResponse`: `rtt` and `stat` in the words of iputils `ping`. */
export interface DownlinkPingResponse {
  success: boolean;
  rtt: string;
  stat: string;
}

const PING_PAYLOAD = Buffer.from('cellgate downlink ping');

/** One UDP echo round trip to `address`, or undefined after `timeoutMs`. */
function echoOnce(ctx: AppContext, address: string, seq: number, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const payload = Buffer.concat([PING_PAYLOAD, Buffer.from(` ${seq}`)]);
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (rtt: number | undefined): void => {
      if (done) return;
      done = true;
      ctx.ioClock.clearTimeout(timer);
      socket.close();
      resolve(rtt);
    };
    const timer = ctx.ioClock.setTimeout(() => finish(undefined), timeoutMs);
    socket.on('message', (msg, from) => {
      if (from.address === address && msg.equals(payload)) finish(Number(process.hrtime.bigint() - started) / 1e6);
    });
    socket.on('error', () => finish(undefined));
    socket.send(payload, DOWNLINK_ECHO_PORT, address, (error) => error && finish(undefined));
  });
}

const ms = (v: number): string => v.toFixed(3);

export async function downlinkPing(ctx: AppContext, scope: Scope, imsi: string, request: DownlinkPingRequest): Promise<DownlinkPingResponse> {
  const s = await getSubscriber(ctx, scope, imsi);
  const count = request.numberOfPingRequests ?? 1;
  const timeoutMs = (request.timeoutSeconds ?? 1) * 1000;
  const address = s.sessionStatus?.online ? s.sessionStatus.ueIpAddress : undefined;
  const rtts: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 1; i <= count && address; i++) {
    const rtt = await echoOnce(ctx, address, i, timeoutMs);
    if (rtt !== undefined) rtts.push(rtt);
  }
  // Offline: nothing to ping; the answer reads as a ping whose every request was lost.
  const elapsed = address ? Math.round(Number(process.hrtime.bigint() - started) / 1e6) : 0;
  const loss = Math.round(((count - rtts.length) / count) * 100);
  const stat = `${count} packets transmitted, ${rtts.length} received, ${loss}% packet loss, time ${elapsed}ms`;
  if (rtts.length === 0) return { success: false, rtt: '', stat };
  const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  const mdev = Math.sqrt(rtts.reduce((a, b) => a + (b - avg) ** 2, 0) / rtts.length);
  return { success: true, rtt: `rtt min/avg/max/mdev = ${ms(Math.min(...rtts))}/${ms(avg)}/${ms(Math.max(...rtts))}/${ms(mdev)} ms`, stat };
}
