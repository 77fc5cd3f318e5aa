/**
 * A simulated eUICC in the modem's SIM slot: an EID, profiles in ISD-Ps (at most one enabled), a
 * notification list, and the ISD-R answering ES10 over STORE DATA on a logical channel — the
 * same APDUs a real eUICC answers (SGP.22 §5.7, ETSI TS 102 221 §10.1.1 / §11.1.17).
 */
import { createHash } from 'node:crypto';
import { BerTlvError, decodeTlv, encodeTlv, toHex } from '../../common/ber-tlv.js';
import { RealClock, type Clock } from '../../common/clock.js';
import { ISD_R_AID, parseActivationCode, type ProfileClassName } from '../../common/es10.js';
import type { SimCard } from '../modem/sim-card.js';
import {
  MemoryEuiccStore,
  FileEuiccStore,
  type EuiccNotification,
  type EuiccProfile,
  type EuiccState,
  type EuiccStore,
} from './euicc-state.js';
import { addNotification, ApduStatusError, defaultQuirks, handleEs10, SW, type Es10Context, type EuiccQuirks } from './es10-handlers.js';
import { loadStoredIdentity, mintIdentity, processTestEum, resolveIdentity, storeIdentity, type EuiccIdentitySource, type ResolvedIdentity } from './euicc-identity.js';
import { isBppSegment, loadBoundProfilePackage, resetSession, type RspSession } from './rsp-download.js';

/** A profile given when a card is created for the first time. */
export interface EuiccProfileSeed {
  iccid: string;
  imsi: string;
  enabled?: boolean;
  nickname?: string;
  serviceProviderName?: string;
  profileName?: string;
  profileClass?: ProfileClassName;
  notificationAddress?: string;
  policy?: EuiccProfile['policy'];
}

export interface EuiccOptions {
  /** 32 digits. */
  eid: string;
  /** Profiles of a brand-new card; ignored when saved state exists. */
  profiles?: readonly EuiccProfileSeed[];
  /** Directory for `euicc-<eid>.json`; omitted: in memory (unless `store` is given). */
  stateDir?: string;
  /** An explicit store (e.g. a shared `MemoryEuiccStore`); wins over `stateDir`. */
  store?: EuiccStore;
  quirks?: Partial<EuiccQuirks>;
  /**
   * Certificates and keys (SGP.22 §4.5.2): a full identity (e.g. SGP.26 test certificates), or an
   * EUM to mint the eUICC certificate from (the platform's test PKI). Omitted: the identity saved
   * with the card's state, else one minted from a test PKI generated once per process.
   */
  pki?: EuiccIdentitySource;
  /** How many profiles fit in the card's memory [choice: 8]; a download beyond fails with insufficient memory. */
  maxProfiles?: number;
  /** Time for certificate validity when minting an identity (default: the wall clock). */
  clock?: Clock;
  /**
   * The root SM-DS address (ES10a GetEuiccConfiguredAddresses `rootDsAddress`, SGP.22 §5.7.3), set
   * by the EUM at manufacture [default `smds.cellgate.invalid`; a consumer card has the GSMA root SM-DS `lpa.ds.gsma.com`]. `cellgate up` and
   * the fleet configure the platform's SM-DS.
   */
  rootDsAddress?: string;
}

/** Profile data delivered by the provisioning shortcut. */
export interface InstalledProfileData {
  iccid: string;
  imsi: string;
  profileName?: string;
  serviceProviderName?: string;
  profileClass?: ProfileClassName;
  nickname?: string;
}

/** A card-level operation refused (not an APDU-level error). */
export class EuiccError extends Error {
  override readonly name = 'EuiccError';
  constructor(
    readonly code: 'iccid-exists' | 'bad-activation-code' | 'bad-profile-data',
    message: string,
  ) {
    super(message);
  }
}

/** Logical channels 1..19 (ETSI TS 102 221 §10.1.1: further interindustry class reaches 19). */
const MAX_CHANNEL = 19;
/** Short Le maximum: longer responses are served in pieces through GET RESPONSE. */
const MAX_RESPONSE_CHUNK = 256;
/** A reassembled ES10 request larger than this is refused (real cards cap far lower). */
const MAX_REQUEST = 64 * 1024;
const DEFAULT_SMDP = 'smdp.cellgate.invalid';
/** [choice] Like the default SM-DP+: an RFC 6761 address no LPA can reach, so an agent on a simulated card does not ask the GSMA root SM-DS (`lpa.ds.gsma.com`, give it with `rootDsAddress`). */
const ROOT_SMDS = 'smds.cellgate.invalid';

interface ChannelState {
  isdR: boolean;
  /** STORE DATA blocks received so far for the request being assembled. */
  blocks: Uint8Array[];
  /** Response bytes waiting for GET RESPONSE. */
  pending: Uint8Array | undefined;
}

export const isdpAidFor = (index: number): string => `A0000005591010FFFFFFFF89${(0x1000 + index * 0x100).toString(16).toUpperCase().padStart(8, '0')}`;

/** The ISO 7816-4 logical channel a CLA byte addresses (first and further interindustry classes). */
export function channelOfCla(cla: number): number {
  return (cla & 0x40) !== 0 ? 4 + (cla & 0x0f) : cla & 0x03;
}

const sw = (word: number, data?: Uint8Array): Uint8Array => {
  const out = new Uint8Array((data?.length ?? 0) + 2);
  if (data) out.set(data);
  out[out.length - 2] = word >> 8;
  out[out.length - 1] = word & 0xff;
  return out;
};

export class Euicc implements SimCard {
  readonly quirks: EuiccQuirks;
  private readonly store: EuiccStore;
  private state: EuiccState;
  private readonly channels = new Map<number, ChannelState>();
  private readonly refreshListeners = new Set<() => void>();
  /** The profile the terminal sees: follows the enabled one at REFRESH or reset. */
  private activeIccid: string | undefined;
  private readonly id: ResolvedIdentity;
  /** Card RAM: the RSP session of a download in progress. Lost at reset. */
  private readonly ram: { session?: RspSession } = {};
  /** Profiles that fit in memory; mutable so a test can fill the card. */
  maxProfiles: number;
  private readonly clock: Clock;
  /** The root SM-DS this card was configured with (card configuration, not profile data). */
  readonly rootDsAddress: string;

  constructor(options: EuiccOptions) {
    this.quirks = { ...defaultQuirks(), ...options.quirks };
    this.clock = options.clock ?? new RealClock();
    this.maxProfiles = options.maxProfiles ?? 8;
    this.rootDsAddress = options.rootDsAddress ?? ROOT_SMDS;
    this.store = options.store ?? (options.stateDir ? new FileEuiccStore(options.stateDir, options.eid) : new MemoryEuiccStore());
    const saved = this.store.load();
    if (saved && saved.eid !== options.eid) throw new EuiccError('bad-profile-data', `saved state belongs to EID ${saved.eid}`);
    this.state = saved ?? this.freshState(options);
    const pki = options.pki;
    if (pki && 'identity' in pki) {
      this.id = resolveIdentity(pki.identity, options.eid);
      if (this.state.identity) {
        delete this.state.identity;
        this.store.save(this.state);
      }
    } else if (this.state.identity && (!pki || sameEum(this.state.identity.eumCertificate, pki.eum.certificate))) {
      this.id = resolveIdentity(loadStoredIdentity(this.state.identity), options.eid);
    } else {
      const source = pki ?? processTestEum(this.clock.now());
      const minted = mintIdentity(options.eid, source.eum, source.trustedCis, this.clock.now());
      this.id = resolveIdentity(minted, options.eid);
      this.state = { ...this.state, identity: storeIdentity(minted) };
      this.store.save(this.state);
    }
    if (!saved) this.store.save(this.state);
    this.activeIccid = this.enabledProfile()?.iccid;
  }

  /** This card's certificate chain and trust (for tests and tools). */
  get identity(): ResolvedIdentity {
    return this.id;
  }

  private context(state: EuiccState): Es10Context {
    return { state, quirks: this.quirks, id: this.id, ram: this.ram, maxProfiles: this.maxProfiles, isdpAidFor, now: () => this.clock.now(), rootDsAddress: this.rootDsAddress };
  }

  private freshState(options: EuiccOptions): EuiccState {
    if (!/^[0-9]{32}$/.test(options.eid)) throw new EuiccError('bad-profile-data', `EID must be 32 digits: ${options.eid}`);
    const seeds = options.profiles ?? [];
    if (seeds.filter((p) => p.enabled).length > 1) throw new EuiccError('bad-profile-data', 'at most one profile may be enabled');
    const profiles = seeds.map((p, i): EuiccProfile => {
      checkProfileData(p);
      return {
        isdpAid: isdpAidFor(i),
        iccid: p.iccid,
        imsi: p.imsi,
        state: p.enabled ? 'enabled' : 'disabled',
        ...(p.nickname !== undefined ? { nickname: p.nickname } : {}),
        serviceProviderName: p.serviceProviderName ?? 'cellgate',
        profileName: p.profileName ?? `Profile ${i + 1}`,
        profileClass: p.profileClass ?? 'operational',
        notificationAddress: p.notificationAddress ?? DEFAULT_SMDP,
        ...(p.policy ? { policy: p.policy } : {}),
      };
    });
    if (new Set(profiles.map((p) => p.iccid)).size !== profiles.length) throw new EuiccError('iccid-exists', 'duplicate ICCID in seed profiles');
    return { version: 1, eid: options.eid, profiles, notifications: [], nextSeqNumber: 1, nextIsdpIndex: profiles.length };
  }

  // ---- SimCard ----

  get iccid(): string | undefined {
    return this.activeIccid;
  }

  get imsi(): string | undefined {
    return this.state.profiles.find((p) => p.iccid === this.activeIccid)?.imsi;
  }

  get eid(): string {
    return this.state.eid;
  }

  openChannel(aid: string): { channel: number } | { sw: number } {
    if (aid.toUpperCase() !== ISD_R_AID) return { sw: SW.notFound };
    const channel = this.allocateChannel();
    if (channel === undefined) return { sw: SW.noChannel };
    this.channels.set(channel, { isdR: true, blocks: [], pending: undefined });
    return { channel };
  }

  closeChannel(channel: number): boolean {
    return channel !== 0 && this.channels.delete(channel);
  }

  onRefresh(listener: () => void): () => void {
    this.refreshListeners.add(listener);
    return () => this.refreshListeners.delete(listener);
  }

  /**
   * Handles one command APDU. `channel` is the channel the modem relayed it on (`AT+CGLA`); on the
   * basic channel (0) the channel named by the CLA is used, as a card reading raw `AT+CSIM` would.
   */
  transmit(channel: number, apdu: Uint8Array): Uint8Array {
    try {
      return this.process(channel, apdu);
    } catch (e) {
      if (e instanceof ApduStatusError) return sw(e.sw);
      throw e;
    }
  }

  // ---- card management for the modem and tests ----

  /**
   * A SIM power cycle / UICC reset (`AT+CFUN=0` → `1`, module reboot): closes every logical channel
   * and lets the terminal see the enabled profile. The saved state is untouched.
   */
  reset(): void {
    this.channels.clear();
    const draft = structuredClone(this.state);
    if (resetSession(this.context(draft))) this.commit(draft);
    this.activeIccid = this.enabledProfile()?.iccid;
  }

  /** Logical channels open on the card (1..19), for leak checks. */
  openChannels(): number[] {
    return [...this.channels.keys()].filter((ch) => ch !== 0).sort((a, b) => a - b);
  }

  /** Whether a download session is open on the card (RAM). */
  get downloadInProgress(): boolean {
    // An SM-DS session (event retrieval) authenticates only; it lasts until the next GetEUICCChallenge.
    return this.ram.session !== undefined && this.ram.session.server !== 'smds';
  }

  /** Snapshot of the profiles (copies). */
  profiles(): EuiccProfile[] {
    return structuredClone(this.state.profiles);
  }

  /** Snapshot of the pending notifications (copies). */
  notifications(): EuiccNotification[] {
    return structuredClone(this.state.notifications);
  }

  /**
   * Provisioning shortcut: what a completed SGP.22 download leaves behind — a new disabled profile
   * in a new ISD-P and an install notification addressed to the activation code's SM-DP+ — without
   * the ES9+/ES8+ exchange, bound profile package or mutual authentication.
   */
  installFromActivationCode(activationCode: string, data: InstalledProfileData): EuiccProfile {
    let smdpAddress: string;
    let matchingId: string;
    try {
      ({ smdpAddress, matchingId } = parseActivationCode(activationCode));
    } catch (e) {
      if (e instanceof BerTlvError) throw new EuiccError('bad-activation-code', e.message);
      throw e;
    }
    checkProfileData(data);
    if (this.state.profiles.some((p) => p.iccid === data.iccid)) {
      throw new EuiccError('iccid-exists', `a profile with ICCID ${data.iccid} is already installed`);
    }
    const next = structuredClone(this.state);
    const profile: EuiccProfile = {
      isdpAid: isdpAidFor(next.nextIsdpIndex++),
      iccid: data.iccid,
      imsi: data.imsi,
      state: 'disabled',
      ...(data.nickname !== undefined ? { nickname: data.nickname } : {}),
      serviceProviderName: data.serviceProviderName ?? smdpAddress,
      profileName: data.profileName ?? matchingId,
      profileClass: data.profileClass ?? 'operational',
      notificationAddress: smdpAddress,
    };
    next.profiles.push(profile);
    const transactionId = createHash('sha256').update(`${next.eid}:${matchingId}:${next.nextSeqNumber}`).digest('hex').slice(0, 32).toUpperCase();
    addNotification(next, 'install', profile, transactionId);
    this.commit(next);
    return structuredClone(profile);
  }

  // ---- APDU processing ----

  private enabledProfile(): EuiccProfile | undefined {
    return this.state.profiles.find((p) => p.state === 'enabled');
  }

  private allocateChannel(): number | undefined {
    for (let ch = 1; ch <= MAX_CHANNEL; ch++) if (!this.channels.has(ch)) return ch;
    return undefined;
  }

  private commit(next: EuiccState): void {
    // Persist first: a state the card acknowledged must survive a crash right after.
    this.store.save(next);
    this.state = next;
  }

  private process(relayedOn: number, apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) throw new ApduStatusError(SW.wrongLength, 'APDU shorter than a header');
    const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
    if (cla === 0xff || (cla & 0xe0) === 0x20) throw new ApduStatusError(SW.claNotSupported, 'CLA not supported');
    // A modem relaying AT+CGLA / a mapped AT+CSIM channel names the channel; on the basic channel
    // the CLA does (ETSI TS 102 221 §10.1.1).
    const channel = relayedOn !== 0 ? relayedOn : channelOfCla(cla);
    const body = commandData(apdu);

    if (ins === 0x70) return this.manageChannel(p1, p2);
    if (channel !== 0 && !this.channels.has(channel)) throw new ApduStatusError(SW.channelNotSupported, `channel ${channel} not open`);
    const ch = this.channelState(channel);
    if (ins === 0xc0) return this.getResponse(ch, apdu.length === 5 ? apdu[4]! : 0);
    ch.pending = undefined;
    if (ins === 0xa4) return this.select(ch, p1, body.data);
    if (ins === 0xe2) return this.storeData(ch, p1, p2, body.data);
    throw new ApduStatusError(SW.insNotSupported, `INS ${ins.toString(16)} not supported`);
  }

  private channelState(channel: number): ChannelState {
    let ch = this.channels.get(channel);
    if (!ch) {
      // The basic channel always exists; nothing is selected on it until a SELECT.
      ch = { isdR: false, blocks: [], pending: undefined };
      this.channels.set(channel, ch);
    }
    return ch;
  }

  /** MANAGE CHANNEL (ETSI TS 102 221 §11.1.17): open `00 70 00 00 01`, close `00 70 80 <ch> 00`. */
  private manageChannel(p1: number, p2: number): Uint8Array {
    if (p1 === 0x00) {
      const channel = p2 === 0 ? this.allocateChannel() : p2 <= MAX_CHANNEL && !this.channels.has(p2) ? p2 : undefined;
      if (channel === undefined) throw new ApduStatusError(SW.noChannel, 'no channel available');
      this.channels.set(channel, { isdR: false, blocks: [], pending: undefined });
      return sw(SW.ok, p2 === 0 ? Uint8Array.of(channel) : undefined);
    }
    if (p1 === 0x80) {
      if (!this.closeChannel(p2)) throw new ApduStatusError(SW.channelNotSupported, `channel ${p2} not open`);
      return sw(SW.ok);
    }
    throw new ApduStatusError(SW.wrongP1P2, 'MANAGE CHANNEL P1 must be 00 or 80');
  }

  private select(ch: ChannelState, p1: number, aid: Uint8Array): Uint8Array {
    if (p1 !== 0x04) throw new ApduStatusError(SW.notFound, 'only SELECT by AID is supported');
    if (toHex(aid) !== ISD_R_AID) {
      ch.isdR = false;
      throw new ApduStatusError(SW.notFound, 'application not found');
    }
    ch.isdR = true;
    ch.blocks = [];
    // FCI template with the AID (ISO 7816-4 §5.3.3).
    return this.respond(ch, encodeTlv({ tag: 0x6f, children: [{ tag: 0x84, value: aid }] }));
  }

  /** STORE DATA (GlobalPlatform §11.11; SGP.22 §5.7.2): P1 0x11 more blocks, 0x91 last, P2 block number. */
  private storeData(ch: ChannelState, p1: number, p2: number, data: Uint8Array): Uint8Array {
    if (!ch.isdR) throw new ApduStatusError(SW.conditionsNotSatisfied, 'ISD-R not selected');
    if (p1 !== 0x11 && p1 !== 0x91) {
      ch.blocks = [];
      throw new ApduStatusError(SW.wrongP1P2, 'STORE DATA P1 must be 11 or 91');
    }
    if (p2 !== ch.blocks.length % 256) {
      ch.blocks = [];
      throw new ApduStatusError(SW.wrongP1P2, `block ${p2} out of sequence`);
    }
    ch.blocks.push(data);
    const total = ch.blocks.reduce((n, b) => n + b.length, 0);
    if (total > MAX_REQUEST) {
      ch.blocks = [];
      throw new ApduStatusError(SW.wrongData, 'request too large');
    }
    if (p1 === 0x11) return sw(SW.ok);
    const request = new Uint8Array(Buffer.concat(ch.blocks));
    ch.blocks = [];
    const draft = structuredClone(this.state);
    const ctx = this.context(draft);
    if (isBppSegment(ctx, request)) {
      // SGP.22 §2.5.5: a BPP arrives as segments that are not whole ES10 requests (`BF36 L` + BF23, `A1 L`, …).
      const loaded = loadBoundProfilePackage(ctx, request);
      if (loaded.changed) this.commit(draft);
      return loaded.response.length > 0 ? this.respond(ch, loaded.response) : sw(SW.ok);
    }
    let tlv;
    try {
      tlv = decodeTlv(request);
    } catch (e) {
      if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
      throw e;
    }
    const outcome = handleEs10(ctx, tlv, request);
    if (outcome.changed) this.commit(draft);
    const response = this.respond(ch, outcome.response instanceof Uint8Array ? outcome.response : encodeTlv(outcome.response));
    if (outcome.switched && outcome.refresh && !this.quirks.needsSimPowerCycle) this.refreshTerminal();
    return response;
  }

  /**
   * The REFRESH that follows a profile switch (SGP.22 §3.2.1, ETSI TS 102 223 eUICC profile state
   * change): the terminal resets the UICC after this response, which closes every channel.
   */
  private refreshTerminal(): void {
    queueMicrotask(() => {
      this.reset();
      for (const listener of [...this.refreshListeners]) listener();
    });
  }

  private respond(ch: ChannelState, data: Uint8Array): Uint8Array {
    if (data.length <= MAX_RESPONSE_CHUNK && !this.quirks.alwaysGetResponse) return sw(SW.ok, data);
    ch.pending = data;
    return sw(0x6100 | (Math.min(data.length, MAX_RESPONSE_CHUNK) & 0xff));
  }

  /** GET RESPONSE (ISO 7816-4 §7.6.1): the next piece, then `61xx` while more remains. */
  private getResponse(ch: ChannelState, le: number): Uint8Array {
    const pending = ch.pending;
    if (!pending) throw new ApduStatusError(SW.conditionsNotSatisfied, 'no response data available');
    const take = Math.min(le === 0 ? MAX_RESPONSE_CHUNK : le, pending.length);
    const piece = pending.slice(0, take);
    const rest = pending.slice(take);
    ch.pending = rest.length > 0 ? rest : undefined;
    return sw(rest.length > 0 ? 0x6100 | (Math.min(rest.length, MAX_RESPONSE_CHUNK) & 0xff) : SW.ok, piece);
  }
}

/** Splits a short command APDU (ISO 7816-4 §5.1 cases 1..4) into its data field. */
function commandData(apdu: Uint8Array): { data: Uint8Array } {
  if (apdu.length <= 5) return { data: new Uint8Array(0) };
  const lc = apdu[4]!;
  if (lc === 0 || apdu.length < 5 + lc || apdu.length > 6 + lc) throw new ApduStatusError(SW.wrongLength, 'Lc does not match the data');
  return { data: apdu.slice(5, 5 + lc) };
}

function checkProfileData(p: { iccid: string; imsi: string }): void {
  if (!/^[0-9]{18,20}$/.test(p.iccid)) throw new EuiccError('bad-profile-data', `ICCID must be 18..20 digits: ${p.iccid}`);
  if (!/^[0-9]{6,15}$/.test(p.imsi)) throw new EuiccError('bad-profile-data', `IMSI must be 6..15 digits: ${p.imsi}`);
}

function sameEum(storedPem: string, eum: Uint8Array): boolean {
  return storedPem.replace(/\s+/g, '').includes(Buffer.from(eum).toString('base64'));
}

/** Convenience: a card from options (same as `new Euicc(options)`). */
export function createEuicc(options: EuiccOptions): Euicc {
  return new Euicc(options);
}
