import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { fullJitterDelay, MqttSession, type ConnectionState } from './mqtt-session.js';

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const policy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };
    expect([1, 2, 3, 7, 8, 30].map((n) => fullJitterDelay(policy, n, () => 0.999999))).toEqual([999, 1999, 3999, 59999, 59999, 59999]);
    expect(fullJitterDelay(policy, 5, () => 0)).toBe(0);
  });

  it('waits on the injected clock between failed attempts and stops cleanly', async () => {
    const clock = new VirtualClock();
    const states: ConnectionState[] = [];
    const session = new MqttSession({
      url: 'mqtt://127.0.0.1:1', // nothing listens on port 1: every attempt fails fast
      clientId: 'dev1',
      username: 'dev1',
      password: 'x',
      clean: false,
      clock,
      logger: silentLogger(),
      backoff: { initialMs: 1_000, maxMs: 4_000 },
      random: () => 0.5,
      onConnected: async () => undefined,
      onMessage: () => undefined,
      onState: (s) => states.push(s),
    });
    session.start();
    // The refused connection is real I/O: wait for its outcome (a deadline, not a count of polls).
    const waitingAfter = async (attempts: number): Promise<void> => {
      const deadline = performance.now() + 10_000;
      while (states.filter((s) => s === 'waiting').length < attempts) {
        if (performance.now() > deadline) throw new Error(`no attempt ${attempts} refused: ${states.join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitingAfter(1);
    expect(clock.nextDue()! - clock.now()).toBe(500);
    await clock.advance(500);
    await waitingAfter(2);
    expect(clock.nextDue()! - clock.now()).toBe(1_000);
    await clock.advance(1_000);
    await waitingAfter(3);
    expect(clock.nextDue()! - clock.now()).toBe(2_000);
    await session.stop();
    expect(states.slice(0, 6)).toEqual(['connecting', 'waiting', 'connecting', 'waiting', 'connecting', 'waiting']);
    expect(session.state).toBe('stopped');
  });
});
