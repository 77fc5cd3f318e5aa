import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../../common/clock.js';

/**
 * The agent's durable outbox: everything that must reach the platform (events, eSIM
 * notifications, command results) is written here first and stays until the platform's
 * end-to-end ack names its idempotency key.
 *
 * [choice] SQLite (better-sqlite3) in WAL mode with `synchronous = FULL`: every append is its
 * own transaction, and SQLite fsyncs the WAL before the commit returns, so once `append`
 * returns the entry survives a killed process or a power cut.
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
 * How the outbox's SQLite file commits (both keep `synchronous = FULL`: an append is on disk
 * before it returns):
 * - `wal` (default): write-ahead log. Cheapest commit (one fsync), but three open files per
 *   outbox for its lifetime (database, `-wal`, `-shm`).
 * - `truncate`: rollback journal truncated (and fsynced) at each commit. Three or four fsyncs per
 *   commit, but between transactions only the database file is open: one file per outbox.
 *   [choice] For thousands of outboxes in one process (the in-process fleet), where open files
 *   are the limit. `truncate` rather than `delete`: with `delete`, a commit is durable only if
 *   the directory is fsynced after the unlink (`synchronous = EXTRA`); a truncate is fsynced on
 *   the journal itself and costs no directory update.
 */
export type OutboxJournal = 'wal' | 'truncate';

export interface OutboxOptions {
  clock: Clock;
  /** Commit discipline; default `wal` (see `OutboxJournal`). */
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

export class Outbox {
  private readonly db: Database.Database;
  private readonly wal: boolean;
  private readonly maxEntries: number;
  private readonly lowLimit: number;
  private readonly maxPayloadBytes: number;
  private readonly removedListeners = new Set<(key: string) => void>();
  private readonly stmt: {
    insert: Database.Statement;
    byKey: Database.Statement;
    count: Database.Statement;
    pending: Database.Statement;
    remove: Database.Statement;
    executed: Database.Statement;
    markExecuted: Database.Statement;
  };

  /** Opens (creating if needed) the outbox database at `path`. */
  constructor(readonly path: string, private readonly options: OutboxOptions) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.wal = (options.journal ?? 'wal') === 'wal';
    this.db.pragma(this.wal ? 'journal_mode = WAL' : 'journal_mode = TRUNCATE');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        priority TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS executed_commands (
        command_id TEXT PRIMARY KEY,
        executed_at INTEGER NOT NULL
      );
    `);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.lowLimit = Math.floor(this.maxEntries * (options.lowWatermark ?? 0.8));
    this.maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
    this.stmt = {
      insert: this.db.prepare('INSERT INTO outbox (key, kind, priority, payload, created_at) VALUES (?, ?, ?, ?, ?)'),
      byKey: this.db.prepare('SELECT seq FROM outbox WHERE key = ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM outbox'),
      pending: this.db.prepare('SELECT seq, key, kind, priority, payload, created_at AS createdAt FROM outbox ORDER BY seq LIMIT ?'),
      remove: this.db.prepare('DELETE FROM outbox WHERE key = ?'),
      executed: this.db.prepare('SELECT 1 FROM executed_commands WHERE command_id = ?'),
      markExecuted: this.db.prepare('INSERT OR IGNORE INTO executed_commands (command_id, executed_at) VALUES (?, ?)'),
    };
    const forgetBefore = options.clock.now() - (options.commandMemoryMs ?? 30 * 24 * 3600_000);
    this.db.prepare('DELETE FROM executed_commands WHERE executed_at < ?').run(forgetBefore);
  }

  /**
   * Appends durably (fsync'd before returning). Appending a key that is already pending is a
   * no-op that reports `duplicate: true`, so a producer may safely re-offer after a crash.
   * @throws OutboxFullError when the size policy refuses the entry.
   */
  append(entry: { key: string; kind: OutboxKind; priority: OutboxPriority; payload: string }): { key: string; duplicate: boolean } {
    if (Buffer.byteLength(entry.payload) > this.maxPayloadBytes) {
      throw new RangeError(`outbox entry ${entry.key} is ${Buffer.byteLength(entry.payload)} bytes, over the ${this.maxPayloadBytes}-byte limit`);
    }
    return this.db.transaction(() => {
      if (this.stmt.byKey.get(entry.key)) return { key: entry.key, duplicate: true };
      const size = this.size();
      if ((entry.priority === 'low' && size >= this.lowLimit) || (entry.priority === 'normal' && size >= this.maxEntries)) {
        throw new OutboxFullError(entry.priority, size);
      }
      this.stmt.insert.run(entry.key, entry.kind, entry.priority, entry.payload, this.options.clock.now());
      return { key: entry.key, duplicate: false };
    })();
  }

  /** Appends a command result and remembers the command as executed, in one transaction. */
  appendCommandResult(commandId: string, entry: { key: string; payload: string }): { key: string; duplicate: boolean } {
    return this.db.transaction(() => {
      this.stmt.markExecuted.run(commandId, this.options.clock.now());
      return this.append({ ...entry, kind: 'command-result', priority: 'critical' });
    })();
  }

  /** Whether a result for this command was ever accepted (it may already be acknowledged). */
  hasExecutedCommand(commandId: string): boolean {
    return this.stmt.executed.get(commandId) !== undefined;
  }

  /** The oldest `limit` pending entries, in append order. */
  pending(limit = 100): OutboxEntry[] {
    return this.stmt.pending.all(limit) as OutboxEntry[];
  }

  has(key: string): boolean {
    return this.stmt.byKey.get(key) !== undefined;
  }

  size(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  /** Removes acknowledged entries; returns the keys that were actually pending. */
  remove(keys: readonly string[]): string[] {
    const removeAll = (): string[] => this.db.transaction(() => keys.filter((k) => this.stmt.remove.run(k).changes > 0))();
    let removed: string[];
    if (this.wal) {
      // A removal lost to a power cut only causes a resend the platform deduplicates, so removals
      // skip the fsync that appends need (WAL + NORMAL still never corrupts the database).
      this.db.pragma('synchronous = NORMAL');
      try {
        removed = removeAll();
      } finally {
        this.db.pragma('synchronous = FULL');
      }
    } else {
      // A rollback journal at NORMAL may corrupt the file on a power cut (sqlite.org/pragma.html#pragma_synchronous).
      removed = removeAll();
    }
    for (const key of removed) for (const listener of this.removedListeners) listener(key);
    return removed;
  }

  /** Called with each key once it leaves the outbox (acknowledged or rejected by the platform). */
  onRemoved(listener: (key: string) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  close(): void {
    this.db.close();
  }
}
