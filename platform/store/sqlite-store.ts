import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CommittedDocuments } from './committed-documents.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type { ListQuery, LockOutcome, PlatformStore, ScheduledJob, StoreTx, StreamQuery, StreamRecord } from './port.js';

type Row = Record<string, unknown>;

/**
 * The embedded SQLite adapter (better-sqlite3): WAL journal with `synchronous=FULL`, so a
 * committed transaction survives a power cut or SIGKILL; migrations tracked in
 * `schema_migrations`.
 *
 * - **Group commit.** Transactions are serialised; those queued while one runs join the same
 *   SQLite transaction, each inside its own SAVEPOINT (a failing one rolls back alone), and ONE
 *   `COMMIT` (one fsync) makes the whole group durable before any of their promises resolves.
 *   Under concurrent writes the fsync is paid per group, not per request.
 * - **Reads without the write lock.** A file store opens a second connection for `read`: each
 *   read runs in its own deferred transaction there (a consistent snapshot of committed data,
 *   `query_only`), never queued behind a writer's fsync. A `:memory:` store has one connection,
 *   so its reads queue with the writes. `readDocument` reads one document there with one
 *   statement and no transaction, its parsed form kept until the database changes
 *   (`committed-documents.ts`).
 * - **Statements prepared once** per connection and reused (a small cache keyed by SQL text).
 */
export class SqliteStore implements PlatformStore {
  private readonly db: Database.Database;
  private readonly reader: Database.Database | undefined;
  private readonly writeTx: SqliteTx;
  private readonly readTx: SqliteTx;
  private pending: Array<QueuedTransaction<unknown>> = [];
  private writing: Promise<void> | undefined;
  private reads: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Commits made (each one fsync on a file store); for tests and benchmarks. */
  commits = 0;
  /** One process owns the file, so locks and notifications stay in memory. */
  readonly shared = false;
  private readonly locks = new Set<string>();
  private readonly notifications = new EventEmitter().setMaxListeners(0);

  /** `path` is a file path or `:memory:`; parent directories are created. */
  constructor(path: string, options: { maxGroup?: number } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.maxGroup = options.maxGroup ?? 64;
    this.writeTx = new SqliteTx(statementCache(this.db));
    // Transaction control as prepared statements: `exec` would compile the SQL on every call.
    this.control = {
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      savepoint: this.db.prepare('SAVEPOINT use_case'),
      release: this.db.prepare('RELEASE use_case'),
      rollbackTo: this.db.prepare('ROLLBACK TO use_case'),
      commit: this.db.prepare('COMMIT'),
    };
    if (path !== ':memory:') {
      this.reader = new Database(path);
      this.reader.pragma('busy_timeout = 5000');
      this.reader.pragma('query_only = ON');
      this.readTx = new SqliteTx(statementCache(this.reader));
      this.readControl = { begin: this.reader.prepare('BEGIN'), commit: this.reader.prepare('COMMIT') };
      const reader = this.reader;
      this.read = (fn) => this.readSnapshot(reader, fn);
      const documents = new CommittedDocuments(reader);
      this.readDocument = <T>(kind: string, id: string): Promise<T | null> => this.readOneDocument(reader, documents, kind, id);
    } else {
      this.readTx = this.writeTx;
      this.read = undefined;
      this.readDocument = undefined;
    }
  }

  private readonly maxGroup: number;
  private readonly control: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit', Database.Statement>;
  private readonly readControl: Record<'begin' | 'commit', Database.Statement> | undefined;

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM schema_migrations').all().map((r) => (r as Row).version as number));
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date(0).toISOString());
      })();
    }
  }

  /** Versions of the applied migrations (for tests and `doctor`-style checks). */
  appliedMigrations(): number[] {
    return this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as Row).version as number);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject } as QueuedTransaction<unknown>);
      this.writing ??= this.drain();
    });
  }

  /** Present on a file store only (a `:memory:` store has one connection: reads go through `transaction`). */
  readonly read: (<T>(fn: (tx: StoreTx) => Promise<T>) => Promise<T>) | undefined;

  /** Present on a file store only, like `read`. */
  readonly readDocument: (<T>(kind: string, id: string) => Promise<T | null>) | undefined;

  private readOneDocument<T>(reader: Database.Database, documents: CommittedDocuments, kind: string, id: string): Promise<T | null> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    // A snapshot read is open on the reader (awaiting between its statements): a statement now
    // would run inside that older snapshot, so queue behind it instead.
    if (reader.inTransaction) return this.readSnapshot(reader, (tx) => tx.get<T>(kind, id));
    try {
      return Promise.resolve(documents.get<T>(kind, id));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readSnapshot<T>(reader: Database.Database, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('store is closed');
      this.readControl!.begin.run();
      try {
        return await fn(this.readTx);
      } finally {
        this.readTx.takeNotices();
        this.readControl!.commit.run();
      }
    };
    const next = this.reads.then(run, run);
    this.reads = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs queued transactions in groups, one COMMIT per group, until the queue is empty. Before
   * each group the loop gives the event loop one turn: a commit's fsync blocks the thread, so the
   * requests that arrived meanwhile are all read in the next poll phase and join ONE group instead
   * of each paying an fsync. The write lock is never held across that turn (another process on the
   * same database waits only for the group's own work).
   */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        await nextTurn();
        if (this.pending.length === 0) break;
        const done: Array<{ job: QueuedTransaction<unknown>; value: unknown; notices: [string, string][] }> = [];
        let batchError: unknown;
        try {
          this.control.begin.run();
        } catch (error) {
          // The database stayed locked past busy_timeout (another process): fail this group.
          for (const job of this.pending.splice(0, this.maxGroup)) job.reject(error);
          continue;
        }
        // Arrivals while the group runs (a use case's awaits) join it until it is full.
        while (this.pending.length > 0 && done.length < this.maxGroup && batchError === undefined) {
          const job = this.pending.shift()!;
          this.control.savepoint.run();
          this.writeTx.takeNotices();
          try {
            const value = await job.fn(this.writeTx);
            this.control.release.run();
            done.push({ job, value, notices: this.writeTx.takeNotices() });
          } catch (error) {
            this.writeTx.takeNotices();
            job.reject(error);
            if (this.db.inTransaction) {
              this.control.rollbackTo.run();
              this.control.release.run();
            } else batchError = error; // SQLite rolled back the whole transaction (e.g. disk full): the group is lost.
          }
        }
        if (batchError === undefined) {
          try {
            this.control.commit.run();
            this.commits++;
          } catch (error) {
            batchError = error;
            if (this.db.inTransaction) this.db.exec('ROLLBACK');
          }
        }
        for (const { job, value, notices } of done) {
          if (batchError !== undefined) {
            job.reject(batchError);
            continue;
          }
          for (const [channel, payload] of notices) this.notifications.emit(channel, payload);
          job.resolve(value);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  async tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
    if (this.locks.has(name)) return { acquired: false };
    this.locks.add(name);
    try {
      return { acquired: true, value: await fn() };
    } finally {
      this.locks.delete(name);
    }
  }

  async listen(channel: string, listener: (payload: string | null) => void): Promise<() => Promise<void>> {
    const wrapped = (payload: string): void => listener(payload);
    this.notifications.on(channel, wrapped);
    return async () => {
      this.notifications.off(channel, wrapped);
    };
  }

  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.reads;
    if (this.closed) return;
    this.closed = true;
    this.reader?.close();
    this.db.close();
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface QueuedTransaction<T> {
  fn: (tx: StoreTx) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * `prepare` with a cache per connection: preparing costs about as much as running a simple
 * indexed query, and rating an account of 10,000 SIMs runs tens of thousands of them. Bounded:
 * SQL with inlined limits varies, so the cache starts over past a few hundred texts.
 */
function statementCache(db: Database.Database): (sql: string) => Database.Statement {
  let cache = new Map<string, Database.Statement>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= MAX_PREPARED) cache = new Map();
      cache.set(sql, (stmt = db.prepare(sql)));
    }
    return stmt;
  };
}
const MAX_PREPARED = 500;

class SqliteTx implements StoreTx {
  /** Notifications of the running use case, emitted once its group committed. */
  private notices: [string, string][] = [];

  constructor(private readonly prepare: (sql: string) => Database.Statement) {}

  notify(channel: string, payload = ''): void {
    this.notices.push([channel, payload]);
  }

  /** The notices so far, and forgets them (one SqliteTx serves every use case in turn). */
  takeNotices(): [string, string][] {
    const taken = this.notices;
    this.notices = [];
    return taken;
  }

  async get<T>(kind: string, id: string): Promise<T | null> {
    const row = this.prepare('SELECT body FROM documents WHERE kind = ? AND id = ?').get(kind, id) as Row | undefined;
    return row ? (JSON.parse(row.body as string) as T) : null;
  }

  async put<T>(kind: string, id: string, doc: T, partition = ''): Promise<void> {
    this
      .prepare('INSERT INTO documents (kind, id, partition, body) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET partition = excluded.partition, body = excluded.body')
      .run(kind, id, partition, JSON.stringify(doc));
  }

  async delete(kind: string, id: string): Promise<boolean> {
    return this.prepare('DELETE FROM documents WHERE kind = ? AND id = ?').run(kind, id).changes > 0;
  }

  async list<T>(kind: string, query: ListQuery = {}): Promise<T[]> {
    const where = ['kind = ?'];
    const args: unknown[] = [kind];
    if (query.partition !== undefined) {
      where.push('partition = ?');
      args.push(query.partition);
    }
    if (query.after !== undefined) {
      where.push('id > ?');
      args.push(query.after);
    }
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = this.prepare(`SELECT body FROM documents WHERE ${where.join(' AND ')} ORDER BY id${limit}`).all(...args) as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as T);
  }

  async append<T>(stream: string, key: string, at: number, body: T): Promise<number> {
    const info = this.prepare('INSERT INTO streams (stream, key, at, body) VALUES (?, ?, ?, ?)').run(stream, key, at, JSON.stringify(body));
    return Number(info.lastInsertRowid);
  }

  async readStream<T>(stream: string, query: StreamQuery = {}): Promise<StreamRecord<T>[]> {
    const where = ['stream = ?'];
    const args: unknown[] = [stream];
    if (query.key !== undefined) {
      where.push('key = ?');
      args.push(query.key);
    }
    if (query.fromTime !== undefined) {
      where.push('at >= ?');
      args.push(query.fromTime);
    }
    if (query.toTime !== undefined) {
      where.push('at <= ?');
      args.push(query.toTime);
    }
    if (query.afterSeq !== undefined) {
      where.push(query.descending ? 'seq < ?' : 'seq > ?');
      args.push(query.afterSeq);
    }
    const order = query.descending ? 'DESC' : 'ASC';
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = this.prepare(`SELECT seq, stream, key, at, body FROM streams WHERE ${where.join(' AND ')} ORDER BY seq ${order}${limit}`).all(...args) as Row[];
    return rows.map((r) => ({ seq: r.seq as number, stream: r.stream as string, key: r.key as string, at: r.at as number, body: JSON.parse(r.body as string) as T }));
  }

  async putJob(job: ScheduledJob): Promise<void> {
    this
      .prepare('INSERT INTO jobs (job_key, name, due, payload) VALUES (?, ?, ?, ?) ON CONFLICT (job_key) DO UPDATE SET name = excluded.name, due = excluded.due, payload = excluded.payload')
      .run(job.jobKey, job.name, job.due, JSON.stringify(job.payload ?? null));
  }

  async getJob(jobKey: string): Promise<ScheduledJob | null> {
    const row = this.prepare('SELECT job_key, name, due, payload FROM jobs WHERE job_key = ?').get(jobKey) as Row | undefined;
    return row ? toJob(row) : null;
  }

  async deleteJob(jobKey: string): Promise<boolean> {
    return this.prepare('DELETE FROM jobs WHERE job_key = ?').run(jobKey).changes > 0;
  }

  async dueJobs(until: number, limit = 100): Promise<ScheduledJob[]> {
    const rows = this.prepare('SELECT job_key, name, due, payload FROM jobs WHERE due <= ? ORDER BY due, job_key LIMIT ?').all(until, limit) as Row[];
    return rows.map(toJob);
  }

  async nextJobDue(): Promise<number | null> {
    const row = this.prepare('SELECT MIN(due) AS due FROM jobs').get() as Row;
    return (row.due as number | null) ?? null;
  }
}

function toJob(row: Row): ScheduledJob {
  return { jobKey: row.job_key as string, name: row.name as string, due: row.due as number, payload: JSON.parse(row.payload as string) };
}
