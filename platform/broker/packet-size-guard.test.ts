import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size-guard.js';

const publish = (bytes: number): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic: 'cellgate/v1/dev/events', payload: Buffer.alloc(bytes), qos: 1, messageId: 1, retain: false, dup: false });
const ping = (): Buffer => mqttPacket.generate({ cmd: 'pingreq' });

describe('PacketSizeGuard', () => {
  it('passes packets up to the limit, fed whole or one byte at a time', () => {
    const stream = Buffer.concat([ping(), publish(1000), ping(), publish(10)]);
    const limit = publish(1000).length;
    expect(new PacketSizeGuard(limit).feed(stream)).toBeUndefined();
    const guard = new PacketSizeGuard(limit);
    for (const byte of stream) expect(guard.feed(Uint8Array.of(byte))).toBeUndefined();
  });

  it('names the size of the first packet over the limit from its header alone (whole packet counted)', () => {
    const big = publish(1024 * 1024);
    const guard = new PacketSizeGuard(256 * 1024);
    expect(guard.feed(ping())).toBeUndefined();
    // Only the fixed header has arrived: the 1 MiB body is never needed to refuse it.
    expect(guard.feed(big.subarray(0, 4))).toBe(big.length);
    expect(new PacketSizeGuard(publish(100).length - 1).feed(publish(100))).toBe(publish(100).length);
  });

  it('reads a Remaining Length split across chunks', () => {
    const big = publish(300 * 1024);
    const guard = new PacketSizeGuard(256 * 1024);
    expect(guard.feed(big.subarray(0, 2))).toBeUndefined();
    expect(guard.feed(big.subarray(2, 3))).toBeUndefined();
    expect(guard.feed(big.subarray(3, 5))).toBe(big.length);
  });
});
