/**
 * The steps of the data session: register, activate (or adopt a session that survived),
 * deactivate; and the cause a refusal carries (3GPP TS 24.301 EMM / ESM causes via `AT+CEER`).
 */
import { AtError, AtPortClosedError, AtTimeoutError } from '../at/errors.js';
import { classifyEmmCause, classifyEsmCause } from '../modem/causes.js';
import { at } from '../modem/commands.js';
import { effectiveRegistration, isRegistered, type Registration } from '../modem/registration.js';
import { registrationDenied, type Failure } from './machine.js';
import type { ModemPort } from './modem-port.js';
import type { SessionContext } from './session-context.js';
import { noteRegistration } from './session-status.js';
import { StepFailure } from './step-failure.js';

/**
 * Reads the registration of each domain in use (`AT+CEREG?`, and `AT+CGREG?` on 2G/3G modules)
 * once, then waits: a registration URC normally ends the wait (the machine moves on and aborts
 * `signal`); a slow poll covers a lost URC.
 */
export async function register(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { registrationTimeoutMs, registrationPollMs } = ctx.config.timings;
  const deadline = ctx.clock.now() + registrationTimeoutMs;
  for (;;) {
    const registration = await readRegistrations(ctx);
    if (signal.aborted) return;
    if (registration) {
      noteRegistration(ctx.facts, registration, ctx.config.rat);
      if (isRegistered(registration.stat)) return;
      if (registration.stat === 3) throw new StepFailure(await diagnoseRejection(ctx.port, registrationDenied(registration.rejectCause)));
    }
    const left = deadline - ctx.clock.now();
    if (left <= 0) throw new StepFailure({ kind: 'transient', step: 'register', reason: 'not registered in time' });
    await ctx.clock.sleep(Math.min(registrationPollMs, left), signal);
  }
}

/** Reads every registration report in use; the deciding one (registration.ts, effectiveRegistration). */
async function readRegistrations(ctx: SessionContext): Promise<Registration | undefined> {
  for (const domain of ctx.modem.domains) {
    try {
      const expectedMode = domain === 'eps' ? undefined : 2;
      ctx.modem.registrations[domain] = await ctx.port.send(at.readRegistration(domain, expectedMode));
    } catch (error) {
      if (error instanceof AtPortClosedError) throw error;
    }
  }
  return effectiveRegistration(ctx.modem.registrations, ctx.modem.domains);
}

/** Adopts a session that survived (a port blink), else activates and reads the address. */
export async function activate(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { port, facts } = ctx;
  const dialect = ctx.modem.dialect!;
  const stillActive = dialect.active ? await port.optional(dialect.active) : true;
  const existing = stillActive ? await port.optional(dialect.address) : undefined;
  if (existing) {
    ctx.counters.add('sessions_adopted');
    facts.ip = existing;
    return;
  }
  try {
    await port.script(dialect.activate(), signal);
  } catch (error) {
    if (!(error instanceof AtError) || error instanceof AtPortClosedError || error instanceof AtTimeoutError) throw error;
    throw await refusal(port, error.message);
  }
  const { addressPolls, addressPollMs } = ctx.config.timings;
  let address: string | undefined;
  for (let i = 0; i < addressPolls && !signal.aborted; i++) {
    address = await port.optional(dialect.address);
    if (address) break;
    await ctx.clock.sleep(addressPollMs, signal);
  }
  if (signal.aborted) return;
  if (!address) throw await refusal(port, 'no IP address after activation');
  facts.ip = address;
  const signalQuality = await port.optional(at.signal());
  if (signalQuality) facts.signal = signalQuality;
  const operator = await port.optional(at.operator());
  if (operator?.name) facts.operator = operator.name;
}

/** Closes the data session; false when there is none to close or the module refuses (already down). */
export async function deactivate(ctx: SessionContext): Promise<boolean> {
  const dialect = ctx.modem.dialect;
  if (!dialect || !ctx.port.isOpen) return false;
  for (const row of dialect.deactivate()) {
    try {
      await ctx.port.send(row.command);
    } catch (error) {
      ctx.log.debug({ err: error }, 'deactivation refused (already down?)');
      return false;
    }
  }
  delete ctx.facts.ip;
  return true;
}

/** Completes a registration reject with its EMM cause (`+CEREG` n=3, else `AT+CEER`) and severity. */
export async function diagnoseRejection(port: ModemPort, failure: Failure): Promise<Failure> {
  const cause = failure.cause ?? (await readCause(port));
  return { ...failure, ...(cause !== undefined ? { cause } : {}), severity: classifyEmmCause(cause) };
}

/**
 * A failed activation is a network refusal only when the module names a cause (`AT+CEER`);
 * the cause decides temporary vs permanent. Without one it is a transient fault.
 */
async function refusal(port: ModemPort, reason: string): Promise<StepFailure> {
  const cause = await readCause(port);
  if (cause === undefined) return new StepFailure({ kind: 'transient', step: 'activate', reason });
  return new StepFailure({ kind: 'session-refused', step: 'activate', reason, cause, severity: classifyEsmCause(cause) });
}

async function readCause(port: ModemPort): Promise<number | undefined> {
  try {
    const report = await port.send(at.errorReport());
    return report.cause;
  } catch {
    return undefined;
  }
}
