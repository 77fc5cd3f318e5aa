import { pbkdf2 as pbkdf2Callback, randomBytes, timingSafeEqual } from 'node:crypto';
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
   * stretching does not protect them; this bounds the CPU of a reconnect storm.
   */
  iterations?: number;
}

/** Issues, verifies and revokes MQTT credentials for devices and the platform's services. */
export class CredentialIssuer {
  readonly store: CredentialStore;
  private readonly now: () => number;
  private readonly iterations: number;

  constructor(options: CredentialIssuerOptions) {
    this.store = options.store ?? new InMemoryCredentialStore();
    this.now = options.now;
    this.iterations = options.iterations ?? 10_000;
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

  /** The principal for a correct username/secret pair; `undefined` for anything else. */
  async verify(username: string | undefined, password: string | Uint8Array | undefined): Promise<Principal | undefined> {
    if (!username || password === undefined) return undefined;
    const record = await this.store.get(username);
    if (!record) return undefined;
    const secret = typeof password === 'string' ? password : Buffer.from(password).toString('utf8');
    if (!(await verifyPassword(secret, record.passwordHash))) return undefined;
    return { username: record.username, role: record.role };
  }

  revoke(username: string): Promise<boolean> {
    return this.store.delete(username);
  }

  private async issue(username: string, role: PrincipalRole): Promise<IssuedCredentials> {
    const password = randomBytes(32).toString('base64url');
    await this.store.put({ username, role, passwordHash: await hashPassword(password, this.iterations), createdAt: this.now() });
    return { username, password };
  }
}
