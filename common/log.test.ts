import { describe, expect, it } from 'vitest';
import { childLogger, createLogger } from './log.js';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ name: 'agent', destination: { write: (line: string) => void lines.push(line) } }) };
}

describe('childLogger', () => {
  it('binds a key once: a repeated binding with the same value is left out', () => {
    const { lines, logger } = capture();
    childLogger(childLogger(logger, { component: 'lpa' }), { component: 'lpa', eid: '89049032' }).info('hello');
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: 'agent', component: 'lpa', eid: '89049032', msg: 'hello' });
  });

  it('replaces a parent binding with another value in place, keeping the others', () => {
    const { lines, logger } = capture();
    const gateway = childLogger(logger, { component: 'fleet', deviceId: '356938035643809' });
    childLogger(gateway, { component: 'at', port: '/dev/ttyUSB2' }).info('AT send');
    gateway.info('parent unchanged');
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'at', deviceId: '356938035643809', port: '/dev/ttyUSB2', name: 'agent' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ component: 'fleet' });
    expect(JSON.parse(lines[0]!).pid).toBe(process.pid);
  });

  it('still redacts secret fields bound on the way', () => {
    const { lines, logger } = capture();
    childLogger(childLogger(logger, { component: 'link' }), { component: 'x', password: 'hunter2-secret' }).info('connect');
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'x', password: '[redacted]' });
  });
});
