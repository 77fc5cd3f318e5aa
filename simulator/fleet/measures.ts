/**
 * End-of-run measures read back from the platform's API (and, in process, its eSIM log): bills,
 * the links as the platform saw them, and the eSIM figures. Pure reads: nothing here changes
 * the platform.
 */
import type { EsimSwitches } from './esim-enable.js';
import type { Gateway } from './fleet-gateway.js';
import { mapLimit } from './map-limit.js';
import type { OperatorClient } from './operator-client.js';
import type { FleetReport } from './report.js';

/** Statement totals of every month the run touched, when the platform has a billing API. */
export async function readBills(operator: OperatorClient, from: number, to: number): Promise<FleetReport['billing']> {
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

/**
 * The platform's view of the links: retained statuses, stored events (duplicates by key), and
 * lost events — keys an agent's outbox accepted that left it (acknowledged or rejected) but the
 * platform never stored, compared per device by idempotency key. `deliveryTracked`: the hosts
 * report their outboxes (else the lost figures stay 0 and `lostEvents` is skipped).
 */
export async function measureLink(operator: OperatorClient, gateways: readonly Gateway[], enabled: boolean, concurrency: number, deliveryTracked: boolean): Promise<FleetReport['link']> {
  const linked = gateways.filter((g) => g.link);
  const figures: FleetReport['link'] = {
    enabled, devices: linked.length, statusOnline: 0, sessionAgrees: 0, events: 0, duplicateEvents: 0,
    deliveryTracked, acceptedEvents: 0, lostEvents: 0, pendingEvents: 0, lostEventKeys: [],
  };
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
    // The outbox's side first: whatever left it by now was stored before the ack, so the read
    // below must see it; whatever is still pending may or may not be stored.
    const left = [...gw.events.left];
    const pending = gw.events.pending.size;
    const events = await operator.deviceEvents(gw.link!.deviceId);
    const stored = new Set(events.map((e) => e.key));
    figures.events += events.length;
    figures.duplicateEvents += events.length - stored.size;
    figures.acceptedEvents += left.length + pending;
    figures.pendingEvents += pending;
    for (const key of left) {
      if (stored.has(key)) continue;
      figures.lostEvents++;
      if (figures.lostEventKeys.length < 10) figures.lostEventKeys.push(`${gw.link!.deviceId} ${key}`);
    }
  });
  return figures;
}

export interface EsimMeasureInput {
  operator: OperatorClient;
  gateways: readonly Gateway[];
  switches: EsimSwitches;
  /** Every eSIM profile order of the run. */
  orders: readonly string[];
  /** The platform's log of eSIM notifications (in process only); absent: appliedTwice is not checked. */
  notifications?: () => Promise<Array<{ eid: string; seqNumber: number; outcome: string }>>;
}

/** eSIM figures: what the cards still hold, what the platform applied (and how often), profile states. */
export async function measureEsim(input: EsimMeasureInput): Promise<FleetReport['esim']> {
  const { operator, switches } = input;
  const cards = input.gateways.filter((g) => g.esim);
  const pending = cards.reduce((a, g) => a + g.esim!.euicc.notifications().length, 0);
  const eids = new Set(cards.map((g) => g.esim!.eid));
  let delivered = 0;
  let appliedTwice = 0;
  let checked = false;
  if (input.notifications && cards.length > 0) {
    checked = true;
    const applied = new Map<string, number>();
    const seen = new Set<string>();
    for (const n of await input.notifications()) {
      if (!eids.has(n.eid)) continue;
      const key = `${n.eid}:${n.seqNumber}`;
      seen.add(key);
      if (n.outcome === 'applied') applied.set(key, (applied.get(key) ?? 0) + 1);
    }
    delivered = seen.size;
    appliedTwice = [...applied.values()].filter((c) => c > 1).length;
  }
  const statusByIccid = new Map<string, string>();
  for (const orderId of input.orders) for (const p of await operator.orderedProfiles(orderId)) statusByIccid.set(p.iccid, p.profileStatus);
  return {
    gateways: cards.length,
    switches: { sent: switches.sent, ok: switches.ok, failed: switches.failed, errors: switches.errors.slice(0, 10) },
    notifications: { delivered, pending, appliedTwice, checked },
    activated: { expected: switches.switchedTo.length, actual: switches.switchedTo.filter((iccid) => statusByIccid.get(iccid) === 'ACTIVATION_SUCCEEDED').length },
  };
}
