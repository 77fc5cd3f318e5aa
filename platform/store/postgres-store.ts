import { createHash } from 'node:crypto';
import pRetry from 'p-retry';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import type { ListQuery, LockOutcome, PlatformStore, ScheduledJob, StoreTx, StreamQuery, StreamRecord } from './port.js';

type Row = Record<string, unknown>;

/** Advisory-lock namespace of cellgate (the two-int4 form): 'cell' in ASCII. */
const LOCK_SPACE = 0x63656c6c;
/** Held from a transaction's first write to its commit: writers commit one at a time. */
const WRITE_LOCK = 1;
/** Held while migrations run, so processes starting together migrate once. */
const MIGRATION_LOCK = 2;
/** Named locks (`tryWithLock`) live in their own space: LOCK_SPACE + 1, key = hash of the name. */
const NAMED_LOCK_SPACE = LOCK_SPACE + 1;

/** SQLSTATEs after which a transaction is simply run again (PostgreSQL appendix A). */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 40;
const CHANNEL_PREFIX = 'cellgate.';

export interface PostgresStoreOptions {
  /** Connections in this process's pool (default 10). N processes need N × this ≤ `max_connections`. */
  poolSize?: number;
  /** `application_name` the server shows in `pg_stat_activity`. */
  applicationName?: string;
}

/** True for `postgres://` and `postgresql://` URLs (what `--store` accepts besides a directory). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The URL with its password masked, for logs and console lines. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Ids and keys go to `bytea` columns as UTF-8 (see POSTGRES_MIGRATIONS). */
const utf8 = (value: string): Buffer => Buffer.from(value, 'utf8');
const text = (value: unknown): string => (value as Buffer).toString('utf8');

function signedInt32(hex: string): number {
  return Number.parseInt(hex.slice(0, 8), 16) | 0;
}

function lockKey(name: string): number {
  return signedInt32(createHash('sha256').update(name).digest('hex'));
}

/**
 * The PostgreSQL adapter (node-postgres), for a platform run as several processes on one
 * database (docs/deployment.md):
 * - every transaction is SERIALIZABLE and is run again on a serialisation failure or deadlock,
 *   so a use case's read-modify-write is as safe as on SQLite, across processes;
 * - a transaction takes one advisory lock at its first write and keeps it to its commit, so
 *   writers commit one at a time: stream sequence numbers become visible in order (a reader
 *   following a stream with `afterSeq` never skips a record committed late), and no two writers
 *   wait on each other's rows (no deadlocks); reads run side by side;
 * - `tryWithLock` is a session advisory lock on a pooled connection, freed by the server the
 *   moment the holding process dies;
 * - `listen` / `tx.notify` are LISTEN / NOTIFY (delivered on commit).
 */
export class PostgresStore implements PlatformStore {
  readonly shared = true;
  private closed = false;
  private inFlight = new Set<Promise<unknown>>();
  private readonly listeners = new Map<string, Set<(payload: string | null) => void>>();
  private listenClient: pg.Client | null = null;
  private listenConnecting: Promise<void> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
  ) {}

  /** Connects, applies pending migrations (once across processes) and returns the store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const config: pg.ClientConfig = {
      connectionString: url,
      application_name: options.applicationName ?? 'cellgate-platform',
      // Detects a dead server (or a cut network) on idle connections; see docs/deployment.md.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    };
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    // An idle pooled connection that breaks (server restart) is dropped; the next query reconnects.
    pool.on('error', () => undefined);
    // A checked-out connection that breaks fails its query; the 'error' event must not crash us.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const store = new PostgresStore(pool, config);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)));
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  /** Versions of the applied migrations. */
  async appliedMigrations(): Promise<number[]> {
    const r = await this.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    return r.rows.map((row: Row) => Number(row.version));
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const run = pRetry(() => this.attempt(fn), {
      retries: MAX_ATTEMPTS,
      minTimeout: 1,
      maxTimeout: 50,
      factor: 1.5,
      randomize: true,
      shouldRetry: ({ error }) => RETRYABLE.has((error as { code?: string }).code ?? ''),
    });
    this.inFlight.add(run);
    void run.then(
      () => this.inFlight.delete(run),
      () => this.inFlight.delete(run),
    );
    return run;
  }

  private async attempt<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      try {
        const tx = new PostgresTx(client);
        const result = await fn(tx);
        for (const [channel, payload] of tx.notices) await client.query('SELECT pg_notify($1, $2)', [CHANNEL_PREFIX + channel, payload]);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const key = lockKey(name);
      const got = await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [NAMED_LOCK_SPACE, key]);
      if (!(got.rows[0] as Row).ok) return { acquired: false };
      try {
        return { acquired: true, value: await fn() };
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [NAMED_LOCK_SPACE, key]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      client.release(broken);
    }
  }

  async listen(channel: string, listener: (payload: string | null) => void): Promise<() => Promise<void>> {
    const full = CHANNEL_PREFIX + channel;
    let set = this.listeners.get(full);
    const first = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(full, set);
    }
    set.add(listener);
    await this.ensureListenClient();
    if (first && this.listenClient) await this.listenClient.query(`LISTEN ${pg.escapeIdentifier(full)}`);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(full) === set) {
        this.listeners.delete(full);
        await this.listenClient?.query(`UNLISTEN ${pg.escapeIdentifier(full)}`).catch(() => undefined);
      }
    };
  }

  /** One connection carries every LISTEN of this process; it reconnects with backoff if it drops. */
  private ensureListenClient(): Promise<void> {
    if (this.listenClient || this.closed) return Promise.resolve();
    this.listenConnecting ??= pRetry(
      async () => {
        if (this.closed) return;
        const client = new pg.Client(this.config);
        client.on('notification', (msg) => {
          for (const l of this.listeners.get(msg.channel) ?? []) l(msg.payload ?? '');
        });
        client.on('error', () => this.dropListenClient(client));
        client.on('end', () => this.dropListenClient(client));
        await client.connect();
        for (const channel of this.listeners.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        this.listenClient = client;
      },
      { retries: Number.POSITIVE_INFINITY, minTimeout: 100, maxTimeout: 5_000, shouldRetry: () => !this.closed },
    ).finally(() => {
      this.listenConnecting = null;
    });
    return this.listenConnecting;
  }

  private dropListenClient(client: pg.Client): void {
    if (this.listenClient !== client) return;
    this.listenClient = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    // Whatever was notified while the connection was down is lost: tell every listener to re-read.
    void this.ensureListenClient().then(() => {
      for (const set of this.listeners.values()) for (const l of set) l(null);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.listenConnecting?.catch(() => undefined);
    const client = this.listenClient;
    this.listenClient = null;
    await client?.end().catch(() => undefined);
    await this.pool.end();
  }
}

class PostgresTx implements StoreTx {
  readonly notices: [string, string][] = [];
  private writing = false;

  constructor(private readonly client: pg.PoolClient) {}

  private async query(name: string, text: string, values: unknown[]): Promise<Row[]> {
    return (await this.client.query({ name, text, values })).rows as Row[];
  }

  private async write(): Promise<void> {
    if (this.writing) return;
    await this.client.query({ name: 'cg_write_lock', text: 'SELECT pg_advisory_xact_lock($1, $2)', values: [LOCK_SPACE, WRITE_LOCK] });
    this.writing = true;
  }

  notify(channel: string, payload = ''): void {
    this.notices.push([channel, payload]);
  }

  async get<T>(kind: string, id: string): Promise<T | null> {
    const rows = await this.query('cg_get', 'SELECT body FROM documents WHERE kind = $1 AND id = $2', [kind, utf8(id)]);
    return rows[0] ? (JSON.parse(rows[0].body as string) as T) : null;
  }

  async put<T>(kind: string, id: string, doc: T, partition = ''): Promise<void> {
    await this.write();
    await this.query(
      'cg_put',
      'INSERT INTO documents (kind, id, partition, body) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, id) DO UPDATE SET partition = excluded.partition, body = excluded.body',
      [kind, utf8(id), utf8(partition), JSON.stringify(doc)],
    );
  }

  async delete(kind: string, id: string): Promise<boolean> {
    await this.write();
    const r = await this.client.query({ name: 'cg_delete', text: 'DELETE FROM documents WHERE kind = $1 AND id = $2', values: [kind, utf8(id)] });
    return (r.rowCount ?? 0) > 0;
  }

  async list<T>(kind: string, query: ListQuery = {}): Promise<T[]> {
    const where = ['kind = $1'];
    const args: unknown[] = [kind];
    if (query.partition !== undefined) {
      args.push(utf8(query.partition));
      where.push(`partition = $${args.length}`);
    }
    if (query.after !== undefined) {
      args.push(utf8(query.after));
      where.push(`id > $${args.length}`);
    }
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = (await this.client.query(`SELECT body FROM documents WHERE ${where.join(' AND ')} ORDER BY id${limit}`, args)).rows as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as T);
  }

  async append<T>(stream: string, key: string, at: number, body: T): Promise<number> {
    await this.write();
    const rows = await this.query('cg_append', 'INSERT INTO streams (stream, key, at, body) VALUES ($1, $2, $3, $4) RETURNING seq', [stream, utf8(key), at, JSON.stringify(body)]);
    return Number(rows[0]!.seq);
  }

  async readStream<T>(stream: string, query: StreamQuery = {}): Promise<StreamRecord<T>[]> {
    const where = ['stream = $1'];
    const args: unknown[] = [stream];
    const add = (sql: string, value: unknown): void => {
      args.push(value);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (query.key !== undefined) add('key = ?', utf8(query.key));
    if (query.fromTime !== undefined) add('at >= ?', query.fromTime);
    if (query.toTime !== undefined) add('at <= ?', query.toTime);
    if (query.afterSeq !== undefined) add(query.descending ? 'seq < ?' : 'seq > ?', query.afterSeq);
    const order = query.descending ? 'DESC' : 'ASC';
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = (await this.client.query(`SELECT seq, stream, key, at, body FROM streams WHERE ${where.join(' AND ')} ORDER BY seq ${order}${limit}`, args)).rows as Row[];
    return rows.map((r) => ({ seq: Number(r.seq), stream: r.stream as string, key: text(r.key), at: Number(r.at), body: JSON.parse(r.body as string) as T }));
  }

  async putJob(job: ScheduledJob): Promise<void> {
    await this.write();
    await this.query(
      'cg_put_job',
      'INSERT INTO jobs (job_key, name, due, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (job_key) DO UPDATE SET name = excluded.name, due = excluded.due, payload = excluded.payload',
      [utf8(job.jobKey), job.name, job.due, JSON.stringify(job.payload ?? null)],
    );
  }

  async getJob(jobKey: string): Promise<ScheduledJob | null> {
    const rows = await this.query('cg_get_job', 'SELECT job_key, name, due, payload FROM jobs WHERE job_key = $1', [utf8(jobKey)]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  async deleteJob(jobKey: string): Promise<boolean> {
    await this.write();
    const r = await this.client.query({ name: 'cg_delete_job', text: 'DELETE FROM jobs WHERE job_key = $1', values: [utf8(jobKey)] });
    return (r.rowCount ?? 0) > 0;
  }

  async dueJobs(until: number, limit = 100): Promise<ScheduledJob[]> {
    const rows = await this.query('cg_due_jobs', 'SELECT job_key, name, due, payload FROM jobs WHERE due <= $1 ORDER BY due, job_key LIMIT $2', [until, limit]);
    return rows.map(toJob);
  }

  async nextJobDue(): Promise<number | null> {
    const rows = await this.query('cg_next_job', 'SELECT MIN(due) AS due FROM jobs', []);
    const due = rows[0]?.due;
    return due === null || due === undefined ? null : Number(due);
  }
}

function toJob(row: Row): ScheduledJob {
  return { jobKey: text(row.job_key), name: row.name as string, due: Number(row.due), payload: JSON.parse(row.payload as string) };
}
