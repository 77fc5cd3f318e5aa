import { describe, expect, it } from 'vitest';
import type { SessionStatus } from '../session/session-driver.js';
import { assessHealth } from './health-report.js';

const base: SessionStatus = { state: 'online', online: true, attempt: 1, counters: {}, ip: '10.0.0.1' };

describe('health judgement', () => {
  it('is healthy while online, with the summary', () => {
    expect(assessHealth(base, { stopping: false, link: 'connected', deviceId: 'dev1' })).toMatchObject({ healthy: true, state: 'online', ip: '10.0.0.1', link: 'connected', deviceId: 'dev1' });
  });
  it('is unhealthy while shutting down', () => {
    expect(assessHealth(base, { stopping: true, link: 'connected' })).toMatchObject({ healthy: false, reason: 'shutting-down' });
  });
  it('is unhealthy when the modem does not answer', () => {
    const status: SessionStatus = { ...base, state: 'backoff', online: false, lastFailure: { kind: 'transient', step: 'sync', reason: 'module does not answer AT' } };
    expect(assessHealth(status, { stopping: false, link: 'connected' })).toMatchObject({ healthy: false, reason: 'modem-unresponsive' });
  });
  it('names a port it cannot open, with what to do, from the first failed open', () => {
    const port = { kind: 'permission-denied', message: "permission denied opening /dev/ttyUSB2 (owned by group 'dialout')", hint: "add the agent's user to the 'dialout' group" } as const;
    const waiting: SessionStatus = { ...base, state: 'opening-port', online: false, port };
    expect(assessHealth(waiting, { stopping: false, link: 'idle' })).toMatchObject({ healthy: false, reason: 'port-unavailable', port });
    const backingOff: SessionStatus = { ...waiting, state: 'backoff', lastFailure: { kind: 'transient', step: 'open-port', reason: port.message } };
    expect(assessHealth(backingOff, { stopping: false, link: 'idle' })).toMatchObject({ healthy: false, reason: 'port-unavailable', port });
    // Online on a port ModemManager holds too: still healthy, with the warning in the body.
    const shared: SessionStatus = { ...base, port: { kind: 'busy', message: '/dev/ttyUSB2 is also open in ModemManager (pid 612)', hint: 'stop it' } };
    expect(assessHealth(shared, { stopping: false, link: 'connected' })).toMatchObject({ healthy: true, port: { kind: 'busy' } });
  });
  it('stays healthy while the platform refuses the SIM', () => {
    const status: SessionStatus = { ...base, state: 'backoff', online: false, lastFailure: { kind: 'session-refused', step: 'activate', reason: 'refused', severity: 'permanent' } };
    expect(assessHealth(status, { stopping: false, link: 'connected' }).healthy).toBe(true);
  });
});
