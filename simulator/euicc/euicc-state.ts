/**
 * What a simulated eUICC remembers across module reboots and process restarts: its EID, its
 * profiles and its pending notifications. Persisted as one JSON document per card, either in
 * memory or in a file replaced atomically (write temp, fsync, rename, fsync the directory).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationEventName, ProfileClassName } from '../../common/es10.js';
import type { StoredIdentity } from './euicc-identity.js';

/** One profile in its ISD-P. */
export interface EuiccProfile {
  /** ISD-P AID, 32 hex characters. */
  isdpAid: string;
  iccid: string;
  /** IMSI the modem reports (`AT+CIMI`) while this profile is the active one. */
  imsi: string;
  state: 'enabled' | 'disabled';
  nickname?: string;
  serviceProviderName: string;
  profileName: string;
  profileClass: ProfileClassName;
  /** Where this profile's notifications go (the SM-DP+ it came from). */
  notificationAddress: string;
  /** Profile policy rules (SGP.22 §2.9.2): PPR1 disable not allowed, PPR2 delete not allowed. */
  policy?: { disableNotAllowed?: boolean; deleteNotAllowed?: boolean };
  /**
   * Events the profile metadata asked notifications for (SGP.22 §5.5.3 notificationConfigurationInfo);
   * absent (seed and shortcut profiles): every event.
   */
  notificationEvents?: NotificationEventName[];
  /** Milenage K and OPc from the profile package (hex), kept as a card keeps them; unused by the simulated network. */
  ki?: string;
  opc?: string;
}

/** A notification waiting on the card until NotificationSent removes it (SGP.22 §3.5). */
export interface EuiccNotification {
  seqNumber: number;
  event: NotificationEventName;
  notificationAddress: string;
  /** Absent only for a download that failed before the profile metadata was read. */
  iccid?: string;
  /** Absent for a failed download. */
  isdpAid?: string;
  /** For an install: the transaction the download used (hex). */
  transactionId?: string;
  /** For an install from a real download: the signed ProfileInstallationResult (base64), kept as the card signed it. */
  pir?: string;
}

export interface EuiccState {
  version: 1;
  eid: string;
  profiles: EuiccProfile[];
  notifications: EuiccNotification[];
  /** The next notification's sequence number; only ever grows. */
  nextSeqNumber: number;
  /** The next ISD-P index used to derive a new ISD-P AID. */
  nextIsdpIndex: number;
  /** Default SM-DP+ address (ES10a SetDefaultDpAddress). */
  defaultDpAddress?: string;
  /** A minted identity (certificate, key, EUM, trusted CIs) kept so the card stays the same card. */
  identity?: StoredIdentity;
}

/** Where a card's state lives. */
export interface EuiccStore {
  /** The saved state, or undefined when this card was never saved. Throws on a corrupt file. */
  load(): EuiccState | undefined;
  /** Saves durably before returning. */
  save(state: EuiccState): void;
}

/** The saved state of a card cannot be read; nothing is overwritten. */
export class EuiccStateError extends Error {
  override readonly name = 'EuiccStateError';
}

/** Keeps the state in memory; pass the same instance to a new `Euicc` to model a process that survives. */
export class MemoryEuiccStore implements EuiccStore {
  private saved: string | undefined;
  load(): EuiccState | undefined {
    return this.saved === undefined ? undefined : (JSON.parse(this.saved) as EuiccState);
  }
  save(state: EuiccState): void {
    this.saved = JSON.stringify(state);
  }
}

/** One JSON file per card, `<dir>/euicc-<eid>.json`, replaced atomically on every change. */
export class FileEuiccStore implements EuiccStore {
  readonly path: string;
  constructor(
    private readonly dir: string,
    eid: string,
  ) {
    this.path = join(dir, `euicc-${eid}.json`);
  }

  load(): EuiccState | undefined {
    if (!existsSync(this.path)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new EuiccStateError(`eUICC state ${this.path} is not valid JSON: ${(e as Error).message}`);
    }
    return validateState(parsed, this.path);
  }

  save(state: EuiccState): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    // The rename itself is durable only once the directory entry is flushed.
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}

function validateState(value: unknown, where: string): EuiccState {
  const fail = (why: string): never => {
    throw new EuiccStateError(`eUICC state ${where} is unusable: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const s = value as Partial<EuiccState>;
  if (s.version !== 1) fail(`unknown version ${String(s.version)}`);
  if (typeof s.eid !== 'string' || !/^[0-9]{32}$/.test(s.eid)) fail('bad EID');
  if (!Array.isArray(s.profiles) || !Array.isArray(s.notifications)) fail('profiles / notifications missing');
  if (!Number.isSafeInteger(s.nextSeqNumber) || !Number.isSafeInteger(s.nextIsdpIndex)) fail('counters missing');
  for (const p of s.profiles!) {
    if (typeof p?.iccid !== 'string' || typeof p.isdpAid !== 'string' || (p.state !== 'enabled' && p.state !== 'disabled')) {
      fail('a profile lacks its ICCID, ISD-P AID or state');
    }
  }
  if (s.profiles!.filter((p) => p.state === 'enabled').length > 1) fail('more than one enabled profile');
  for (const n of s.notifications!) {
    if (!Number.isSafeInteger(n?.seqNumber) || typeof n.event !== 'string') fail('a notification lacks its sequence number or event');
  }
  return s as EuiccState;
}
