import type { Clock } from '../../common/clock.js';
import { OutboxStore, type OutboxJournal, type OutboxParticipant } from './outbox-store.js';

/**
 * The agent's durable outbox: everything that must reach the platform (events, eSIM
 * notifications, command results) is written here first and stays until the platform's
 * end-to-end ack names its idempotency key.
 *
 * [choice] SQLite (better-sqlite3) in WAL mode with `synchronous = FULL`, **group commit**: an
 * append is queued and committed with everything else queued in the same event-loop turn, in one
 * fsynced transaction (`OutboxStore`). An entry is *accepted* once that commit returned:
 * `committed()` resolves, `pending()` lists it (so the link sends it), and from then on it
 * survives a killed process or a power cut. Removals on acknowledgement are batched the same
 * way. Size checks and duplicate detection see queued entries at once.
 */
export type OutboxKind = 'event' | 'esim-notification' | 'command-result';

/**
 * [choice] Bounded size policy, by priority:
 * - `low` (e.g. periodic signal samples): refused once the outbox holds `lowWatermark` × max;
 * - `normal` (other events): refused once it holds `maxEntries`;
 * - `critical` (eSIM notifications, command results): never refused and never evicted; they are
 *   few by nature (one per eUICC notification or platform command).
 * Nothing accepted is ever dropped to make room.
 */
export type OutboxPriority = 'low' | 'normal' | 'critical';

export interface OutboxEntry {
  seq: number;
  key: string;
  kind: OutboxKind;
  priority: OutboxPriority;
  /** The wire payload (JSON of a contract message carrying `key`). */
  payload: string;
  createdAt: number;
}

/**
 * How the outbox's SQLite file commits (both keep `synchronous = FULL`: a commit is on disk
 * before it returns):
 * - `wal` (default): write-ahead log. Cheapest commit (one fsync), but three open files per
 *   database for its lifetime (database, `-wal`, `-shm`).
 * - `truncate`: rollback journal truncated (and fsynced) at each commit. Three or four fsyncs per
 *   commit, but between transactions only the database file is open. `truncate` rather than
 *   `delete`: with `delete`, a commit is durable only if the directory is fsynced after the
 *   unlink (`synchronous = EXTRA`); a truncate is fsynced on the journal itself.
 */
export type { OutboxJournal } from './outbox-store.js';

export interface OutboxOptions {
  clock: Clock;
  /** Commit discipline of a store the outbox opens itself; default `wal` (see `OutboxJournal`). */
  journal?: OutboxJournal;
  /** Default 10 000 entries. */
  maxEntries?: number;
  /** Share of `maxEntries` above which `low` entries are refused. Default 0.8. */
  lowWatermark?: number;
  /** Largest payload accepted, bytes. Default 64 KiB. */
  maxPayloadBytes?: number;
  /** How long executed command ids are remembered (to not run a redelivered command twice). Default 30 days. */
  commandMemoryMs?: number;
}

/** The outbox refused a new entry; the caller keeps responsibility for it. */
export class OutboxFullError extends Error {
  constructor(readonly priority: OutboxPriority, readonly size: number) {
    super(`outbox full: ${size} entries pending, ${priority}-priority entry refused`);
    this.name = 'OutboxFullError';
  }
}

export class Outbox implements OutboxParticipant {
  readonly path: string;
  private readonly store: OutboxStore;
  private readonly ownStore: boolean;
  private readonly maxEntries: number;
  private readonly lowLimit: number;
  private readonly maxPayloadBytes: number;
  private readonly removedListeners = new Set<(key: string) => void>();
  private readonly committedListeners = new Set<() => void>();
  /** Rows in the database for this owner. */
  private stored: number;
  /** Appended, not committed yet (key → kind, for the size count and duplicate check). */
  private readonly queued = new Set<string>();
  /** Acknowledged, removal not committed yet. */
  private readonly removing = new Set<string>();
  /** Commands whose result is queued. */
  private readonly executing = new Set<string>();
  private closed = false;

  /**
   * Opens the outbox: its own database file at `path` (a standalone agent), or — given a shared
   * `OutboxStore` — the part of that store owned by `owner` (an in-process fleet).
   */
  constructor(pathOrStore: string | OutboxStore, private readonly options: OutboxOptions & { owner?: string }) {
    this.ownStore = typeof pathOrStore === 'string';
    this.store = typeof pathOrStore === 'string' ? new OutboxStore(pathOrStore, options.journal ?? 'wal') : pathOrStore;
    this.path = this.store.path;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.lowLimit = Math.floor(this.maxEntries * (options.lowWatermark ?? 0.8));
    this.maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
    this.stored = (this.store.stmt.count.get(this.owner) as { n: number }).n;
    this.store.queueForget(this.owner, options.clock.now() - (options.commandMemoryMs ?? 30 * 24 * 3600_000));
  }

  private get owner(): string {
    return this.options.owner ?? '';
  }

  private inDatabase(key: string): boolean {
    return this.store.stmt.byKey.get(this.owner, key) !== undefined;
  }

  /**
   * Queues an entry for the turn's commit (see the class comment; `committed()` resolves once it
   * is on disk, and only then is it sent). Appending a key that is already pending is a no-op
   * that reports `duplicate: true`, so a producer may safely re-offer after a crash.
   * @throws OutboxFullError when the size policy refuses the entry.
   */
  append(entry: { key: string; kind: OutboxKind; priority: OutboxPriority; payload: string }): { key: string; duplicate: boolean } {
    if (Buffer.byteLength(entry.payload) > this.maxPayloadBytes) {
      throw new RangeError(`outbox entry ${entry.key} is ${Buffer.byteLength(entry.payload)} bytes, over the ${this.maxPayloadBytes}-byte limit`);
    }
    if (this.closed) throw new Error('outbox is closed');
    if (this.has(entry.key)) return { key: entry.key, duplicate: true };
    const size = this.size();
    if ((entry.priority === 'low' && size >= this.lowLimit) || (entry.priority === 'normal' && size >= this.maxEntries)) {
      throw new OutboxFullError(entry.priority, size);
    }
    this.queued.add(entry.key);
    this.store.queueAppend({ owner: this, ownerId: this.owner, ...entry, createdAt: this.options.clock.now() });
    return { key: entry.key, duplicate: false };
  }

  /** Appends a command result and remembers the command as executed, in the same commit. */
  appendCommandResult(commandId: string, entry: { key: string; payload: string }): { key: string; duplicate: boolean } {
    const appended = this.append({ ...entry, kind: 'command-result', priority: 'critical' });
    if (!this.executing.has(commandId)) {
      this.executing.add(commandId);
      this.store.queueExecuted(this.owner, commandId, this.options.clock.now());
    }
    return appended;
  }

  /** Whether a result for this command was ever accepted or queued (it may already be acknowledged). */
  hasExecutedCommand(commandId: string): boolean {
    return this.executing.has(commandId) || this.store.stmt.executed.get(this.owner, commandId) !== undefined;
  }

  /** Resolves once everything appended or removed so far is committed (on disk). */
  committed(): Promise<void> {
    return this.store.committed();
  }

  /** Commits what is queued now, without waiting for the end of the turn. */
  flush(): void {
    this.store.flush();
  }

  /** The oldest `limit` committed entries, in append order (queued ones are not sent yet). */
  pending(limit = 100): OutboxEntry[] {
    const rows = this.store.stmt.pending.all(this.owner, limit + this.removing.size) as OutboxEntry[];
    const out = this.removing.size === 0 ? rows : rows.filter((r) => !this.removing.has(r.key));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Pending: queued or committed, and not acknowledged. */
  has(key: string): boolean {
    return this.queued.has(key) || (!this.removing.has(key) && this.inDatabase(key));
  }

  size(): number {
    return this.stored + this.queued.size - this.removing.size;
  }

  /**
   * Removes acknowledged entries (committed with the turn's batch; `onRemoved` listeners hear of
   * each once it is). Returns the keys that were actually pending.
   */
  remove(keys: readonly string[]): string[] {
    const out: string[] = [];
    for (const key of keys) {
      if (this.removing.has(key) || !this.inDatabase(key)) continue;
      this.removing.add(key);
      this.store.queueRemoval(this, this.owner, key);
      out.push(key);
    }
    return out;
  }

  /** Called with each key once its removal is committed (acknowledged or rejected by the platform). */
  onRemoved(listener: (key: string) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /** Called after each commit that made entries of this outbox pending (the link sends them). */
  onCommitted(listener: () => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** @internal The store's report of a commit (or rollback) that touched this outbox. */
  settled(ok: boolean, appended: readonly string[], removed: readonly string[]): void {
    for (const key of appended) this.queued.delete(key);
    for (const key of removed) this.removing.delete(key);
    this.executing.clear();
    if (!ok) return; // never accepted: the producer's committed() rejected
    this.stored += appended.length - removed.length;
    for (const key of removed) for (const listener of this.removedListeners) listener(key);
    if (appended.length > 0) for (const listener of this.committedListeners) listener();
  }

  /** Commits what is queued; closes the database when the outbox opened it itself. */
  close(): void {
    if (this.closed) return;
    if (this.ownStore) this.store.close();
    else this.store.flush();
    this.closed = true;
  }
}
