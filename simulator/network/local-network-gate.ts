import type {
  AttachDecision,
  AttachRequest,
  NetworkGate,
  SessionClosed,
  SessionDecision,
  SessionDeleteOrder,
  SessionRequest,
  SmsDeliverOrder,
  SmsDeliveryReport,
  UsageReport,
} from '../../platform/contract/network-gate.js';

/** A refusal the local gate gives to data sessions. */
export interface SessionRefusal {
  esmCause: number;
  permanent: boolean;
}

/** One live session the local gate granted. */
export interface LocalSession {
  readonly sessionId: string;
  readonly imsi: string;
  readonly imei: string;
  readonly apn: string;
  readonly ueIpAddress: string;
  readonly cell: SessionRequest['cell'];
}

export interface LocalNetworkGateOptions {
  /** IPv4 pool the UE addresses come from (CIDR). Default `10.128.0.0/16`. */
  ipPool?: string;
  /** DNS servers handed out with each session. */
  dnsServers?: string[];
}

/** Key that applies a rule to every IMSI. */
export const ANY_IMSI = '*';

function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid IPv4 pool '${cidr}' (expected a.b.c.d/n)`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`invalid IPv4 pool '${cidr}'`);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), size };
}

function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * The simulator's own network gate, for runs without the platform: attach is allowed unless a
 * reject cause is configured, sessions always get an address from the pool unless a refusal is
 * configured, usage is counted per IMSI, and `deleteSession` pushes a delete order to the modem
 * the way the platform's operator action will.
 */
export class LocalNetworkGate implements NetworkGate {
  private readonly pool: { base: number; size: number };
  private readonly dnsServers: string[];
  private readonly usedAddresses = new Set<number>();
  private readonly live = new Map<string, LocalSession & { address: number }>();
  private readonly attachRejects = new Map<string, number>();
  private readonly sessionRefusals = new Map<string, SessionRefusal>();
  private readonly counters = new Map<string, { uplinkBytes: number; downlinkBytes: number }>();
  private readonly deleteHandlers = new Set<(order: SessionDeleteOrder) => void>();
  private readonly smsHandlers = new Set<(order: SmsDeliverOrder) => void>();
  /** Message ids the radio side reported delivered, in order. */
  readonly deliveredSms: string[] = [];
  private nextSessionNumber = 1;
  private cursor = 1;

  constructor(options: LocalNetworkGateOptions = {}) {
    this.pool = parseCidr(options.ipPool ?? '10.128.0.0/16');
    this.dnsServers = options.dnsServers ?? ['100.127.0.53', '100.127.1.53'];
  }

  /** Rejects attaches of `imsi` (or every IMSI with `*`) with an EMM cause; undefined clears it. */
  setAttachReject(imsi: string, emmCause: number | undefined): void {
    if (emmCause === undefined) this.attachRejects.delete(imsi);
    else this.attachRejects.set(imsi, emmCause);
  }

  /** Refuses data sessions of `imsi` (or `*`) with an ESM cause; undefined clears it. */
  setSessionRefusal(imsi: string, refusal: SessionRefusal | undefined): void {
    if (refusal === undefined) this.sessionRefusals.delete(imsi);
    else this.sessionRefusals.set(imsi, refusal);
  }

  /** Network-initiated deletion of every live session of `imsi`; returns how many were deleted. */
  deleteSession(imsi: string): number {
    const doomed = [...this.live.values()].filter((s) => s.imsi === imsi);
    for (const session of doomed) {
      this.release(session.sessionId);
      for (const handler of [...this.deleteHandlers]) handler({ imsi, sessionId: session.sessionId });
    }
    return doomed.length;
  }

  /** Live sessions, oldest first. */
  listSessions(): LocalSession[] {
    return [...this.live.values()].map(({ address: _address, ...session }) => session);
  }

  /** Bytes reported so far for `imsi`. */
  usage(imsi: string): { uplinkBytes: number; downlinkBytes: number } {
    return { ...(this.counters.get(imsi) ?? { uplinkBytes: 0, downlinkBytes: 0 }) };
  }

  async attach(request: AttachRequest): Promise<AttachDecision> {
    const cause = this.attachRejects.get(request.imsi) ?? this.attachRejects.get(ANY_IMSI);
    return cause === undefined ? { allowed: true } : { allowed: false, emmCause: cause };
  }

  async createSession(request: SessionRequest): Promise<SessionDecision> {
    const refusal = this.sessionRefusals.get(request.imsi) ?? this.sessionRefusals.get(ANY_IMSI);
    if (refusal) return { allowed: false, esmCause: refusal.esmCause, permanent: refusal.permanent };
    const address = this.allocate();
    // ESM #26 insufficient resources is what a PGW answers when its pool is exhausted.
    if (address === undefined) return { allowed: false, esmCause: 26, permanent: false };
    const sessionId = `local-${request.imsi}-${this.nextSessionNumber++}`;
    const ueIpAddress = formatIp(address);
    this.live.set(sessionId, {
      sessionId, imsi: request.imsi, imei: request.imei, apn: request.apn, ueIpAddress, cell: request.cell, address,
    });
    return { allowed: true, sessionId, ueIpAddress, dnsServers: [...this.dnsServers] };
  }

  async modifySession(request: SessionRequest & { sessionId: string }): Promise<void> {
    const session = this.live.get(request.sessionId);
    if (session) this.live.set(request.sessionId, { ...session, imei: request.imei, cell: request.cell });
  }

  async closeSession(closed: SessionClosed): Promise<void> {
    this.release(closed.sessionId);
  }

  async reportUsage(report: UsageReport): Promise<void> {
    const current = this.counters.get(report.imsi) ?? { uplinkBytes: 0, downlinkBytes: 0 };
    current.uplinkBytes += report.uplinkBytes;
    current.downlinkBytes += report.downlinkBytes;
    this.counters.set(report.imsi, current);
  }

  /** A short message for `order.imsi`, as the platform would order it. */
  sendSms(order: SmsDeliverOrder): void {
    for (const handler of [...this.smsHandlers]) handler(order);
  }

  onSmsDeliverOrder(handler: (order: SmsDeliverOrder) => void): () => void {
    this.smsHandlers.add(handler);
    return () => this.smsHandlers.delete(handler);
  }

  async reportSmsDelivery(report: SmsDeliveryReport): Promise<void> {
    this.deliveredSms.push(report.messageId);
  }

  onSessionDeleteOrder(handler: (order: SessionDeleteOrder) => void): () => void {
    this.deleteHandlers.add(handler);
    return () => this.deleteHandlers.delete(handler);
  }

  private allocate(): number | undefined {
    // Offsets 1 .. size-2: the network and broadcast addresses of the pool are never handed out.
    // A rotating cursor keeps allocation O(1) for large fleets and reuses freed addresses last.
    const usable = this.pool.size - 2;
    for (let tried = 0; tried < usable; tried++) {
      const candidate = this.pool.base + this.cursor;
      this.cursor = (this.cursor % usable) + 1;
      if (!this.usedAddresses.has(candidate)) {
        this.usedAddresses.add(candidate);
        return candidate;
      }
    }
    return undefined;
  }

  private release(sessionId: string): void {
    const session = this.live.get(sessionId);
    if (!session) return;
    this.live.delete(sessionId);
    this.usedAddresses.delete(session.address);
  }
}
