/**
 * The steps that bring a module up to the point where it can register: sync, identify, SIM,
 * configure (docs/agent.md, "States").
 */
import { AtPortClosedError } from '../at/errors.js';
import { at } from '../modem/commands.js';
import { dialectById, pickDialect } from '../modem/dialects.js';
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
  await ctx.port.send(at.echoOff());
  await ctx.port.send(at.verboseErrors());
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
  const dialect = ctx.config.dialect === 'auto' ? pickDialect(model, atiModel) : dialectById(ctx.config.dialect);
  ctx.modem.dialect = dialect;
  ctx.modem.needsResync = false;
  Object.assign(ctx.facts, { manufacturer, model, revision, imei, dialect: dialect.id });
  ctx.log.info({ manufacturer, model, revision, imei, dialect: dialect.id }, 'modem identified');
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
  try {
    await port.send(at.registrationReporting(ctx.config.ceregMode));
  } catch (error) {
    if (ctx.config.ceregMode !== 3 || error instanceof AtPortClosedError) throw error;
    // Cause reporting (n=3) is optional in 27.007; fall back to location reporting.
    await port.send(at.registrationReporting(2));
  }
  await port.script([{ command: at.packetEvents(), optional: true }], signal);
}
