/**
 * Starts one gateway: its simulated modem (SIM or eUICC) on the in-process serial registry and
 * the host the factory makes on that port, both on the shared clock, wired to the activity meter
 * so the virtual-time driver waits for their work.
 */
import type { Clock } from '../../common/clock.js';
import type { NetworkGate } from '../../platform/contract/network-gate.js';
import { startSimulatedModem, type InProcessRegistry } from '../index.js';
import { newGateway, type FleetTally, type Gateway, type GatewayCard } from './fleet-gateway.js';
import type { GatewayFactory, GatewayHost, GatewaySpec, HostInput, HostLink } from './gateway-factory.js';
import { LATENCY_PROFILES, type Scenario } from './scenario.js';
import type { ActivityMeter } from './time-driver.js';

/** What every gateway of a run shares. */
export interface LaunchContext {
  scenario: Scenario;
  factory: GatewayFactory;
  /** The metered gate and clock. */
  gate: NetworkGate;
  clock: Clock;
  registry: InProcessRegistry;
  binding: HostInput['binding'];
  meter: ActivityMeter;
  tally: FleetTally;
  /** Hosts with `busy()` but no `onBusyChange`: the meter asks them on every turn. */
  polled: GatewayHost[];
  /** Undo of every subscription made here, run when the run ends. */
  unsubscribe: Array<() => void>;
}

export async function launchGateway(ctx: LaunchContext, spec: GatewaySpec, link?: HostLink, card?: GatewayCard): Promise<Gateway> {
  const { meter, unsubscribe } = ctx;
  const speed = LATENCY_PROFILES[spec.latency];
  const modem = await startSimulatedModem({
    dialect: spec.dialect,
    ...(card ? { sim: card.euicc } : { imsi: spec.imsi, ...(spec.iccid ? { iccid: spec.iccid } : {}) }),
    gate: ctx.gate,
    clock: ctx.clock,
    latency: speed === 0 ? 'zero' : 'realistic',
    speed,
    usageReportIntervalMs: ctx.scenario.modem.usageReportIntervalMs,
    expose: { inProcess: true },
    registry: ctx.registry,
  });
  unsubscribe.push(modem.modem.onOutput(() => meter.bump()));
  const host = await ctx.factory.createHost({
    spec,
    port: modem.inProcessPath!,
    binding: ctx.binding,
    clock: ctx.clock,
    settings: ctx.scenario.agent,
    ...(link ? { link } : {}),
    esim: card !== undefined,
  });
  const gw = newGateway(spec, modem, host, link, card);
  unsubscribe.push(host.onStateChange((change) => ctx.tally.observe(gw, change)));
  if (host.onDelivery) unsubscribe.push(host.onDelivery((change) => ctx.tally.delivery(gw, change, ctx.clock.now())));
  if (host.onBusyChange) unsubscribe.push(holdWhileBusy(host.onBusyChange.bind(host), meter));
  else if (host.busy) ctx.polled.push(host);
  return gw;
}

/** Holds the meter while the host reports busy (O(1) per settle turn); returns the undo. */
function holdWhileBusy(onBusyChange: NonNullable<GatewayHost['onBusyChange']>, meter: ActivityMeter): () => void {
  let release: (() => void) | undefined;
  const off = onBusyChange((busy) => {
    if (busy && !release) release = meter.hold();
    else if (!busy && release) {
      release();
      release = undefined;
    }
  });
  return () => {
    off();
    release?.();
  };
}
