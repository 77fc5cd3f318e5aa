/**
 * The steps that bring a module up to the point where it can register: sync, identify, SIM,
 * configure (docs/agent.md, "States").
 */
import { AtPortClosedError } from '../at/errors.js';
import { at, okCommand } from '../modem/commands.js';
import { chooseDialect, dialectById } from '../modem/dialects.js';
import type { RegistrationDomain } from '../modem/registration.js';
import type { SessionContext } from './session-context.js';
import { StepFailure } from './step-failure.js';

/** `AT` until OK (up to `syncAttempts`), then echo off and verbose errors. */
export async function sync(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { syncAttempts, syncTimeoutMs } = ctx.config.timings;
  let answered = false;
  for (let i = 0; i < syncAttempts && !signal.aborted; i++) {
    try {
      await ctx.port.send(at.ping(syncTimeoutMs));
      answered = true;
      break;
    } catch (error) {
      if (error instanceof AtPortClosedError) throw error;
      // A timeout already took syncTimeoutMs; an ERROR (garbage in the line) is retried at once.
    }
  }
  if (!answered) throw new StepFailure({ kind: 'transient', step: 'sync', reason: 'module does not answer AT' });
  ctx.modem.echoOff = false;
  await ctx.port.send(at.echoOff());
  ctx.modem.echoOff = true;
  try {
    await ctx.port.send(at.verboseErrors());
  } catch (error) {
    if (error instanceof AtPortClosedError) throw error;
    // nRF91 refuses AT+CMEE=2 (vshymanskyy/TinyGSM#486): numeric +CME ERROR codes then.
    await ctx.port.send(okCommand('AT+CMEE=1'));
  }
}

/** Reads the module's identity, picks its dialect and runs the dialect's init script. */
export async function identify(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { port } = ctx;
  const manufacturer = await port.optional(at.manufacturer());
  let model = await port.optional(at.model());
  const revision = await port.optional(at.revision());
  const imei = await port.optional(at.imei());
  let atiModel: string | undefined;
  if (!model) {
    const ati = await port.optional(at.info());
    atiModel = ati?.model;
    model = atiModel;
  }
  const { dialect, reason } = ctx.config.dialect === 'auto' ? chooseDialect(model, atiModel) : { dialect: dialectById(ctx.config.dialect), reason: 'configured' };
  ctx.modem.dialect = dialect;
  ctx.modem.needsResync = false;
  ctx.modem.domains = [...dialect.registration];
  ctx.modem.registrations = {};
  Object.assign(ctx.facts, { manufacturer, model, revision, imei, dialect: dialect.id });
  ctx.log.info({ manufacturer, model, revision, imei, dialect: dialect.id, reason }, 'modem identified');
  await port.script(dialect.init, signal);
}

/** `AT+CPIN?` until `READY` (a locked SIM fails at once), then IMSI and ICCID. */
export async function waitSim(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { simTimeoutMs, simPollMs } = ctx.config.timings;
  const deadline = ctx.clock.now() + simTimeoutMs;
  let last = 'unknown';
  for (;;) {
    try {
      const pin = await ctx.port.send(at.pin());
      if (pin === 'ready') break;
      last = pin;
      if (pin === 'sim-pin' || pin === 'sim-puk') {
        throw new StepFailure({ kind: 'sim-unavailable', step: 'sim', reason: `SIM is locked (${pin})`, severity: 'permanent' });
      }
    } catch (error) {
      if (error instanceof StepFailure || error instanceof AtPortClosedError) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (ctx.clock.now() >= deadline) {
      throw new StepFailure({ kind: 'sim-unavailable', step: 'sim', reason: `SIM not ready: ${last}`, severity: 'temporary' });
    }
    await ctx.clock.sleep(simPollMs, signal);
  }
  const imsi = await ctx.port.optional(at.imsi());
  const iccid = await ctx.port.optional(ctx.modem.dialect!.iccid);
  Object.assign(ctx.facts, { imsi, iccid });
}

/** RAT and APN per dialect, registration reporting with causes, packet-domain event reporting. */
export async function configure(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { port } = ctx;
  const dialect = ctx.modem.dialect!;
  await port.script(dialect.rat(ctx.config.rat), signal);
  await port.script(dialect.apn(ctx.config.apn), signal);
  ctx.modem.domains = await enableRegistrationReports(ctx, dialect.registration);
  await port.script([{ command: at.packetEvents(), optional: true }], signal);
}

/**
 * Turns on the registration URCs the dialect reads: `+CEREG` with reject causes (n=3, else 2),
 * `+CGREG`/`+CREG` with locations (n=2). A report the module refuses is left out; when it refuses
 * every packet one, `+CREG` is the last resort (docs/agent.md, "Registration").
 */
async function enableRegistrationReports(ctx: SessionContext, wanted: readonly RegistrationDomain[]): Promise<RegistrationDomain[]> {
  const { port } = ctx;
  const enabled: RegistrationDomain[] = [];
  const tryReport = async (domain: RegistrationDomain, modes: readonly number[]): Promise<boolean> => {
    for (const n of modes) {
      try {
        await port.send(at.reportRegistration(domain, n));
        return true;
      } catch (error) {
        if (error instanceof AtPortClosedError) throw error;
      }
    }
    return false;
  };
  for (const domain of wanted) {
    // Cause reporting (n=3) is optional in 27.007; fall back to location reporting.
    const modes = domain === 'eps' ? (ctx.config.ceregMode === 3 ? [3, 2] : [2]) : [2];
    if (await tryReport(domain, modes)) enabled.push(domain);
  }
  if (enabled.length === 0 && (await tryReport('cs', [2]))) enabled.push('cs');
  if (enabled.length === 0) throw new StepFailure({ kind: 'transient', step: 'configure', reason: 'the module refuses every registration report (+CEREG, +CGREG, +CREG)' });
  return enabled;
}
