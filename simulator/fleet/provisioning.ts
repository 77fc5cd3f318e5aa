/**
 * Provisioning through the platform's HTTP API only, as an operator would: one SIM (or, for eSIM
 * gateways, two ordered profiles) per gateway in its initial status, a device registration when
 * the scenario links agents, and the spare Ready SIMs on the shelf.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { Euicc } from '../index.js';
import type { EuiccIdentitySource } from '../euicc/index.js';
import { enableOnCard } from './esim-card.js';
import type { GatewayCard, OrderedCard } from './fleet-gateway.js';
import type { GatewaySpec, HostLink } from './gateway-factory.js';
import { mapLimit } from './map-limit.js';
import type { OperatorClient } from './operator-client.js';
import type { FleetProgress } from './progress.js';
import type { InitialStatus, Scenario } from './scenario.js';
import { drawGateway, indicesOf, isEsimGateway } from './selection.js';
import type { TimeDriver } from './time-driver.js';

/** Profiles per eSIM order (the API's maximum quantity is 20). */
const PROFILES_PER_ORDER = 20;
/** [choice] eSIM gateways' profiles are ordered on planX1 (an eSIM order takes plan01s, planX1 or planP1). */
const ESIM_SUBSCRIPTION = 'planX1';

export interface ProvisionInput {
  scenario: Scenario;
  operator: OperatorClient;
  driver: TimeDriver;
  shard?: { index: number; count: number };
  concurrency: number;
  /** Keeps device ids apart from other runs (and shards) on the same platform. */
  runTag: string;
  progress?: FleetProgress;
}

export interface ProvisionedFleet {
  /** This shard's gateways, by index. */
  specs: GatewaySpec[];
  /** The ordered profiles of each eSIM gateway, by index. */
  cards: Map<number, OrderedCard>;
  /** The MQTT link of each gateway, by index (scenario.link). */
  links: Map<number, HostLink>;
  /** IMSIs of the spare Ready SIMs. */
  spares: string[];
  /** Every eSIM profile order placed. */
  esimOrders: string[];
}

/** Creates everything the fleet's gateways need on the platform. */
export async function provisionFleet(input: ProvisionInput): Promise<ProvisionedFleet> {
  const { scenario, operator, concurrency, progress } = input;
  const count = scenario.gateways.count;
  const indices = indicesOf(count, input.shard);
  const esimIndices = indices.filter((i) => isEsimGateway(i, count, scenario.gateways.esim));
  const esimOrders: string[] = [];
  const ordered = await orderEsimProfiles(input, esimIndices.length, esimOrders);
  const cards = new Map<number, OrderedCard>();
  esimIndices.forEach((index, n) => cards.set(index, ordered[n]!));
  const links = new Map<number, HostLink>();
  const specs: GatewaySpec[] = [];
  await mapLimit(indices, concurrency, async (index) => {
    const drawn = drawGateway(scenario, index);
    const card = cards.get(index);
    const sim = card ? { imsi: card.profiles[0]!.imsi, iccid: card.profiles[0]!.iccid } : await operator.createSim(drawn.plan);
    if (drawn.initialStatus !== 'ready') await operator.act(sim.imsi, initialAction(drawn.initialStatus));
    if (scenario.link) {
      const deviceId = `fleet-${input.runTag}-${index}`;
      const issued = await operator.registerDevice(deviceId);
      links.set(index, { deviceId, url: issued.mqttUrl, password: issued.password });
    }
    specs.push({ ...drawn, imsi: sim.imsi, iccid: sim.iccid });
    progress?.provisioned(specs.length, indices.length);
  });
  specs.sort((a, b) => a.index - b.index);
  const spares: string[] = [];
  await mapLimit(indicesOf(scenario.gateways.spareSims, input.shard), concurrency, async () => void spares.push((await operator.createSim('plan01s')).imsi));
  return { specs, cards, links, spares, esimOrders };
}

/** A random EID prefix per run, so cards of different runs on one platform never share an EID. */
export function newEidPrefix(): string {
  return `89049032${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

const cardEid = (eidPrefix: string, index: number): string => `${eidPrefix}${String(index).padStart(16, '0')}`;

/**
 * The eUICC of one gateway: both ordered profiles installed by the provisioning shortcut (no
 * protocol: the explicit `gateways.esimProvisioning: shortcut`), the first enabled.
 */
export function provisionCard(eidPrefix: string, index: number, ordered: OrderedCard): GatewayCard {
  const eid = cardEid(eidPrefix, index);
  const euicc = new Euicc({ eid });
  for (const p of ordered.profiles) euicc.installFromActivationCode(p.activationCode, { iccid: p.iccid, imsi: p.imsi });
  enableOnCard(euicc, ordered.profiles[0]!.iccid);
  return { euicc, eid, profiles: ordered.profiles, orderId: ordered.orderId };
}

/**
 * The real SGP.22 download of the platform's SM-DP+ into a card, and the card identity that SM-DP+
 * trusts. Supplied by the composition (the simulator never imports the agent's LPA).
 */
export interface EsimDownloadKit {
  /** The EUM that signs each card's certificate and the CIs the cards trust (the platform's test PKI). */
  pki: Extract<EuiccIdentitySource, { eum: unknown }>;
  /** One download of `activationCode` into `card`; rejects when the SM-DP+ or the card refused. */
  download(card: Euicc, activationCode: string): Promise<{ iccid: string }>;
}

/**
 * The eUICC of one gateway, as the default eSIM step leaves it: both ordered profiles downloaded
 * from the platform's SM-DP+ by the full SGP.22 protocol (their install notifications stay on the
 * card for the gateway's agent to deliver), the first enabled.
 */
export async function downloadCard(eidPrefix: string, index: number, ordered: OrderedCard, kit: EsimDownloadKit, clock: Clock): Promise<GatewayCard> {
  const eid = cardEid(eidPrefix, index);
  // The run's clock: the card's certificate and its validity checks live on the platform's time.
  const euicc = new Euicc({ eid, pki: kit.pki, clock });
  for (const p of ordered.profiles) {
    const { iccid } = await kit.download(euicc, p.activationCode);
    if (iccid !== p.iccid) throw new Error(`the download of ${p.activationCode} installed ${iccid}, not the ordered ${p.iccid}`);
  }
  enableOnCard(euicc, ordered.profiles[0]!.iccid);
  return { euicc, eid, profiles: ordered.profiles, orderId: ordered.orderId };
}

/** Orders two profiles per eSIM gateway through the API and waits (on the run's clock) until provisioned. */
async function orderEsimProfiles(input: ProvisionInput, gatewayCount: number, orders: string[]): Promise<OrderedCard[]> {
  if (gatewayCount === 0) return [];
  const { operator, driver } = input;
  input.progress?.phase('ordering eSIM profiles');
  const out: OrderedCard[] = [];
  for (let left = gatewayCount * 2; left > 0; left -= PROFILES_PER_ORDER) {
    const orderId = await operator.orderProfiles(ESIM_SUBSCRIPTION, Math.min(PROFILES_PER_ORDER, left));
    orders.push(orderId);
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

/** The operator action that puts a new (Ready) SIM in `status`. */
function initialAction(status: Exclude<InitialStatus, 'ready'>): string {
  return status === 'active' ? 'activate' : status === 'inactive' ? 'deactivate' : status === 'standby' ? 'standby' : 'suspend';
}
