/**
 * Whether the agent is healthy, as `GET /healthz` answers it: a pure judgement over the session
 * status, the link state and whether the process is shutting down.
 */
import type { SessionStatus } from '../session/session-driver.js';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped' | 'disabled';

export interface HealthReport {
  healthy: boolean;
  /** Why it is unhealthy (absent when healthy). */
  reason?: 'shutting-down' | 'modem-unresponsive';
  state: SessionStatus['state'];
  online: boolean;
  deviceId?: string;
  ip?: string;
  imei?: string;
  imsi?: string;
  link: LinkState;
  lastFailure?: string;
  lastLoss?: string;
  nextAttemptAt?: number;
}

/** Failure steps that mean the module itself (or its port) is not answering. */
const MODEM_STEPS = new Set(['open-port', 'sync', 'reset-module']);
const MODEM_LOSSES = new Set(['unresponsive', 'port-closed', 'module-powered-down']);

/**
 * [choice] 503 only when the process is shutting down or the modem does not answer (its port
 * cannot be opened, `AT` goes unanswered, the liveness probe timed out): something a watchdog
 * or an operator can act on. A SIM the platform refuses (inactive, suspended) is a healthy agent
 * backing off as told, so it answers 200 with the state in the body.
 */
export function assessHealth(status: SessionStatus, context: { stopping: boolean; link: LinkState; deviceId?: string }): HealthReport {
  const failure = status.lastFailure;
  const modemDown =
    !status.online &&
    failure !== undefined &&
    ((failure.step !== undefined && MODEM_STEPS.has(failure.step)) || (failure.loss !== undefined && MODEM_LOSSES.has(failure.loss)));
  const reason = context.stopping ? 'shutting-down' : modemDown ? 'modem-unresponsive' : undefined;
  return {
    healthy: reason === undefined,
    ...(reason ? { reason } : {}),
    state: status.state,
    online: status.online,
    ...(context.deviceId ? { deviceId: context.deviceId } : {}),
    ...(status.ip ? { ip: status.ip } : {}),
    ...(status.imei ? { imei: status.imei } : {}),
    ...(status.imsi ? { imsi: status.imsi } : {}),
    link: context.link,
    ...(failure ? { lastFailure: failure.reason } : {}),
    ...(status.lastLoss ? { lastLoss: status.lastLoss } : {}),
    ...(status.nextAttemptAt !== undefined ? { nextAttemptAt: status.nextAttemptAt } : {}),
  };
}
