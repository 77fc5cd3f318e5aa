/**
 * The fleet engine: provisions the gateways of a scenario (or one shard of them) on the platform
 * through its HTTP API, starts one simulated modem per gateway plus the host a `GatewayFactory`
 * makes (the real agent), plays the timeline on the one shared clock, and measures what the
 * report needs. SPEC §3 "fleet runner"; docs/fleet.md.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/log.js';
import type { NetworkGate } from '../../platform/contract/network-gate.js';
import { InProcessRegistry, createInProcessBinding } from '../index.js';
import { EsimSwitches } from './esim-enable.js';
import { FleetTally, HOUR, shouldBeOnline, type Gateway } from './fleet-gateway.js';
import { noteGateways } from './gateway-notes.js';
import type { GatewayFactory, GatewayHost } from './gateway-factory.js';
import { launchGateway } from './gateway-launch.js';
import { measureEsim, measureLink, readBills } from './measures.js';
import { OperatorClient } from './operator-client.js';
import type { FleetProgress } from './progress.js';
import { mapLimit } from './map-limit.js';
import { downloadCard, newEidPrefix, provisionCard, provisionFleet, type EsimDownloadKit } from './provisioning.js';
import type { GatewayCard } from './fleet-gateway.js';
import { ReadyTransfers } from './ready-transfer.js';
import { finishReport, type FleetReport } from './report.js';
import { DEFAULT_RECOVERY_BOUNDS_MS, type Scenario } from './scenario.js';
import { ActivityMeter, meteredClock, meteredGate, RealTimeDriver, runWhilePending, stopWhileRunning, VirtualTimeDriver, type TimeDriver } from './time-driver.js';
import { TimelineExecutor } from './timeline.js';

/** The platform the fleet runs against. */
export interface FleetPlatform {
  /** Base URL of its HTTP API. */
  url: string;
  /** The network gate the simulated radio asks (the platform's, in process). */
  gate: NetworkGate;
  /** Moves the shared virtual clock by `ms`, running the platform's due jobs in order. */
  advance?(ms: number): Promise<void>;
  /**
   * Every eSIM notification the platform took from devices, with what it made of it (the
   * in-process platform's log). Absent (a remote platform): "applied twice" is not checked.
   */
  esimNotifications?(): Promise<Array<{ eid: string; seqNumber: number; outcome: string }>>;
  /**
   * The SGP.22 download from this platform's SM-DP+ (the default eSIM step). Absent: only
   * `gateways.esimProvisioning: shortcut` can give eSIM gateways their profiles.
   */
  esimDownload?: EsimDownloadKit;
}

export interface RunFleetOptions {
  scenario: Scenario;
  factory: GatewayFactory;
  platform: FleetPlatform;
  /** The one clock of the run: a `VirtualClock` in virtual mode, the wall clock in real mode. */
  clock: Clock;
  shard?: { index: number; count: number };
  progress?: FleetProgress;
  logger?: Logger;
  /** Concurrent HTTP calls while provisioning and acting (default 16). */
  concurrency?: number;
  /**
   * Makes the time driver of a virtual-time run instead of the single-process one (a shard on a
   * barrier shared with other processes: `BarrierTimeDriver`).
   */
  driver?: (clock: VirtualClock, meter: ActivityMeter) => TimeDriver;
}

/** The eSIM gateways' cards with their ordered profiles: downloaded over SGP.22 (default) or by the shortcut. */
async function prepareCards(
  scenario: Scenario,
  ordered: ProvisionedCards,
  eidPrefix: string,
  kit: EsimDownloadKit | undefined,
  concurrency: number,
  progress: FleetProgress | undefined,
  clock: Clock,
): Promise<Map<number, GatewayCard>> {
  const cards = new Map<number, GatewayCard>();
  if (ordered.size === 0) return cards;
  const viaDownload = scenario.gateways.esimProvisioning === 'download';
  progress?.phase(viaDownload ? 'downloading eSIM profiles (SGP.22)' : 'installing eSIM profiles (shortcut)');
  await mapLimit([...ordered], concurrency, async ([index, card]) =>
    void cards.set(index, viaDownload ? await downloadCard(eidPrefix, index, card, kit!, clock) : provisionCard(eidPrefix, index, card)),
  );
  return cards;
}

type ProvisionedCards = Awaited<ReturnType<typeof provisionFleet>>['cards'];

const TRAFFIC_PERIOD_MS = 15 * 60_000;

/** Runs a scenario to its end and returns the report (`ok` false when an expectation failed). */
export async function runFleet(options: RunFleetOptions): Promise<FleetReport> {
  const { scenario, factory, platform, clock } = options;
  const logger = options.logger ?? silentLogger();
  const progress = options.progress;
  const concurrency = options.concurrency ?? 16;
  if (scenario.mode === 'virtual' && !(clock instanceof VirtualClock)) throw new Error('a virtual-time scenario needs a VirtualClock');
  if (scenario.gateways.esim > 0 && scenario.gateways.esimProvisioning === 'download' && !platform.esimDownload) {
    throw new Error("the eSIM gateways download their profiles from the platform's SM-DP+ (SGP.22), which needs the platform's card PKI: run in process, against a shared platform that certifies the shard's EUM (its own test CI), or set gateways.esimProvisioning: shortcut (docs/fleet.md)");
  }

  const wallStart = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampleRss = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const meter = new ActivityMeter();
  const sharedClock = clock instanceof VirtualClock ? meteredClock(clock, meter) : clock;
  const driver: TimeDriver =
    clock instanceof VirtualClock
      ? (options.driver?.(clock, meter) ?? new VirtualTimeDriver({ clock, meter, ...(platform.advance ? { advance: (ms) => platform.advance!(ms) } : {}) }))
      : new RealTimeDriver(clock);
  const crashMessages: string[] = [];
  const onCrash = (error: unknown): void => {
    crashMessages.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    logger.error({ err: error }, 'uncaught error during the fleet run');
  };
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);

  const operator = new OperatorClient(platform.url);
  const tally = new FleetTally(scenario.duration, { ...DEFAULT_RECOVERY_BOUNDS_MS, ...scenario.expect.recoveryTime });
  const actions: Record<string, number> = {};
  const refused = { count: 0 };
  const switches = new EsimSwitches();
  const transfers = new ReadyTransfers();
  const gateways: Gateway[] = [];
  const unsubscribe: (() => void)[] = [];
  // Hosts that report busy changes hold the meter (O(1) per settle turn); the others are asked.
  const polled: GatewayHost[] = [];
  meter.addProbe(() => polled.some((host) => host.busy?.() === true));

  try {
    // 1. Provision: a sandbox operator and one registered SIM per gateway, through the API.
    progress?.phase('provisioning SIMs');
    await operator.init(`fleet-${randomUUID()}@cellgate.test`, `fleet-${randomUUID()}`);
    // A run tag keeps device ids and EIDs apart from other runs (and shards) on the same platform.
    const runTag = randomUUID().slice(0, 8);
    const eidPrefix = newEidPrefix();
    const fleet = await provisionFleet({ scenario, operator, driver, concurrency, runTag, ...(options.shard ? { shard: options.shard } : {}), ...(progress ? { progress } : {}) });

    // 2. One modem and one host per gateway, on the shared clock.
    progress?.phase('starting gateways');
    const viaDownload = scenario.gateways.esimProvisioning === 'download';
    const esimCards = await prepareCards(scenario, fleet.cards, eidPrefix, platform.esimDownload, concurrency, progress, clock);
    const registry = new InProcessRegistry();
    const launch = { scenario, factory, gate: meteredGate(platform.gate, meter), clock: sharedClock, registry, binding: createInProcessBinding(registry), meter, tally, polled, unsubscribe };
    for (const spec of fleet.specs) {
      gateways.push(await launchGateway(launch, spec, fleet.links.get(spec.index), esimCards.get(spec.index)));
    }
    const profilesOnCards = [...esimCards.values()].reduce((n, card) => n + card.profiles.length, 0);

    // Shards on one barrier start their gateways on the same instant, as one process would.
    await driver.rendezvous?.();
    const start = driver.now();
    tally.begin(start);
    progress?.begin(start, scenario.duration, gateways.length);
    tally.whenAllOnline(gateways.length, () => progress?.allOnline?.(performance.now() - wallStart, gateways.length));
    coldStart(gateways, sharedClock, scenario.gateways.startSpread);
    const stopTraffic = sendTraffic(gateways, sharedClock, scenario.gateways.trafficBytesPerHour);
    const report = (): void => {
      sampleRss();
      progress?.update(driver.now(), gateways.filter((g) => g.online).length);
    };

    // 3. The timeline.
    progress?.phase('running');
    const timeline = new TimelineExecutor({
      scenario, gateways, operator, platformUrl: platform.url, clock: sharedClock, driver, meter, tally, concurrency, logger,
      spares: fleet.spares, actions, refused, switches, transfers,
    });
    for (const event of scenario.timeline) {
      await driver.runUntil(start + event.at, report);
      progress?.log(`${new Date(driver.now()).toISOString()} ${event.do} → ${await timeline.apply(event)}`);
    }
    await driver.runUntil(start + scenario.duration, report);
    stopTraffic();
    // eSIM switches still running (their HTTP calls wait on the device) finish on the moving clock.
    await runWhilePending(driver, switches.inFlight);
    await driver.settle();
    const end = driver.now();
    sampleRss();
    // The series and the faults stop here: the shutdown below is not part of the run.
    const series = tally.series.finish();
    const faults = tally.faults.finish(end);
    const notable = noteGateways(gateways, start, end);
    const linkFigures = await measureLink(operator, gateways, scenario.link, concurrency, gateways.every((g) => g.host.onDelivery !== undefined));
    const esimFigures = await measureEsim({
      operator, gateways, switches, orders: fleet.esimOrders,
      ...(platform.esimNotifications ? { notifications: () => platform.esimNotifications!() } : {}),
    });

    // 4. Measure.
    const online = gateways.filter((g) => g.host.online()).length;
    const shouldBe = gateways.filter((g) => shouldBeOnline(g) && g.heldUntil <= end).length;
    const billing = await readBills(operator, start, end);
    const hostCrashes = gateways.flatMap((g) => g.host.crashes?.() ?? []);

    // 5. Shut down: agents deactivate politely, which needs the clock to keep moving.
    progress?.phase('stopping');
    await stopWhileRunning(driver, gateways.map((g) => g.host.stop()));

    return finishReport({
      version: 2,
      scenario: scenario.name,
      mode: scenario.mode,
      shards: options.shard ? [options.shard] : [],
      gateways: gateways.length,
      simulatedMs: end - start,
      wallMs: Math.round(performance.now() - wallStart),
      hops: driver.hops,
      peakRssBytes: peakRss,
      attachTimesMs: tally.attachTimes,
      online: { atEnd: online, shouldBeOnline: shouldBe },
      reconnects: {
        total: gateways.reduce((a, g) => a + g.reconnects, 0),
        attempts: gateways.reduce((a, g) => a + g.attempts, 0),
        maxAttemptsPerHour: Math.max(0, ...gateways.map((g) => g.maxPerHour)),
      },
      faults,
      operator: { calls: operator.calls + (transfers.destination?.calls ?? 0), actions, failed: refused.count },
      notifications: {
        available: esimFigures.gateways > 0 && scenario.link,
        delivered: esimFigures.notifications.delivered,
        lost: esimFigures.notifications.pending,
      },
      link: linkFigures,
      esim: { ...esimFigures, provisioned: { download: viaDownload ? profilesOnCards : 0, shortcut: viaDownload ? 0 : profilesOnCards } },
      transfers: transfers.figures(),
      billing,
      crashes: crashMessages.length + hostCrashes.length,
      crashMessages: [...crashMessages, ...hostCrashes].slice(0, 20),
      series,
      notable,
      expect: scenario.expect,
    });
  } finally {
    driver.close?.();
    for (const off of unsubscribe) off();
    progress?.stop();
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    await Promise.allSettled(gateways.map((g) => g.modem.close()));
    await factory.close?.();
  }
}

/** Starts the hosts spread evenly over `spread` ms, so the fleet does not attach in one instant. */
function coldStart(gateways: readonly Gateway[], clock: Clock, spread: number): void {
  gateways.forEach((gw, i) => {
    const startOne = (): void => {
      gw.startedAt = clock.now();
      gw.host.start();
    };
    const delay = gateways.length > 1 ? Math.floor((spread * i) / gateways.length) : 0;
    if (delay === 0) startOne();
    else clock.setTimeout(startOne, delay);
  });
}

/** Application traffic keeps sessions busy (and billable) between usage reports; returns the stop. */
function sendTraffic(gateways: readonly Gateway[], clock: Clock, bytesPerHour: number): () => void {
  const perPeriod = (bytesPerHour * TRAFFIC_PERIOD_MS) / HOUR;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const send = (): void => {
    for (const gw of gateways) if (gw.online) gw.modem.modem.addTraffic(1, Math.round(perPeriod), Math.round(perPeriod / 4));
    timer = clock.setTimeout(send, TRAFFIC_PERIOD_MS);
  };
  if (perPeriod > 0) timer = clock.setTimeout(send, TRAFFIC_PERIOD_MS);
  return () => {
    if (timer) clock.clearTimeout(timer);
  };
}
