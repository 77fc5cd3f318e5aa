/**
 * Whether the agent is healthy, as `GET /healthz` answers it: a pure judgement over the session
 * status, the link state and whether the process is shutting down.
 */
import type { PortProblem, SessionStatus } from '../session/session-driver.js';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped' | 'disabled';

export interface HealthReport {
  healthy: boolean;
  /** Why it is unhealthy (absent when healthy). */
  reason?: 'shutting-down' | 'port-unavailable' | 'modem-unresponsive';
  /** What is wrong with the AT port and what to do (missing device, permission, held by another process). */
  port?: PortProblem;
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
 * [choice] 503 only when the process is shutting down, the AT port cannot be opened
 * (`port-unavailable`, with `port.message` and `port.hint`: missing device, permission denied,
 * another process holding it), or the modem does not answer (`AT` goes unanswered, the liveness
 * probe timed out): something a watchdog or an operator can act on. A SIM the platform refuses (inactive, suspended) is a healthy agent
 * backing off as told, so it answers 200 with the state in the body.
 */
export function assessHealth(status: SessionStatus, context: { stopping: boolean; link: LinkState; deviceId?: string }): HealthReport {
  const failure = status.lastFailure;
  const modemDown =
    !status.online &&
    failure !== undefined &&
    ((failure.step !== undefined && MODEM_STEPS.has(failure.step)) || (failure.loss !== undefined && MODEM_LOSSES.has(failure.loss)));
  // A port the agent cannot open is named as such, with the hint; a shared port (opened, but
  // ModemManager holds it too) is reported in `port` while the agent may still be online.
  const portDown = !status.online && status.port !== undefined && (status.state === 'opening-port' || failure?.step === 'open-port');
  const reason = context.stopping ? 'shutting-down' : portDown ? 'port-unavailable' : modemDown ? 'modem-unresponsive' : undefined;
  return {
    healthy: reason === undefined,
    ...(reason ? { reason } : {}),
    state: status.state,
    online: status.online,
    ...(status.port ? { port: status.port } : {}),
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
