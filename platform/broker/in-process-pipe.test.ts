import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { inProcessPipe } from './in-process-pipe.js';

const collect = (stream: NodeJS.ReadableStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

describe('inProcessPipe', () => {
  it('carries bytes both ways, in order, and never inside the writer’s call', async () => {
    const [a, b] = inProcessPipe();
    let readSync = false;
    b.once('data', () => (readSync = true));
    a.write('he');
    expect(readSync).toBe(false);
    a.end('llo');
    b.end('back');
    const [atB, atA] = await Promise.all([collect(b), collect(a)]);
    expect(atB.toString()).toBe('hello');
    expect(atA.toString()).toBe('back');
  });

  it('delivers more than a read buffer when the reader is slow (backpressure), losing nothing', async () => {
    const [a, b] = inProcessPipe();
    const chunk = Buffer.alloc(64 * 1024, 7);
    let accepted = true;
    for (let i = 0; i < 64; i++) accepted = a.write(chunk) && accepted;
    expect(accepted).toBe(false); // the writer is told to wait
    a.end();
    expect((await collect(b)).length).toBe(64 * chunk.length);
  });

  it('closes both ends when one is destroyed, like a dropped connection', async () => {
    const [a, b] = inProcessPipe();
    const bClosed = once(b, 'close');
    a.destroy();
    await bClosed;
    expect(b.destroyed).toBe(true);
    const written = await new Promise<Error | null | undefined>((resolve) => b.write('late', resolve));
    expect(written).toBeInstanceOf(Error);
  });
});
