/**
 * Watches an MQTT byte stream for a packet larger than a limit, from its fixed header alone
 * (MQTT 3.1.1 §2.2: one type byte, then the Remaining Length in 1–4 bytes of 7 bits each), so an
 * oversize PUBLISH is refused before its payload is buffered — the embedded broker's equivalent of
 * Mosquitto's `max_packet_size`, which counts the whole packet, headers included.
 */
export class PacketSizeGuard {
  /** Bytes of the current packet's body still to skip. */
  private skip = 0;
  /** 'type' → next byte is a packet type; 'length' → reading the Remaining Length. */
  private phase: 'type' | 'length' = 'type';
  private length = 0;
  private lengthBytes = 0;

  constructor(readonly maxPacketBytes: number) {}

  /** Feeds the next chunk; returns the size of the first packet over the limit, else undefined. */
  feed(chunk: Uint8Array): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.phase === 'type') {
        this.phase = 'length';
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes;
      this.lengthBytes++;
      if (byte & 0x80 && this.lengthBytes < 4) continue;
      const total = 1 + this.lengthBytes + this.length;
      if (total > this.maxPacketBytes) return total;
      this.skip = this.length;
      this.phase = 'type';
    }
    return undefined;
  }
}
