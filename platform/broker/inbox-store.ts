/**
 * Remembers which outbox messages the platform already applied, by (device id, idempotency
 * key), so a message resent after a lost ack is acknowledged again but applied only once.
 */
export interface InboxStore {
  /**
   * Runs `apply` unless (deviceId, key) is recorded; records it once `apply` resolves. If
   * `apply` throws, nothing is recorded (the device resends and it is tried again).
   * A database-backed store should record the key in the same transaction as apply's writes.
   * Callers never run two calls for the same device at once (DeviceHub serialises per device).
   */
  applyOnce(deviceId: string, key: string, apply: () => Promise<void>): Promise<'applied' | 'duplicate'>;
}

/** In-memory inbox: enough for tests and a single platform process without restarts. */
export class InMemoryInboxStore implements InboxStore {
  private readonly seen = new Set<string>();

  async applyOnce(deviceId: string, key: string, apply: () => Promise<void>): Promise<'applied' | 'duplicate'> {
    const id = `${deviceId}\u0000${key}`;
    if (this.seen.has(id)) return 'duplicate';
    await apply();
    this.seen.add(id);
    return 'applied';
  }

  /** Number of recorded keys. */
  size(): number {
    return this.seen.size;
  }
}
