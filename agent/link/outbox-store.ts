import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The SQLite database behind one or more outboxes, and its **group commit**.
 *
 * An outbox never writes on its own: appends, removals and executed-command marks are queued
 * here, and ONE transaction per event-loop turn (`setImmediate`) commits everything every
 * outbox of this store queued during the turn, with `synchronous = FULL` (the commit is fsynced
 * before it returns; `OutboxDurability`). Only then is an entry *accepted*: `Outbox.committed()` resolves, the link
 * may send it, and removals are reported. A producer that needs the guarantee awaits it; nothing
 * is put on the wire before its commit, so nothing the platform acknowledged can be lost.
 *
 * [choice] One store per agent process (one file, `outbox-<device>.sqlite`, owner `''`), or ONE
 * store shared by every agent of an in-process fleet (owner = device id): one connection, one
 * schema, statements prepared once, one fsync per turn for the whole fleet instead of one per
 * message per gateway (docs/agent.md, Outbox).
 */
export type OutboxJournal = 'wal' | 'truncate';

/**
 * When a commit counts as durable, i.e. when an entry is *accepted*:
 * - `fsync` (every real agent): `synchronous = FULL`, the commit is on the disk before it returns
 *   (a power cut loses nothing accepted).
 * - `process` (a simulated fleet only, WAL only): `synchronous = NORMAL`, the commit is in the
 *   operating system's page cache (the WAL file written) before it returns, so a crash or SIGKILL
 *   of the process loses nothing accepted; a power cut of the host may lose the last commits.
 *   [choice] An in-process fleet simulates its gateways inside ONE process whose platform usually
 *   lives in memory: the world it simulates ends with that process, never with a power cut of
 *   one gateway, so the fsync per commit bought nothing it could show (docs/fleet.md, Outbox).
 */
export type OutboxDurability = 'fsync' | 'process';

/** What the store asks of an outbox after each commit. */
export interface OutboxParticipant {
  /** The batch that touched this outbox committed (`ok`) or was rolled back (`!ok`). */
  settled(ok: boolean, appended: readonly string[], removed: readonly string[]): void;
}

interface AppendRow {
  owner: OutboxParticipant;
  ownerId: string;
  key: string;
  kind: string;
  priority: string;
  payload: string;
  createdAt: number;
}

export class OutboxStore {
  readonly db: Database.Database;
  readonly wal: boolean;
  private closed = false;
  private scheduled = false;
  private appends: AppendRow[] = [];
  private removals: Array<{ owner: OutboxParticipant; ownerId: string; key: string }> = [];
  private marks: Array<{ ownerId: string; commandId: string; at: number }> = [];
  private forgets: Array<{ ownerId: string; before: number }> = [];
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Commits made (each one fsync); for tests and benchmarks. */
  commits = 0;
  readonly stmt: {
    insert: Database.Statement;
    byKey: Database.Statement;
    count: Database.Statement;
    pending: Database.Statement;
    remove: Database.Statement;
    executed: Database.Statement;
    markExecuted: Database.Statement;
    forget: Database.Statement;
  };

  /** Opens (creating if needed) the database at `path`; `journal` defaults to `wal`, `durability` to `fsync`. */
  constructor(
    readonly path: string,
    journal: OutboxJournal = 'wal',
    readonly durability: OutboxDurability = 'fsync',
  ) {
    if (durability === 'process' && journal !== 'wal') throw new Error("outbox durability 'process' needs the WAL journal (a rollback journal at NORMAL may corrupt)");
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.wal = journal === 'wal';
    this.db.pragma(this.wal ? 'journal_mode = WAL' : 'journal_mode = TRUNCATE');
    this.db.pragma(durability === 'process' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    this.migrate();
    this.stmt = {
      insert: this.db.prepare('INSERT INTO outbox (owner, key, kind, priority, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      byKey: this.db.prepare('SELECT 1 FROM outbox WHERE owner = ? AND key = ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE owner = ?'),
      pending: this.db.prepare('SELECT seq, key, kind, priority, payload, created_at AS createdAt FROM outbox WHERE owner = ? ORDER BY seq LIMIT ?'),
      remove: this.db.prepare('DELETE FROM outbox WHERE owner = ? AND key = ?'),
      executed: this.db.prepare('SELECT 1 FROM executed_commands WHERE owner = ? AND command_id = ?'),
      markExecuted: this.db.prepare('INSERT OR IGNORE INTO executed_commands (owner, command_id, executed_at) VALUES (?, ?, ?)'),
      forget: this.db.prepare('DELETE FROM executed_commands WHERE owner = ? AND executed_at < ?'),
    };
  }

  /**
   * Schema once per database. A file written before owners existed (one agent per file, tables
   * without `owner`) gets the column with the default `''`, which is the owner a single agent uses.
   */
  private migrate(): void {
    const columns = (table: string): string[] => (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    this.db.transaction(() => {
      if (columns('outbox').length === 0) {
        this.db.exec(`CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          owner TEXT NOT NULL DEFAULT '',
          key TEXT NOT NULL,
          kind TEXT NOT NULL,
          priority TEXT NOT NULL,
          payload TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          UNIQUE (owner, key)
        )`);
      } else if (!columns('outbox').includes('owner')) this.db.exec("ALTER TABLE outbox ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
      if (columns('executed_commands').length === 0) {
        this.db.exec(`CREATE TABLE executed_commands (
          owner TEXT NOT NULL DEFAULT '',
          command_id TEXT NOT NULL,
          executed_at INTEGER NOT NULL,
          PRIMARY KEY (owner, command_id)
        )`);
      } else if (!columns('executed_commands').includes('owner')) this.db.exec("ALTER TABLE executed_commands ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
      this.db.exec('CREATE INDEX IF NOT EXISTS outbox_owner_seq ON outbox (owner, seq)');
    })();
  }

  queueAppend(row: AppendRow): void {
    this.appends.push(row);
    this.schedule();
  }

  queueRemoval(owner: OutboxParticipant, ownerId: string, key: string): void {
    this.removals.push({ owner, ownerId, key });
    this.schedule();
  }

  queueExecuted(ownerId: string, commandId: string, at: number): void {
    this.marks.push({ ownerId, commandId, at });
    this.schedule();
  }

  queueForget(ownerId: string, before: number): void {
    this.forgets.push({ ownerId, before });
    this.schedule();
  }

  /** Resolves once everything queued so far is committed (at once when nothing is queued). */
  committed(): Promise<void> {
    if (!this.hasWork()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private hasWork(): boolean {
    return this.appends.length + this.removals.length + this.marks.length + this.forgets.length > 0;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Commits everything queued, in one transaction: removals first (a key acknowledged and then
   * offered again is deleted, then inserted), then marks and appends. Runs at the end of the
   * event-loop turn; `close()` and tests call it directly.
   */
  flush(): void {
    this.scheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    if (!this.hasWork() || this.closed) {
      for (const w of waiters) w.resolve();
      return;
    }
    const { appends, removals, marks, forgets } = this;
    this.appends = [];
    this.removals = [];
    this.marks = [];
    this.forgets = [];
    const write = this.db.transaction(() => {
      for (const f of forgets) this.stmt.forget.run(f.ownerId, f.before);
      for (const r of removals) this.stmt.remove.run(r.ownerId, r.key);
      for (const m of marks) this.stmt.markExecuted.run(m.ownerId, m.commandId, m.at);
      for (const a of appends) this.stmt.insert.run(a.ownerId, a.key, a.kind, a.priority, a.payload, a.createdAt);
    });
    // A batch of removals alone may skip the fsync in WAL mode: a removal lost to a power cut only
    // causes a resend that the platform deduplicates (WAL + NORMAL never corrupts the database).
    // A rollback journal at NORMAL may corrupt the file on a power cut (sqlite.org/pragma.html#pragma_synchronous).
    const relaxed = this.durability === 'fsync' && this.wal && appends.length === 0 && marks.length === 0;
    let failure: Error | undefined;
    try {
      if (relaxed) this.db.pragma('synchronous = NORMAL');
      write();
      this.commits++;
    } catch (error) {
      failure = error as Error;
    } finally {
      if (relaxed) this.db.pragma('synchronous = FULL');
    }
    const byOwner = new Map<OutboxParticipant, { appended: string[]; removed: string[] }>();
    const of = (o: OutboxParticipant): { appended: string[]; removed: string[] } => {
      let entry = byOwner.get(o);
      if (!entry) byOwner.set(o, (entry = { appended: [], removed: [] }));
      return entry;
    };
    for (const a of appends) of(a.owner).appended.push(a.key);
    for (const r of removals) of(r.owner).removed.push(r.key);
    for (const [owner, { appended, removed }] of byOwner) owner.settled(failure === undefined, appended, removed);
    for (const w of waiters) {
      if (failure) w.reject(failure);
      else w.resolve();
    }
  }

  /** Commits what is queued, then closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  get isOpen(): boolean {
    return !this.closed;
  }
}
