import { createHmac, pbkdf2 as pbkdf2Callback, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { assertDeviceId } from '../contract/topics.js';

const pbkdf2 = promisify(pbkdf2Callback);

/** A device may touch only its own topics; a service account sees every device (see `acl.ts`). */
export type PrincipalRole = 'device' | 'service';

/** Who is connected, once authenticated. */
export interface Principal {
  username: string;
  role: PrincipalRole;
}

/** What the platform keeps per MQTT account: never the secret, only its hash. */
export interface CredentialRecord extends Principal {
  /** PBKDF2-SHA512 in Mosquitto's `$7$<iterations>$<salt b64>$<hash b64>` form. */
  passwordHash: string;
  createdAt: number;
}

/**
 * Where credential records live. In memory by default; the platform store backs it with SQLite.
 * Implementations must make `put` replace an existing record of the same username.
 */
export interface CredentialStore {
  get(username: string): Promise<CredentialRecord | undefined>;
  put(record: CredentialRecord): Promise<void>;
  delete(username: string): Promise<boolean>;
  list(): Promise<CredentialRecord[]>;
}

export class InMemoryCredentialStore implements CredentialStore {
  private readonly records = new Map<string, CredentialRecord>();
  async get(username: string): Promise<CredentialRecord | undefined> {
    return this.records.get(username);
  }
  async put(record: CredentialRecord): Promise<void> {
    this.records.set(record.username, { ...record });
  }
  async delete(username: string): Promise<boolean> {
    return this.records.delete(username);
  }
  async list(): Promise<CredentialRecord[]> {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
}

/** Issued once, handed to the device (or service), then forgotten by the platform. */
export interface IssuedCredentials {
  username: string;
  /** 256 random bits, base64url; shown once, never stored or logged. */
  password: string;
}

/**
 * Service account names start with `svc.`; `.` is outside the device-id alphabet, so a service
 * account can never collide with a device.
 */
export const SERVICE_USERNAME_PATTERN = /^svc\.[a-z0-9-]{1,32}$/;

const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** Hashes a secret in Mosquitto's PBKDF2-SHA512 format, so one record serves both brokers. */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await pbkdf2(password, salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time check of a secret against a `$7$` hash; false for any malformed hash. */
export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  const parts = passwordHash.split('$');
  if (parts.length !== 5 || parts[1] !== '7') return false;
  const iterations = Number(parts[2]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false;
  const salt = Buffer.from(parts[3]!, 'base64');
  const expected = Buffer.from(parts[4]!, 'base64');
  if (salt.length === 0 || expected.length !== HASH_BYTES) return false;
  const actual = await pbkdf2(password, salt, iterations, HASH_BYTES, 'sha512');
  return timingSafeEqual(actual, expected);
}

export interface CredentialIssuerOptions {
  store?: CredentialStore;
  /** Milliseconds since the epoch for `createdAt` (the platform's injected clock). */
  now: () => number;
  /**
   * PBKDF2 iterations for new hashes. [choice] 10 000: the secrets are 256-bit random, so
   * stretching does not protect them; this bounds the CPU of a reconnect storm. Any count stays
   * readable by Mosquitto (it is part of the `$7$` record).
   */
  iterations?: number;
  /** Successful verifications remembered (see `verify`); default 100 000, 0 turns the cache off. */
  verifiedCacheSize?: number;
}

/** A successful verification: which stored hash it was checked against and a keyed digest of the secret. */
interface VerifiedEntry {
  passwordHash: string;
  digest: Buffer;
}

/** Issues, verifies and revokes MQTT credentials for devices and the platform's services. */
export class CredentialIssuer {
  readonly store: CredentialStore;
  private readonly now: () => number;
  private readonly iterations: number;
  private readonly verified = new Map<string, VerifiedEntry>();
  private readonly verifiedCacheSize: number;
  /** Per-process HMAC key of the cache's digests: never stored, so a digest is useless elsewhere. */
  private readonly digestKey = randomBytes(32);

  constructor(options: CredentialIssuerOptions) {
    this.store = options.store ?? new InMemoryCredentialStore();
    this.now = options.now;
    this.iterations = options.iterations ?? 10_000;
    this.verifiedCacheSize = options.verifiedCacheSize ?? 100_000;
  }

  /** New credentials for a device (username = device id); replaces any earlier ones. */
  async issueDevice(deviceId: string): Promise<IssuedCredentials> {
    assertDeviceId(deviceId);
    return this.issue(deviceId, 'device');
  }

  /** New credentials for a platform service client such as `svc.platform`. */
  async issueService(username: string): Promise<IssuedCredentials> {
    if (!SERVICE_USERNAME_PATTERN.test(username)) throw new Error(`invalid service username ${JSON.stringify(username)}: expected ${SERVICE_USERNAME_PATTERN.source}`);
    return this.issue(username, 'service');
  }

  /**
   * The principal for a correct username/secret pair; `undefined` for anything else.
   *
   * Every connect asks this, and PBKDF2 costs milliseconds of CPU by design: a reconnect storm
   * of thousands of devices would queue for minutes. So a successful check is remembered in
   * memory as (username, stored hash it matched, HMAC-SHA256 of the secret under a per-process
   * random key) — never the secret. The next connect with the same secret against the same
   * stored record costs one HMAC; a re-issued or revoked record (its hash changed or is gone)
   * no longer matches, and a wrong secret still goes through PBKDF2 (and fails).
   */
  async verify(username: string | undefined, password: string | Uint8Array | undefined): Promise<Principal | undefined> {
    if (!username || password === undefined) return undefined;
    const record = await this.store.get(username);
    if (!record) {
      this.verified.delete(username);
      return undefined;
    }
    const secret = typeof password === 'string' ? password : Buffer.from(password).toString('utf8');
    const digest = createHmac('sha256', this.digestKey).update(secret).digest();
    const known = this.verified.get(username);
    if (known && known.passwordHash === record.passwordHash && timingSafeEqual(known.digest, digest)) {
      return { username: record.username, role: record.role };
    }
    if (!(await verifyPassword(secret, record.passwordHash))) return undefined;
    this.remember(username, { passwordHash: record.passwordHash, digest });
    return { username: record.username, role: record.role };
  }

  revoke(username: string): Promise<boolean> {
    this.verified.delete(username);
    return this.store.delete(username);
  }

  private remember(username: string, entry: VerifiedEntry): void {
    if (this.verifiedCacheSize <= 0) return;
    // Re-inserting moves the name to the end: the Map's order is least recently verified first.
    this.verified.delete(username);
    this.verified.set(username, entry);
    if (this.verified.size > this.verifiedCacheSize) this.verified.delete(this.verified.keys().next().value!);
  }

  private async issue(username: string, role: PrincipalRole): Promise<IssuedCredentials> {
    this.verified.delete(username);
    // Hex: the secret goes into config files and command lines (`--mqtt-password`), where one
    // starting with `-` would be read as an option.
    const password = randomBytes(32).toString('hex');
    await this.store.put({ username, role, passwordHash: await hashPassword(password, this.iterations), createdAt: this.now() });
    return { username, password };
  }
}
