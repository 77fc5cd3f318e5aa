/**
 * Between the session driver and the MQTT link (SPEC §2, Platform link): the retained status
 * snapshot from `status()`, events through the durable outbox on state changes, and the
 * platform's session commands (`reconnect`, `refresh-status`, `reboot-modem`, `set-apn`,
 * `set-rat`), each answered with a result.
 */
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { RegistrationState } from '../platform/contract/messages.js';
import type { AgentLink, StatusFields } from './link/agent-link.js';
import { OutboxFullError } from './link/outbox.js';
import type { ApnSettings, RatPreference } from './modem/dialects.js';
import type { Plan } from './session/machine.js';
import type { SessionDriver, SessionStatus, StateChange } from './session/session-driver.js';

const REGISTRATION: Record<number, RegistrationState> = {
  0: 'not-registered',
  1: 'registered-home',
  2: 'searching',
  3: 'denied',
  4: 'unknown',
  5: 'registered-roaming',
};

const ATTACHING = new Set(['opening-port', 'syncing', 'identifying', 'sim-wait', 'configuring', 'radio-cycling', 'deactivating', 'registering', 'activating', 'resetting', 'closing-port']);

/** The snapshot fields the link publishes, from the session's status. */
export function toStatusFields(status: SessionStatus, apn: string): StatusFields {
  const reg = status.registration;
  const fields: StatusFields = {
    registration: {
      state: reg ? (REGISTRATION[reg.stat] ?? 'unknown') : 'unknown',
      ...(status.rat ? { rat: status.rat } : {}),
      ...(reg?.rejectCause !== undefined ? { rejectCause: reg.rejectCause } : {}),
    },
    session: {
      state: status.online ? 'up' : ATTACHING.has(status.state) ? 'connecting' : 'down',
      apn,
      ...(status.online && status.ip ? { ipAddress: status.ip } : {}),
    },
  };
  const s = status.signal;
  if (s && (s.rssiDbm !== undefined || s.rsrpDbm !== undefined || s.rsrqDb !== undefined)) {
    fields.signal = {
      ...(s.rssiDbm !== undefined ? { rssiDbm: s.rssiDbm } : {}),
      ...(s.rsrpDbm !== undefined ? { rsrpDbm: s.rsrpDbm } : {}),
      ...(s.rsrqDb !== undefined ? { rsrqDb: s.rsrqDb } : {}),
    };
  }
  if (status.imsi || status.iccid) fields.sim = { ...(status.imsi ? { imsi: status.imsi } : {}), ...(status.iccid ? { iccid: status.iccid } : {}) };
  if (status.imei || status.model) {
    fields.modem = {
      ...(status.manufacturer ? { manufacturer: status.manufacturer } : {}),
      ...(status.model ? { model: status.model } : {}),
      ...(status.revision ? { firmware: status.revision } : {}),
      ...(status.imei ? { imei: status.imei } : {}),
    };
  }
  return fields;
}

/** The settings the platform changed, kept across restarts (see `SettingsStore`). */
export interface AppliedSettings {
  apn?: ApnSettings;
  rat?: RatPreference;
}

export interface LinkBridgeOptions {
  driver: SessionDriver;
  link: AgentLink;
  clock: Clock;
  logger: Logger;
  /** Period of the status republish (signal refresh), ms. */
  statusIntervalMs: number;
  /** How long a command waits for the session to settle (online or backing off) before answering, ms. */
  commandSettleMs?: number;
  /** Persists settings changed by `set-apn` / `set-rat`. */
  saveSettings(settings: AppliedSettings): void;
  /** Aborted when the agent stops: commands stop waiting. */
  signal: AbortSignal;
}

/**
 * Wires the session to the link; returns a function that unwires it. Events (all `normal`
 * priority, through the outbox): `session.online` {ip, plan, attempt}, `session.reconnected`
 * {cause, downtimeMs}, `session.offline` {reason}, `registration.denied` / `session.refused` /
 * `sim.unavailable` {cause?, severity?, reason, retryInMs}.
 */
export function bridgeSessionToLink(options: LinkBridgeOptions): () => void {
  const { driver, link, clock, logger } = options;
  let lostAt: number | undefined;
  const publish = (status: SessionStatus = driver.status()): void => link.updateStatus(toStatusFields(status, driver.settings.apn.apn));
  const emit = (type: string, data: Record<string, unknown>): void => {
    try {
      link.emitEvent(type, data);
    } catch (error) {
      if (error instanceof OutboxFullError) logger.warn({ type, err: error.message }, 'event not recorded: outbox full');
      else logger.error({ type, err: error }, 'event not recorded');
    }
  };

  const onChange = (change: StateChange): void => {
    publish(change.status);
    const { status } = change;
    if (change.to === 'online') {
      emit('session.online', { ip: status.ip ?? null, plan: status.plan ?? null, attempt: status.attempt });
      if (lostAt !== undefined) {
        emit('session.reconnected', { cause: status.lastLoss ?? null, downtimeMs: change.at - lostAt });
        lostAt = undefined;
      }
    } else if (change.to === 'lost') {
      lostAt = change.at;
      emit('session.offline', { reason: status.lastLoss ?? null });
    } else if (change.to === 'backoff' && status.lastFailure) {
      const failure = status.lastFailure;
      const type =
        failure.kind === 'registration-rejected' ? 'registration.denied' : failure.kind === 'session-refused' ? 'session.refused' : failure.kind === 'sim-unavailable' ? 'sim.unavailable' : undefined;
      if (type) {
        emit(type, {
          reason: failure.reason,
          ...(failure.cause !== undefined ? { cause: failure.cause } : {}),
          ...(failure.severity ? { severity: failure.severity } : {}),
          retryInMs: status.nextAttemptAt !== undefined ? Math.max(0, status.nextAttemptAt - change.at) : null,
        });
      }
    }
  };
  const offChange = driver.onStateChange(onChange);
  publish();

  let timer: TimerHandle | undefined;
  const tick = (): void => {
    publish();
    timer = clock.setTimeout(tick, options.statusIntervalMs);
  };
  timer = clock.setTimeout(tick, options.statusIntervalMs);

  registerSessionCommands(options, publish);
  return () => {
    offChange();
    if (timer) clock.clearTimeout(timer);
  };
}

/** Resolves with the status once the session is online or backing off again, or after `ms`. */
function settled(driver: SessionDriver, clock: Clock, ms: number, signal: AbortSignal): Promise<SessionStatus> {
  return new Promise((resolve) => {
    const stopWaiting = new AbortController();
    const done = (): void => {
      off();
      stopWaiting.abort();
      signal.removeEventListener('abort', done);
      resolve(driver.status());
    };
    const off = driver.onStateChange((change) => {
      if (change.to === 'online' || change.to === 'backoff') done();
    });
    signal.addEventListener('abort', done, { once: true });
    clock.sleep(ms, stopWaiting.signal).then(done, () => undefined);
  });
}

function summary(status: SessionStatus): Record<string, unknown> {
  return {
    state: status.state,
    online: status.online,
    ...(status.ip ? { ip: status.ip } : {}),
    ...(status.lastFailure ? { lastFailure: status.lastFailure.reason } : {}),
    ...(status.nextAttemptAt !== undefined ? { nextAttemptAt: status.nextAttemptAt } : {}),
  };
}

class CommandRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function registerSessionCommands(options: LinkBridgeOptions, publish: () => void): void {
  const { driver, link, clock } = options;
  const settleMs = options.commandSettleMs ?? 60_000;
  const reattach = async (plan: Plan): Promise<Record<string, unknown>> => {
    const wait = settled(driver, clock, settleMs, options.signal);
    if (!driver.requestReconnect(plan)) throw new CommandRefused('STOPPING', 'the agent is shutting down');
    return summary(await wait);
  };
  link.handleCommand('reconnect', async () => ({ result: await reattach('reactivate') }));
  link.handleCommand('reboot-modem', async () => ({ result: await reattach('reset') }));
  link.handleCommand('refresh-status', async () => {
    const signal = await driver.refreshSignal();
    publish();
    return { result: { ...summary(driver.status()), ...(signal ? { signal } : {}) } };
  });
  link.handleCommand('set-apn', async (command) => {
    if (command.apn === '' || /["\r\n]/.test(command.apn) || /["\r\n]/.test(command.username ?? '') || /["\r\n]/.test(command.password ?? '')) {
      throw new CommandRefused('INVALID_APN', 'apn, username and password must be non-empty strings without quotes or line breaks');
    }
    const current = driver.settings.apn;
    const apn: ApnSettings = {
      apn: command.apn,
      user: command.username ?? current.user,
      password: command.password ?? current.password,
      auth: command.authType ?? current.auth,
    };
    const wait = settled(driver, clock, settleMs, options.signal);
    if (!driver.applySettings({ apn })) throw new CommandRefused('STOPPING', 'the agent is shutting down');
    options.saveSettings({ apn, rat: driver.settings.rat });
    // The password is never echoed back.
    return { result: { apn: apn.apn, auth: apn.auth, ...summary(await wait) } };
  });
  link.handleCommand('set-rat', async (command) => {
    if (command.rat === 'auto') throw new CommandRefused('UNSUPPORTED_RAT', "rat 'auto' is not supported: choose lte-m, nb-iot or lte");
    const wait = settled(driver, clock, settleMs, options.signal);
    if (!driver.applySettings({ rat: command.rat })) throw new CommandRefused('STOPPING', 'the agent is shutting down');
    options.saveSettings({ apn: driver.settings.apn, rat: command.rat });
    return { result: { rat: command.rat, ...summary(await wait) } };
  });
}
