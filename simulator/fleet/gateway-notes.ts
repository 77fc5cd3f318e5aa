/**
 * The gateways worth a look in the report: the slowest to attach on the cold start and the most
 * troubled, each with its own timeline. Only the top few travel in the report (and merge by
 * re-ranking), so a 10,000-gateway report stays small.
 */

/** One step of a gateway's story, `t` ms from the start of the run. */
export interface TraceEntry {
  t: number;
  e: 'online' | 'offline' | 'fault';
  /** The fault's kind (`e: fault`). */
  kind?: string;
}

/** How many entries a gateway keeps (the latest; the state before them is kept too). */
export const TRACE_LIMIT = 200;
/** How many gateways each list of the report names. */
export const NOTES_PER_LIST = 10;

/** What the notes are drawn from (fields of the runner's `Gateway`). */
export interface TracedGateway {
  spec: { index: number; dialect: string; region: string };
  link?: { deviceId: string };
  imsi: string;
  online: boolean;
  startedAt?: number;
  attachedAt?: number;
  reconnects: number;
  attempts: number;
  faultsHit: number;
  faultsUnrecovered: number;
  /** Offline time (ms) after the first attach while its SIM should be online. */
  offlineMs: number;
  offlineSince?: number;
  trace: TraceEntry[];
  /** Online state at the start of `trace` (entries before it were dropped). */
  traceStartsOnline: boolean;
}

export interface GatewayNote {
  index: number;
  /** Device id on the platform (link on), else the IMSI. */
  device: string;
  dialect: string;
  region: string;
  /** Cold-start attach time (ms); null: never attached. */
  attachMs: number | null;
  reconnects: number;
  attempts: number;
  offlineMs: number;
  faults: number;
  unrecovered: number;
  onlineAtEnd: boolean;
  startsOnline: boolean;
  timeline: TraceEntry[];
}

export interface GatewayNotes {
  slowest: GatewayNote[];
  troubled: GatewayNote[];
}

/** Appends to a gateway's trace, dropping the oldest entries beyond `TRACE_LIMIT`. */
export function traceStep(gw: TracedGateway, entry: TraceEntry): void {
  gw.trace.push(entry);
  if (gw.trace.length > TRACE_LIMIT) {
    const dropped = gw.trace.splice(0, gw.trace.length - TRACE_LIMIT);
    for (const d of dropped) if (d.e !== 'fault') gw.traceStartsOnline = d.e === 'online';
  }
}

const bySlowest = (a: GatewayNote, b: GatewayNote): number => (b.attachMs ?? Infinity) - (a.attachMs ?? Infinity) || a.index - b.index;
const byTrouble = (a: GatewayNote, b: GatewayNote): number =>
  b.unrecovered - a.unrecovered || b.offlineMs - a.offlineMs || b.reconnects - a.reconnects || b.attempts - a.attempts || a.index - b.index;
const troubled = (n: GatewayNote): boolean => n.unrecovered > 0 || n.offlineMs > 0 || n.reconnects > 0;

/** The notes of a run at its end (`end`, clock time; `start` is the run's origin). */
export function noteGateways(gateways: readonly TracedGateway[], start: number, end: number, limit = NOTES_PER_LIST): GatewayNotes {
  const note = (gw: TracedGateway): GatewayNote => ({
    index: gw.spec.index,
    device: gw.link?.deviceId ?? gw.imsi,
    dialect: gw.spec.dialect,
    region: gw.spec.region,
    attachMs: gw.attachedAt === undefined ? null : gw.attachedAt - (gw.startedAt ?? start),
    reconnects: gw.reconnects,
    attempts: gw.attempts,
    offlineMs: gw.offlineMs + (gw.offlineSince !== undefined ? end - gw.offlineSince : 0),
    faults: gw.faultsHit,
    unrecovered: gw.faultsUnrecovered,
    onlineAtEnd: gw.online,
    startsOnline: gw.traceStartsOnline,
    timeline: gw.trace,
  });
  const lists = rank(gateways.map(note), limit);
  // Copies of the few traces named: the gateways' own traces go on during the shutdown.
  const copy = (n: GatewayNote): GatewayNote => ({ ...n, timeline: [...n.timeline] });
  return { slowest: lists.slowest.map(copy), troubled: lists.troubled.map(copy) };
}

/** Ranks notes into the two lists (also how shard notes merge). */
export function rank(notes: readonly GatewayNote[], limit = NOTES_PER_LIST): GatewayNotes {
  return {
    slowest: [...notes].sort(bySlowest).slice(0, limit),
    troubled: notes.filter(troubled).sort(byTrouble).slice(0, limit),
  };
}

/** Merges the shards' lists (gateway indexes are unique across shards). */
export function mergeNotes(parts: ReadonlyArray<GatewayNotes | undefined>, limit = NOTES_PER_LIST): GatewayNotes {
  const seen = new Map<number, GatewayNote>();
  for (const p of parts) for (const n of [...(p?.slowest ?? []), ...(p?.troubled ?? [])]) seen.set(n.index, n);
  return rank([...seen.values()], limit);
}
