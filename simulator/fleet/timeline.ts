/**
 * Plays one timeline event on the fleet: picks its targets (seeded, so runs repeat) and applies
 * it, one function per kind. Returns the line the progress log shows. docs/fleet.md "Timeline".
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { SimulatedModemHandle } from '../index.js';
import { enableOtherProfile, type EsimSwitches } from './esim-enable.js';
import type { FleetTally, Gateway } from './fleet-gateway.js';
import { mapLimit } from './map-limit.js';
import { ApiError, type OperatorClient } from './operator-client.js';
import { readyTransfer, type ReadyTransfers } from './ready-transfer.js';
import type { Scenario, TimelineEvent } from './scenario.js';
import { eventRandom, sample } from './selection.js';
import { runWhilePending, type ActivityMeter, type TimeDriver } from './time-driver.js';

/** What the timeline acts on and where it counts what it did. */
export interface TimelineContext {
  scenario: Scenario;
  gateways: readonly Gateway[];
  operator: OperatorClient;
  /** Base URL of the platform's API (the ready-transfer destination operator signs up there). */
  platformUrl: string;
  clock: Clock;
  driver: TimeDriver;
  meter: ActivityMeter;
  tally: FleetTally;
  concurrency: number;
  logger: Logger;
  spares: readonly string[];
  /** Accepted operator actions by kind (ready-transfer: SIMs transferred). */
  actions: Record<string, number>;
  /** Operator actions the platform refused. */
  refused: { count: number };
  switches: EsimSwitches;
  transfers: ReadyTransfers;
}

/** Plays timeline events; keeps the hit sets named by `as` for later events. */
export class TimelineExecutor {
  private readonly groups = new Map<string, Gateway[]>();

  constructor(private readonly ctx: TimelineContext) {}

  async apply(event: TimelineEvent): Promise<string> {
    switch (event.do) {
      case 'esim-enable':
        return this.esimEnable(event);
      case 'ready-transfer':
        return readyTransfer(this.ctx, event);
      case 'activate':
      case 'deactivate':
      case 'suspend':
      case 'standby':
      case 'delete-session':
        return this.operatorAction(event, this.targets(event));
      default:
        return this.radioEvent(event, this.targets(event));
    }
  }

  /** The gateways of `pool` an event hits; named by `as` for later events. */
  private targets(event: TimelineEvent, pool: readonly Gateway[] = this.ctx.gateways): Gateway[] {
    const hit = pick(this.ctx.scenario, event, pool, this.groups);
    if (event.as) this.groups.set(event.as, hit);
    return hit;
  }

  private async esimEnable(event: TimelineEvent): Promise<string> {
    const { switches, gateways } = this.ctx;
    const hit = this.targets(event, gateways.filter((g) => g.esim && g.link));
    const sent = enableOtherProfile(this.ctx, hit);
    // The command and its answer cross real sockets: move time in small steps until they land.
    await runWhilePending(this.ctx.driver, sent);
    return `enable-profile sent to ${hit.length} eSIM gateways: ${switches.ok} ok, ${switches.failed} failed so far`;
  }

  /** An operator action on each hit SIM through the API; a refusal is counted, not fatal. */
  private async operatorAction(event: TimelineEvent, hit: Gateway[]): Promise<string> {
    const { operator, meter, concurrency, tally, actions, logger } = this.ctx;
    const now = this.ctx.clock.now();
    let ok = 0;
    await meter.track(() =>
      mapLimit(hit, concurrency, async (gw) => {
        const wasOnline = gw.online;
        try {
          await operator.act(gw.imsi, event.do);
          ok++;
          actions[event.do] = (actions[event.do] ?? 0) + 1;
          const status = ACTION_STATUS[event.do];
          if (status) {
            gw.intendedStatus = status;
            tally.statusChanged(gw, now);
          }
          // The session may already be down by the time the API answers: then it went down.
          else if (wasOnline) tally.markFault(gw, 'session-deleted', now, now, !gw.online);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          this.ctx.refused.count++;
          logger.info({ imsi: gw.spec.imsi, action: event.do, code: error.code }, 'operator action refused');
        }
      }),
    );
    return `${ok} of ${hit.length} accepted`;
  }

  /** A network event or a modem fault: injected on each hit modem, lifted later when it lasts. */
  private radioEvent(event: TimelineEvent, hit: Gateway[]): string {
    const effect = radioEffect(event);
    if (!effect) throw new Error(`${event.do} is not available in this build`);
    const now = this.ctx.clock.now();
    for (const gw of hit) {
      if (gw.online) this.ctx.tally.markFault(gw, event.do, now, now + effect.offlineMs);
      effect.inject(gw.modem.modem.faults);
    }
    const { lift } = effect;
    if (lift) this.liftLater(hit, event.for ?? 0, lift);
    return `${hit.length} ${effect.describe}`;
  }

  /** Lifts a lasting event later on the shared clock; settles gateways already back online. */
  private liftLater(hit: Gateway[], ms: number, lift: (faults: Faults) => void): void {
    const { clock, tally } = this.ctx;
    clock.setTimeout(() => {
      const now = clock.now();
      for (const gw of hit) {
        lift(gw.modem.modem.faults);
        tally.lifted(gw, now);
      }
    }, ms);
  }
}

const ACTION_STATUS: Record<string, string> = { activate: 'active', deactivate: 'inactive', suspend: 'suspended', standby: 'standby' };

type Faults = SimulatedModemHandle['modem']['faults'];

interface RadioEffect {
  /** How long a hit gateway that was online is expected to stay offline. */
  offlineMs: number;
  inject(faults: Faults): void;
  /** Undoes the event after `for` (absent: nothing to undo). */
  lift?: (faults: Faults) => void;
  /** The progress line after the hit count. */
  describe: string;
}

function radioEffect(event: TimelineEvent): RadioEffect | undefined {
  const lasting = event.for ?? 0;
  switch (event.do) {
    case 'coverage-loss':
      return { offlineMs: lasting, inject: (f) => f.coverage(false), lift: (f) => f.coverage(true), describe: `gateways out of coverage for ${lasting} ms` };
    case 'registration-reject': {
      const cause = event.cause ?? 15;
      return {
        offlineMs: lasting,
        inject: (f) => f.rejectRegistration(cause),
        lift: (f) => f.rejectRegistration(undefined),
        describe: `gateways rejected with EMM #${cause} for ${lasting} ms`,
      };
    }
    case 'port-drop': {
      const ms = lasting || 5000;
      return { offlineMs: ms, inject: (f) => f.dropPort(ms), describe: `ports dropped for ${ms} ms` };
    }
    case 'reboot':
      return { offlineMs: 0, inject: (f) => f.reboot(), describe: 'modules rebooted' };
    case 'pdp-deactivation':
      return { offlineMs: 0, inject: (f) => f.deactivatePdp(), describe: 'PDP contexts deactivated by the network' };
    case 'garbage':
      return {
        offlineMs: lasting,
        inject: (f) => f.garbage(event.garbage ?? 'inject'),
        lift: (f) => f.garbage('off'),
        describe: `modules answering with garbage for ${lasting} ms`,
      };
    case 'mute':
      return { offlineMs: lasting, inject: (f) => f.mute(), lift: (f) => f.unmute(), describe: `modules muted for ${lasting} ms` };
    default:
      return undefined;
  }
}

/** The seeded choice of an event's target among `pool`. */
function pick(scenario: Scenario, event: TimelineEvent, pool: readonly Gateway[], groups: ReadonlyMap<string, Gateway[]>): Gateway[] {
  const t = event.target;
  const random = eventRandom(scenario, event);
  switch (t.kind) {
    case 'all':
      return [...pool];
    case 'region':
      return pool.filter((g) => g.spec.region === t.region);
    case 'group':
      return (groups.get(t.group) ?? []).filter((g) => pool.includes(g));
    case 'count':
      return sample(pool, t.count, random);
    case 'percent':
      return sample(pool, Math.round((t.percent / 100) * pool.length), random);
  }
}
