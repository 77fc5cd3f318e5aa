import { AsyncLocalStorage } from 'node:async_hooks';
import type { CredentialRecord, CredentialStore } from '../broker/credentials.js';
import type { InboxStore } from '../broker/inbox-store.js';
import type { PlatformStore, StoreTx } from '../store/port.js';

/** Document kinds of the device link in the platform store. */
export const DEVICE_KINDS = {
  /** MQTT credential records (hash only), id = username. */
  credential: 'mqtt-credential',
  /** Applied outbox keys, id = `{deviceId}\u0000{key}`, partition = device id. */
  inbox: 'mqtt-inbox',
  /** Registered devices, id = device id, partition = operator id. */
  device: 'device',
} as const;

/** `CredentialStore` over the platform store port (SQLite by default): hashes survive restarts. */
export class PlatformCredentialStore implements CredentialStore {
  constructor(private readonly store: PlatformStore) {}

  get(username: string): Promise<CredentialRecord | undefined> {
    return this.store.transaction(async (tx) => (await tx.get<CredentialRecord>(DEVICE_KINDS.credential, username)) ?? undefined);
  }

  put(record: CredentialRecord): Promise<void> {
    return this.store.transaction((tx) => tx.put(DEVICE_KINDS.credential, record.username, { ...record }));
  }

  delete(username: string): Promise<boolean> {
    return this.store.transaction((tx) => tx.delete(DEVICE_KINDS.credential, username));
  }

  list(): Promise<CredentialRecord[]> {
    return this.store.transaction((tx) => tx.list<CredentialRecord>(DEVICE_KINDS.credential));
  }
}

/** The key was recorded by another process between the first check and the apply. */
class AlreadyApplied extends Error {}

interface InboxScope {
  id: string;
  deviceId: string;
  recorded: boolean;
}

/**
 * `InboxStore` over the platform store. A handler that writes calls `withTx(fn)`: its writes and
 * the inbox key commit in one transaction, so a crash can neither apply a message without
 * remembering it nor remember it without applying it. A handler that runs its own use case
 * (e.g. eSIM notifications, deduplicated by EID + sequence number inside that use case) does
 * not call `withTx`; the key is then recorded right after it succeeded.
 */
export class PlatformInboxStore implements InboxStore {
  private readonly scope = new AsyncLocalStorage<InboxScope>();

  constructor(
    private readonly store: PlatformStore,
    private readonly now: () => number,
  ) {}

  async applyOnce(deviceId: string, key: string, apply: () => Promise<void>): Promise<'applied' | 'duplicate'> {
    const id = `${deviceId}\u0000${key}`;
    if (await this.store.transaction((tx) => tx.get(DEVICE_KINDS.inbox, id))) return 'duplicate';
    const scope: InboxScope = { id, deviceId, recorded: false };
    try {
      await this.scope.run(scope, apply);
    } catch (error) {
      if (error instanceof AlreadyApplied) return 'duplicate';
      throw error;
    }
    if (!scope.recorded) await this.store.transaction((tx) => this.record(tx, scope));
    return 'applied';
  }

  /**
   * Runs `fn` in one store transaction that also records the current message's key. Outside
   * `applyOnce` it is a plain transaction.
   */
  async withTx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const scope = this.scope.getStore();
    const record = scope && !scope.recorded;
    const result = await this.store.transaction(async (tx) => {
      // Checked again inside: another platform process may have applied the same key meanwhile
      // (a resend delivered to it through the shared subscription).
      if (record && (await tx.get(DEVICE_KINDS.inbox, scope.id))) throw new AlreadyApplied();
      const value = await fn(tx);
      if (record) await this.put(tx, scope);
      return value;
    });
    if (record) scope.recorded = true;
    return result;
  }

  private async record(tx: StoreTx, scope: InboxScope): Promise<void> {
    await this.put(tx, scope);
  }

  private async put(tx: StoreTx, scope: InboxScope): Promise<void> {
    await tx.put(DEVICE_KINDS.inbox, scope.id, { at: this.now() }, scope.deviceId);
  }
}
