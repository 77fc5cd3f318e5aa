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
  it('stays healthy while the platform refuses the SIM', () => {
    const status: SessionStatus = { ...base, state: 'backoff', online: false, lastFailure: { kind: 'session-refused', step: 'activate', reason: 'refused', severity: 'permanent' } };
    expect(assessHealth(status, { stopping: false, link: 'connected' }).healthy).toBe(true);
  });
});
