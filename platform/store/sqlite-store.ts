import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type { ListQuery, PlatformStore, ScheduledJob, StoreTx, StreamQuery, StreamRecord } from './port.js';

type Row = Record<string, unknown>;

/**
 * The embedded SQLite adapter (better-sqlite3): WAL journal with `synchronous=FULL`, so a
 * committed transaction survives a power cut or SIGKILL; migrations tracked in
 * `schema_migrations`; transactions serialised through a promise queue.
 */
export class SqliteStore implements PlatformStore {
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `path` is a file path or `:memory:`; parent directories are created. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

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
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('store is closed');
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteTx(this.db));
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * Prepared statements by SQL text, per database: preparing costs about as much as running a
 * simple indexed query, and rating an account of 10,000 SIMs runs tens of thousands of them.
 * Bounded: SQL with inlined limits varies, so the cache starts over past a few hundred texts.
 */
const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_PREPARED = 500;

class SqliteTx implements StoreTx {
  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let statements = prepared.get(this.db);
    if (!statements || statements.size >= MAX_PREPARED) prepared.set(this.db, (statements = new Map()));
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  async get<T>(kind: string, id: string): Promise<T | null> {
    const row = this.prepare('SELECT body FROM documents WHERE kind = ? AND id = ?').get(kind, id) as Row | undefined;
    return row ? (JSON.parse(row.body as string) as T) : null;
  }

  async put<T>(kind: string, id: string, doc: T, partition = ''): Promise<void> {
    this.db
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
    this.db
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
