/**
 * The fleet engine: draws the gateways of a scenario (or one shard of them), creates their SIMs
 * on the platform through its HTTP API, starts one simulated modem per gateway plus the host a
 * `GatewayFactory` makes (the real agent), plays the timeline on the one shared clock, and
 * measures what the report needs. SPEC §3 "fleet runner"; docs/fleet.md.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/log.js';
import type { NetworkGate } from '../../platform/contract/network-gate.js';
import { startSimulatedModem, InProcessRegistry, createInProcessBinding, Euicc, type SimulatedModemHandle } from '../index.js';
import { enableOnCard } from './esim-card.js';
import type { GatewayFactory, GatewayHost, GatewaySpec, HostLink } from './gateway-factory.js';
import { ApiError, OperatorClient } from './operator-client.js';
import type { FleetProgress } from './progress.js';
import { finishReport, type FleetReport } from './report.js';
import { LATENCY_PROFILES, type FleetDialect, type InitialStatus, type LatencyProfile, type Scenario, type TimelineEvent } from './scenario.js';
import { seededRandom } from '../seeded-random.js';
import { pickWeighted, sample, shardIndices } from './selection.js';
import { ActivityMeter, meteredClock, RealTimeDriver, VirtualTimeDriver, type TimeDriver } from './time-driver.js';

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
}

const ONLINE_STATUSES: readonly string[] = ['active', 'ready'];
const ACTION_STATUS: Record<string, string> = { activate: 'active', deactivate: 'inactive', suspend: 'suspended', standby: 'standby' };
const HOUR = 3_600_000;
const TRAFFIC_PERIOD_MS = 15 * 60_000;

interface Gateway {
  spec: GatewaySpec;
  modem: SimulatedModemHandle;
  host: GatewayHost;
  intendedStatus: string;
  startedAt?: number;
  attachedAt?: number;
  online: boolean;
  reconnects: number;
  attempts: number;
  /** Attempt times within the last hour (sliding window). */
  window: number[];
  maxPerHour: number;
  pendingFault?: string;
  /** Until when the gateway is kept offline on purpose (coverage loss, reject). */
  heldUntil: number;
  link?: HostLink;
  /** The eUICC and its two ordered profiles (eSIM gateways). */
  esim?: { euicc: Euicc; eid: string; profiles: OrderedProfile[]; orderId: string };
  /** The IMSI of the SIM / profile in use (changes after an eSIM switch). */
  imsi: string;
}

interface OrderedProfile {
  iccid: string;
  imsi: string;
  activationCode: string;
}

/** Profiles per eSIM order (the API's maximum quantity is 20). */
const PROFILES_PER_ORDER = 20;
/** [choice] eSIM gateways' profiles are ordered on planX1 (an eSIM order takes plan01s, planX1 or planP1). */
const ESIM_SUBSCRIPTION = 'planX1';
/** How long an eSIM switch may take before the command counts as failed (platform time). */
const ESIM_COMMAND_TIMEOUT_MS = 600_000;

/** Gateway `index` of `count` holds an eUICC: `esim` of them, spread evenly, the same in every shard. */
export function isEsimGateway(index: number, count: number, esim: number): boolean {
  return esim > 0 && Math.floor(((index + 1) * esim) / count) > Math.floor((index * esim) / count);
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Draws gateway `index` of the fleet (same draw in every shard). */
function drawGateway(scenario: Scenario, index: number): Omit<GatewaySpec, 'imsi' | 'iccid'> {
  const random = seededRandom(scenario.seed * 1_000_003 + index);
  const g = scenario.gateways;
  return {
    index,
    dialect: pickWeighted(g.dialects, random) as FleetDialect,
    latency: pickWeighted(g.latency, random) as LatencyProfile,
    plan: pickWeighted(g.plans, random),
    initialStatus: pickWeighted(g.initialStatus, random) as InitialStatus,
    region: pickWeighted(g.regions, random),
  };
}

/** Runs a scenario to its end and returns the report (`ok` false when an expectation failed). */
export async function runFleet(options: RunFleetOptions): Promise<FleetReport> {
  const { scenario, factory, platform, clock } = options;
  const logger = options.logger ?? silentLogger();
  const progress = options.progress;
  const concurrency = options.concurrency ?? 16;
  if (scenario.mode === 'virtual' && !(clock instanceof VirtualClock)) throw new Error('a virtual-time scenario needs a VirtualClock');

  const wallStart = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampleRss = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const meter = new ActivityMeter();
  const sharedClock = clock instanceof VirtualClock ? meteredClock(clock, meter) : clock;
  const driver: TimeDriver =
    clock instanceof VirtualClock
      ? new VirtualTimeDriver({ clock, meter, ...(platform.advance ? { advance: (ms) => platform.advance!(ms) } : {}) })
      : new RealTimeDriver(clock);
  const gate = meteredGate(platform.gate, meter);
  const crashMessages: string[] = [];
  const onCrash = (error: unknown): void => {
    crashMessages.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    logger.error({ err: error }, 'uncaught error during the fleet run');
  };
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);

  const operator = new OperatorClient(platform.url);
  const actions: Record<string, number> = {};
  let failedActions = 0;
  const injected: Record<string, number> = {};
  const recovered: Record<string, number> = {};
  const attachTimes: number[] = [];
  const registry = new InProcessRegistry();
  const binding = createInProcessBinding(registry);
  const gateways: Gateway[] = [];
  const groups = new Map<string, Gateway[]>();
  const unsubscribe: (() => void)[] = [];
  // A run tag keeps device ids and EIDs apart from other runs (and shards) on the same platform.
  const runTag = randomUUID().slice(0, 8);
  const eidPrefix = `89049032${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
  const esimOrders: string[] = [];
  const switches: Array<Promise<void>> = [];
  const esimStats = { sent: 0, ok: 0, failed: 0, switchedTo: [] as string[], errors: [] as string[] };
  const transfers = { issued: 0, verified: 0, failed: 0 };
  const spares: string[] = [];
  let destination: OperatorClient | undefined;
  // Hosts that report busy changes hold the meter (O(1) per settle turn); the others are asked.
  const polled: GatewayHost[] = [];
  meter.addProbe(() => polled.some((host) => host.busy?.() === true));

  try {
    // 1. Provision: a sandbox operator and one registered SIM per gateway, through the API.
    progress?.phase('provisioning SIMs');
    await operator.init(`fleet-${randomUUID()}@cellgate.test`, `fleet-${randomUUID()}`);
    const indices = options.shard ? shardIndices(scenario.gateways.count, options.shard) : [...Array(scenario.gateways.count).keys()];
    const specs: GatewaySpec[] = [];
    const esimIndices = indices.filter((i) => isEsimGateway(i, scenario.gateways.count, scenario.gateways.esim));
    const esimProfiles = await orderEsimProfiles(esimIndices.length);
    const esimOf = new Map<number, { profiles: OrderedProfile[]; orderId: string }>();
    esimIndices.forEach((index, n) => esimOf.set(index, esimProfiles[n]!));
    const links = new Map<number, HostLink>();
    await mapLimit(indices, concurrency, async (index) => {
      const drawn = drawGateway(scenario, index);
      const esim = esimOf.get(index);
      const sim = esim ? { imsi: esim.profiles[0]!.imsi, iccid: esim.profiles[0]!.iccid } : await operator.createSim(drawn.plan);
      if (drawn.initialStatus !== 'ready') await operator.act(sim.imsi, drawn.initialStatus === 'standby' ? 'standby' : initialAction(drawn.initialStatus));
      if (scenario.link) {
        const deviceId = `fleet-${runTag}-${index}`;
        const issued = await operator.registerDevice(deviceId);
        links.set(index, { deviceId, url: issued.mqttUrl, password: issued.password });
      }
      specs.push({ ...drawn, imsi: sim.imsi, iccid: sim.iccid });
      progress?.provisioned(specs.length, indices.length);
    });
    specs.sort((a, b) => a.index - b.index);
    const spareIndices = options.shard ? shardIndices(scenario.gateways.spareSims, options.shard) : [...Array(scenario.gateways.spareSims).keys()];
    await mapLimit(spareIndices, concurrency, async () => void spares.push((await operator.createSim('plan01s')).imsi));

    // 2. One modem and one host per gateway, on the shared clock.
    progress?.phase('starting gateways');
    for (const spec of specs) {
      const speed = LATENCY_PROFILES[spec.latency];
      const ordered = esimOf.get(spec.index);
      const esim = ordered ? provisionCard(spec.index, ordered) : undefined;
      const link = links.get(spec.index);
      const modem = await startSimulatedModem({
        dialect: spec.dialect,
        ...(esim ? { sim: esim.euicc } : { imsi: spec.imsi, ...(spec.iccid ? { iccid: spec.iccid } : {}) }),
        gate,
        clock: sharedClock,
        latency: speed === 0 ? 'zero' : 'realistic',
        speed,
        usageReportIntervalMs: scenario.modem.usageReportIntervalMs,
        expose: { inProcess: true },
        registry,
      });
      unsubscribe.push(modem.modem.onOutput(() => meter.bump()));
      const host = await factory.createHost({
        spec,
        port: modem.inProcessPath!,
        binding,
        clock: sharedClock,
        settings: scenario.agent,
        ...(link ? { link } : {}),
        esim: esim !== undefined,
      });
      const gw: Gateway = {
        spec, modem, host, intendedStatus: spec.initialStatus, online: false, reconnects: 0, attempts: 0, window: [], maxPerHour: 0, heldUntil: 0,
        imsi: spec.imsi, ...(link ? { link } : {}), ...(esim ? { esim } : {}),
      };
      unsubscribe.push(host.onStateChange((change) => onChange(gw, change.online, change.at, change.attempts)));
      if (host.onBusyChange) {
        let release: (() => void) | undefined;
        const off = host.onBusyChange((busy) => {
          if (busy && !release) release = meter.hold();
          else if (!busy && release) {
            release();
            release = undefined;
          }
        });
        unsubscribe.push(() => {
          off();
          release?.();
        });
      } else if (host.busy) polled.push(host);
      gateways.push(gw);
    }

    const start = driver.now();
    progress?.begin(start, scenario.duration, gateways.length);
    const spread = scenario.gateways.startSpread;
    gateways.forEach((gw, i) => {
      const startOne = (): void => {
        gw.startedAt = sharedClock.now();
        gw.host.start();
      };
      const delay = gateways.length > 1 ? Math.floor((spread * i) / gateways.length) : 0;
      if (delay === 0) startOne();
      else sharedClock.setTimeout(startOne, delay);
    });

    // Application traffic keeps sessions busy (and billable) between usage reports.
    let trafficTimer: ReturnType<Clock['setTimeout']> | undefined;
    const perPeriod = (scenario.gateways.trafficBytesPerHour * TRAFFIC_PERIOD_MS) / HOUR;
    const sendTraffic = (): void => {
      for (const gw of gateways) if (gw.online) gw.modem.modem.addTraffic(1, Math.round(perPeriod), Math.round(perPeriod / 4));
      trafficTimer = sharedClock.setTimeout(sendTraffic, TRAFFIC_PERIOD_MS);
    };
    if (perPeriod > 0) trafficTimer = sharedClock.setTimeout(sendTraffic, TRAFFIC_PERIOD_MS);

    const report = (): void => {
      sampleRss();
      progress?.update(driver.now(), gateways.filter((g) => g.online).length);
    };

    // 3. The timeline.
    progress?.phase('running');
    for (const event of scenario.timeline) {
      await driver.runUntil(start + event.at, report);
      progress?.log(`${new Date(driver.now()).toISOString()} ${event.do} → ${await applyEvent(event)}`);
    }
    await driver.runUntil(start + scenario.duration, report);
    if (trafficTimer) sharedClock.clearTimeout(trafficTimer);
    // eSIM switches still running (their HTTP calls wait on the device) finish on the moving clock.
    await runWhilePending(switches);
    await driver.settle();
    const end = driver.now();
    sampleRss();
    const linkFigures = await measureLink();
    const esimFigures = await measureEsim();

    // 4. Measure.
    const online = gateways.filter((g) => g.host.online()).length;
    const shouldBeOnline = gateways.filter((g) => ONLINE_STATUSES.includes(g.intendedStatus) && g.heldUntil <= end).length;
    for (const gw of gateways) {
      if (gw.pendingFault && gw.host.online()) credit(gw);
    }
    const billing = await readBills(start, end);
    const hostCrashes = gateways.flatMap((g) => g.host.crashes?.() ?? []);

    // 5. Shut down: agents deactivate politely, which needs the clock to keep moving.
    progress?.phase('stopping');
    await stopAll();

    return finishReport({
      version: 1,
      scenario: scenario.name,
      mode: scenario.mode,
      shards: options.shard ? [options.shard] : [],
      gateways: gateways.length,
      simulatedMs: end - start,
      wallMs: Math.round(performance.now() - wallStart),
      hops: driver.hops,
      peakRssBytes: peakRss,
      attachTimesMs: attachTimes,
      online: { atEnd: online, shouldBeOnline },
      reconnects: {
        total: gateways.reduce((a, g) => a + g.reconnects, 0),
        attempts: gateways.reduce((a, g) => a + g.attempts, 0),
        maxAttemptsPerHour: Math.max(0, ...gateways.map((g) => g.maxPerHour)),
      },
      faults: { injected, recovered },
      operator: { calls: operator.calls + (destination?.calls ?? 0), actions, failed: failedActions },
      notifications: {
        available: esimFigures.gateways > 0 && scenario.link,
        delivered: esimFigures.notifications.delivered,
        lost: esimFigures.notifications.pending,
      },
      link: linkFigures,
      esim: esimFigures,
      transfers,
      billing,
      crashes: crashMessages.length + hostCrashes.length,
      crashMessages: [...crashMessages, ...hostCrashes].slice(0, 20),
      expect: scenario.expect,
    });
  } finally {
    for (const off of unsubscribe) off();
    progress?.stop();
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    await Promise.allSettled(gateways.map((g) => g.modem.close()));
    await factory.close?.();
  }

  function onChange(gw: Gateway, isOnline: boolean, at: number, attempts: number): void {
    for (let n = gw.attempts; n < attempts; n++) {
      gw.window.push(at);
      while (gw.window.length > 0 && gw.window[0]! <= at - HOUR) gw.window.shift();
      gw.maxPerHour = Math.max(gw.maxPerHour, gw.window.length);
    }
    gw.attempts = Math.max(gw.attempts, attempts);
    if (isOnline && !gw.online) {
      if (gw.attachedAt === undefined) {
        gw.attachedAt = at;
        attachTimes.push(at - (gw.startedAt ?? at));
      } else gw.reconnects++;
      if (gw.pendingFault && at >= gw.heldUntil) credit(gw);
    }
    gw.online = isOnline;
  }

  function credit(gw: Gateway): void {
    recovered[gw.pendingFault!] = (recovered[gw.pendingFault!] ?? 0) + 1;
    gw.pendingFault = undefined;
  }

  function targets(event: TimelineEvent, pool: readonly Gateway[] = gateways): Gateway[] {
    const t = event.target;
    const random = seededRandom(scenario.seed * 7919 + event.index + 1);
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

  function markFault(gw: Gateway, kind: string, liftAt: number): void {
    injected[kind] = (injected[kind] ?? 0) + 1;
    gw.pendingFault = kind;
    gw.heldUntil = Math.max(gw.heldUntil, liftAt);
  }

  /** Lifts a lasting event later on the shared clock; credits gateways already back online. */
  function liftLater(hit: Gateway[], ms: number, lift: (gw: Gateway) => void): void {
    sharedClock.setTimeout(() => {
      for (const gw of hit) {
        lift(gw);
        if (gw.pendingFault && gw.host.online() && gw.online) credit(gw);
      }
    }, ms);
  }

  async function applyEvent(event: TimelineEvent): Promise<string> {
    if (event.do === 'esim-enable') {
      const before = switches.length;
      const message = esimEnable(event);
      // The command and its answer cross real sockets: move time in small steps until they land.
      await runWhilePending(switches.slice(before));
      return `${message}: ${esimStats.ok} ok, ${esimStats.failed} failed so far`;
    }
    if (event.do === 'ready-transfer') return readyTransfer(event);
    const hit = targets(event);
    if (event.as) groups.set(event.as, hit);
    const now = sharedClock.now();
    const lasting = event.for ?? 0;
    const f = (gw: Gateway) => gw.modem.modem.faults;
    switch (event.do) {
      case 'activate':
      case 'deactivate':
      case 'suspend':
      case 'standby':
      case 'delete-session': {
        let ok = 0;
        await meter.track(() =>
          mapLimit(hit, concurrency, async (gw) => {
            const wasOnline = gw.online;
            try {
              await operator.act(gw.imsi, event.do);
              ok++;
              actions[event.do] = (actions[event.do] ?? 0) + 1;
              const status = ACTION_STATUS[event.do];
              if (status) gw.intendedStatus = status;
              else if (wasOnline) markFault(gw, 'session-deleted', now);
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              failedActions++;
              logger.info({ imsi: gw.spec.imsi, action: event.do, code: error.code }, 'operator action refused');
            }
          }),
        );
        return `${ok} of ${hit.length} accepted`;
      }
      case 'coverage-loss':
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now + lasting);
          f(gw).coverage(false);
        }
        liftLater(hit, lasting, (gw) => f(gw).coverage(true));
        return `${hit.length} gateways out of coverage for ${lasting} ms`;
      case 'registration-reject': {
        const cause = event.cause ?? 15;
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now + lasting);
          f(gw).rejectRegistration(cause);
        }
        liftLater(hit, lasting, (gw) => f(gw).rejectRegistration(undefined));
        return `${hit.length} gateways rejected with EMM #${cause} for ${lasting} ms`;
      }
      case 'port-drop': {
        const ms = lasting || 5000;
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now + ms);
          f(gw).dropPort(ms);
        }
        return `${hit.length} ports dropped for ${ms} ms`;
      }
      case 'reboot':
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now);
          f(gw).reboot();
        }
        return `${hit.length} modules rebooted`;
      case 'pdp-deactivation':
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now);
          f(gw).deactivatePdp();
        }
        return `${hit.length} PDP contexts deactivated by the network`;
      case 'garbage':
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now + lasting);
          f(gw).garbage(event.garbage ?? 'inject');
        }
        liftLater(hit, lasting, (gw) => f(gw).garbage('off'));
        return `${hit.length} modules answering with garbage for ${lasting} ms`;
      case 'mute':
        for (const gw of hit) {
          if (gw.online) markFault(gw, event.do, now + lasting);
          f(gw).mute();
        }
        liftLater(hit, lasting, (gw) => f(gw).unmute());
        return `${hit.length} modules muted for ${lasting} ms`;
      default:
        throw new Error(`${event.do} is not available in this build`);
    }
  }

  /** Statement totals of every month the run touched, when the platform has a billing API. */
  async function readBills(from: number, to: number): Promise<FleetReport['billing']> {
    const months: Record<string, number> = {};
    const d = new Date(from);
    let cursor = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    while (cursor <= to) {
      const m = new Date(cursor);
      const key = `${m.getUTCFullYear()}${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
      let bill;
      try {
        bill = await operator.bill(key);
      } catch (error) {
        return { available: false, total: 0, months: {}, error: (error as Error).message };
      }
      if (bill === undefined) return { available: false, total: 0, months: {} };
      months[key] = bill.amount;
      cursor = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
    }
    return { available: true, total: Object.values(months).reduce((a, b) => a + b, 0), months };
  }

  /** Orders two profiles per eSIM gateway through the API and waits (on the run's clock) until provisioned. */
  async function orderEsimProfiles(gatewayCount: number): Promise<Array<{ profiles: OrderedProfile[]; orderId: string }>> {
    if (gatewayCount === 0) return [];
    progress?.phase('ordering eSIM profiles');
    const out: Array<{ profiles: OrderedProfile[]; orderId: string }> = [];
    for (let left = gatewayCount * 2; left > 0; left -= PROFILES_PER_ORDER) {
      const quantity = Math.min(PROFILES_PER_ORDER, left);
      const orderId = await operator.orderProfiles(ESIM_SUBSCRIPTION, quantity);
      esimOrders.push(orderId);
      for (let i = 0; ; i++) {
        const { status } = await operator.profileOrder(orderId);
        if (status === 'COMPLETED') break;
        if (status === 'FAILED' || i >= 600) throw new Error(`eSIM profile order ${orderId} ended ${status}`);
        await driver.runUntil(driver.now() + 5_000);
      }
      const profiles = await operator.orderedProfiles(orderId);
      for (let p = 0; p + 1 < profiles.length; p += 2) out.push({ profiles: [profiles[p]!, profiles[p + 1]!], orderId });
    }
    return out;
  }

  /** The eUICC of one gateway: both ordered profiles installed (provisioning shortcut), the first enabled. */
  function provisionCard(index: number, ordered: { profiles: OrderedProfile[]; orderId: string }): NonNullable<Gateway['esim']> {
    const eid = `${eidPrefix}${String(index).padStart(16, '0')}`;
    const euicc = new Euicc({ eid });
    for (const p of ordered.profiles) euicc.installFromActivationCode(p.activationCode, { iccid: p.iccid, imsi: p.imsi });
    enableOnCard(euicc, ordered.profiles[0]!.iccid);
    return { euicc, eid, profiles: ordered.profiles, orderId: ordered.orderId };
  }

  /** Keeps the clock moving until `pending` settle (commands whose answer needs device work). */
  async function runWhilePending(pending: readonly Promise<void>[]): Promise<void> {
    let done = false;
    const all = Promise.allSettled(pending).then(() => {
      done = true;
    });
    // One virtual second per real millisecond at most: MQTT over loopback keeps up with that.
    for (let i = 0; !done && i < 3600; i++) {
      if (driver.mode === 'virtual') await driver.runUntil(driver.now() + 1000);
      await new Promise((resolve) => setTimeout(resolve, driver.mode === 'virtual' ? 1 : 100));
    }
    await all;
  }

  /** `esim-enable`: the platform sends enable-profile (the other profile) to each hit eSIM gateway. */
  function esimEnable(event: TimelineEvent): string {
    const hit = targets(event, gateways.filter((g) => g.esim && g.link));
    if (event.as) groups.set(event.as, hit);
    for (const gw of hit) {
      const esim = gw.esim!;
      const other = esim.profiles.find((p) => p.imsi !== gw.imsi)!;
      esimStats.sent++;
      // Not tracked by the meter: the answer needs the device to work on the moving clock.
      switches.push(
        operator
          .sendCommand(gw.link!.deviceId, { name: 'enable-profile', iccid: other.iccid }, ESIM_COMMAND_TIMEOUT_MS)
          .then((result) => {
            const outcome = result.result as { ok?: boolean } | undefined;
            if (result.status === 'ok' && outcome?.ok !== false) {
              esimStats.ok++;
              esimStats.switchedTo.push(other.iccid);
              gw.imsi = other.imsi;
              // The new profile's subscriber is Ready: it may attach.
              gw.intendedStatus = 'ready';
            } else {
              esimStats.failed++;
              esimStats.errors.push(`${gw.link!.deviceId}: ${result.status} ${JSON.stringify(result.error ?? result.result ?? null)}`);
            }
          })
          .catch((error: unknown) => {
            esimStats.failed++;
            esimStats.errors.push(`${gw.link!.deviceId}: ${(error as Error).message}`);
          }),
      );
    }
    return `enable-profile sent to ${hit.length} eSIM gateways`;
  }

  /**
   * `ready-transfer`: a share of the fleet's Ready SIMs (as the platform shows them: spare eSIM
   * profiles, SIMs never used) marked transferable, a token issued to a second operator, who
   * verifies it.
   */
  async function readyTransfer(event: TimelineEvent): Promise<string> {
    const candidates = [...new Set([...spares, ...gateways.map((g) => g.imsi), ...gateways.flatMap((g) => g.esim?.profiles.map((p) => p.imsi) ?? [])])];
    const ready: string[] = [];
    await meter.track(() =>
      mapLimit(candidates, concurrency, async (imsi) => {
        if ((await operator.getSubscriber(imsi)).status === 'ready') ready.push(imsi);
      }),
    );
    ready.sort();
    const t = event.target;
    const random = seededRandom(scenario.seed * 7919 + event.index + 1);
    const n = t.kind === 'count' ? Math.min(t.count, ready.length) : t.kind === 'percent' ? Math.round((t.percent / 100) * ready.length) : ready.length;
    const chosen = sample(ready, n, random);
    if (chosen.length === 0) return 'no Ready SIMs to transfer';
    await meter.track(async () => {
      if (!destination) {
        destination = new OperatorClient(platform.url);
        await destination.init(`fleet-dest-${randomUUID()}@cellgate.test`, `fleet-${randomUUID()}`);
      }
      await mapLimit(chosen, concurrency, (imsi) => operator.setTransferable(imsi));
      for (let i = 0; i < chosen.length; i += 100) {
        const batch = chosen.slice(i, i + 100);
        try {
          const token = await operator.issueTransferToken(batch, { operatorId: destination.operatorId, email: destination.email });
          transfers.issued += batch.length;
          transfers.verified += (await destination.verifyTransferToken(token)).length;
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          transfers.failed += batch.length;
          logger.warn({ err: error.message }, 'ready transfer refused');
        }
      }
    });
    actions['ready-transfer'] = (actions['ready-transfer'] ?? 0) + transfers.verified;
    return `${chosen.length} of ${ready.length} Ready SIMs: ${transfers.verified} transferred`;
  }

  /** The platform's view of the links: retained statuses and stored events (duplicates by key). */
  async function measureLink(): Promise<FleetReport['link']> {
    const linked = gateways.filter((g) => g.link);
    const figures: FleetReport['link'] = { enabled: scenario.link, devices: linked.length, statusOnline: 0, sessionAgrees: 0, events: 0, duplicateEvents: 0 };
    if (linked.length === 0) return figures;
    // Retained statuses travel over real sockets: give them (wall) time to land before reading.
    let statuses = new Map<string, { online: boolean; session?: { state: string } } | null>();
    for (let i = 0; i < 50; i++) {
      statuses = new Map((await operator.listDevices()).map((d) => [d.deviceId, d.status]));
      const agree = linked.every((g) => statuses.get(g.link!.deviceId)?.online === true && (statuses.get(g.link!.deviceId)?.session?.state === 'up') === g.host.online());
      if (agree) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const gw of linked) {
      const status = statuses.get(gw.link!.deviceId);
      if (status?.online) figures.statusOnline++;
      if ((status?.session?.state === 'up') === gw.host.online()) figures.sessionAgrees++;
    }
    await mapLimit(linked, concurrency, async (gw) => {
      const events = await operator.deviceEvents(gw.link!.deviceId);
      figures.events += events.length;
      figures.duplicateEvents += events.length - new Set(events.map((e) => e.key)).size;
    });
    return figures;
  }

  /** eSIM figures: what the cards still hold, what the platform applied (and how often), profile states. */
  async function measureEsim(): Promise<FleetReport['esim']> {
    const cards = gateways.filter((g) => g.esim);
    const pending = cards.reduce((a, g) => a + g.esim!.euicc.notifications().length, 0);
    const eids = new Set(cards.map((g) => g.esim!.eid));
    let delivered = 0;
    let appliedTwice = 0;
    let checked = false;
    if (platform.esimNotifications && cards.length > 0) {
      checked = true;
      const applied = new Map<string, number>();
      const seen = new Set<string>();
      for (const n of await platform.esimNotifications()) {
        if (!eids.has(n.eid)) continue;
        const key = `${n.eid}:${n.seqNumber}`;
        seen.add(key);
        if (n.outcome === 'applied') applied.set(key, (applied.get(key) ?? 0) + 1);
      }
      delivered = seen.size;
      appliedTwice = [...applied.values()].filter((c) => c > 1).length;
    }
    const statusByIccid = new Map<string, string>();
    for (const orderId of esimOrders) for (const p of await operator.orderedProfiles(orderId)) statusByIccid.set(p.iccid, p.profileStatus);
    return {
      gateways: cards.length,
      switches: { sent: esimStats.sent, ok: esimStats.ok, failed: esimStats.failed, errors: esimStats.errors.slice(0, 10) },
      notifications: { delivered, pending, appliedTwice, checked },
      activated: { expected: esimStats.switchedTo.length, actual: esimStats.switchedTo.filter((iccid) => statusByIccid.get(iccid) === 'ACTIVATION_SUCCEEDED').length },
    };
  }

  async function stopAll(): Promise<void> {
    let stopped = false;
    const stopping = Promise.allSettled(gateways.map((g) => g.host.stop())).then(() => {
      stopped = true;
    });
    for (let i = 0; !stopped && i < 600; i++) {
      if (driver.mode === 'virtual') await driver.runUntil(driver.now() + 1000);
      else await driver.settle();
    }
    await stopping;
  }
}

function initialAction(status: InitialStatus): string {
  return status === 'active' ? 'activate' : status === 'inactive' ? 'deactivate' : 'suspend';
}

/** The platform's gate, with every call tracked so the driver waits for it before moving time. */
function meteredGate(gate: NetworkGate, meter: ActivityMeter): NetworkGate {
  return {
    attach: (r) => meter.track(() => gate.attach(r)),
    createSession: (r) => meter.track(() => gate.createSession(r)),
    ...(gate.modifySession ? { modifySession: (r) => meter.track(() => gate.modifySession!(r)) } : {}),
    closeSession: (c) => meter.track(() => gate.closeSession(c)),
    reportUsage: (u) => meter.track(() => gate.reportUsage(u)),
    onSessionDeleteOrder: (handler) =>
      gate.onSessionDeleteOrder((order) => {
        meter.bump();
        handler(order);
      }),
  };
}
