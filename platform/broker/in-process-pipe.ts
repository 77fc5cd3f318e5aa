import { Duplex } from 'node:stream';

/**
 * One end of an in-memory byte pipe. What one end writes, the other reads, with the semantics
 * of a TCP connection that MQTT code relies on: bytes arrive on a later tick (never inside the
 * writer's call), in order, with backpressure; `end()` is a FIN (the peer reads to its end);
 * `destroy()` on either end closes both, so each side sees `close` as on a dropped socket.
 */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;
  /** The peer's write callback held back while this end's read buffer is full. */
  private heldWrite: ((error?: Error | null) => void) | undefined;

  override _read(): void {
    const release = this.heldWrite;
    this.heldWrite = undefined;
    release?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Delivered on the next tick: a broker answering inside the client's write call (or the
    // reverse) would run protocol handlers re-entrantly, which no socket ever does.
    process.nextTick(() => {
      const peer = this.peer;
      if (!peer || peer.destroyed) return callback(Object.assign(new Error('in-process pipe closed by the peer'), { code: 'EPIPE' }));
      if (peer.push(chunk)) callback();
      else peer.heldWrite = callback;
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      if (this.peer && !this.peer.destroyed) this.peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const held = this.heldWrite;
    this.heldWrite = undefined;
    held?.(Object.assign(new Error('in-process pipe closed by the peer'), { code: 'EPIPE' }));
    const peer = this.peer;
    this.peer = undefined;
    if (peer && !peer.destroyed) {
      peer.peer = undefined;
      // A dropped TCP connection, seen from the other side: end of stream, then close.
      peer.push(null);
      peer.destroy();
    }
    callback(error);
  }
}

/**
 * A connected pair of in-memory duplex streams (`[a, b]`): an MQTT connection that costs no file
 * descriptor, for clients and a broker living in the same process (the in-process fleet).
 */
export function inProcessPipe(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
