import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from './postgres-store.js';

export interface CopyReport {
  documents: number;
  streamRecords: number;
  jobs: number;
}

const BATCH = 500;
const BYTEA_COLUMNS = new Set(['id', 'partition', 'key', 'job_key']);

/**
 * Moves an embedded SQLite store into an empty PostgreSQL database (`cellgate platform migrate
 * --from-sqlite`): PostgreSQL's migrations first, then every document, stream record (with its
 * sequence number, so cursors and `last_evaluated_key`s handed out stay valid) and job, in one
 * transaction — the target has all of it or nothing. Refuses a target that already holds data.
 * Stop the platform first: the SQLite file is read as it is.
 */
export async function copySqliteToPostgres(sqlitePath: string, url: string): Promise<CopyReport> {
  if (!existsSync(sqlitePath)) throw new Error(`no SQLite store at ${sqlitePath}`);
  await (await PostgresStore.open(url)).close();
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    const counts = await client.query('SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM streams) + (SELECT count(*) FROM jobs) AS n');
    if (Number((counts.rows[0] as { n: string }).n) > 0) throw new Error('the PostgreSQL database already holds platform data; copy into an empty one');
    const report: CopyReport = { documents: 0, streamRecords: 0, jobs: 0 };
    const copy = async (select: string, insert: (rows: Record<string, unknown>[]) => { text: string; values: unknown[] }): Promise<number> => {
      let n = 0;
      let batch: Record<string, unknown>[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await client.query(insert(batch));
        n += batch.length;
        batch = [];
      };
      for (const row of source.prepare(select).iterate() as Iterable<Record<string, unknown>>) {
        batch.push(row);
        if (batch.length === BATCH) await flush();
      }
      await flush();
      return n;
    };
    const values = (rows: Record<string, unknown>[], columns: string[]): { placeholders: string; values: unknown[] } => {
      const out: unknown[] = [];
      // Ids and keys are bytea in PostgreSQL (POSTGRES_MIGRATIONS): their UTF-8 bytes.
      const cell = (c: string, v: unknown): unknown => (BYTEA_COLUMNS.has(c) ? Buffer.from(String(v), 'utf8') : v);
      const tuples = rows.map((row) => `(${columns.map((c) => (out.push(cell(c, row[c])), `$${out.length}`)).join(', ')})`);
      return { placeholders: tuples.join(', '), values: out };
    };
    report.documents = await copy('SELECT kind, id, partition, body FROM documents', (rows) => {
      const v = values(rows, ['kind', 'id', 'partition', 'body']);
      return { text: `INSERT INTO documents (kind, id, partition, body) VALUES ${v.placeholders}`, values: v.values };
    });
    report.streamRecords = await copy('SELECT seq, stream, key, at, body FROM streams ORDER BY seq', (rows) => {
      const v = values(rows, ['seq', 'stream', 'key', 'at', 'body']);
      return { text: `INSERT INTO streams (seq, stream, key, at, body) VALUES ${v.placeholders}`, values: v.values };
    });
    report.jobs = await copy('SELECT job_key, name, due, payload FROM jobs', (rows) => {
      const v = values(rows, ['job_key', 'name', 'due', 'payload']);
      return { text: `INSERT INTO jobs (job_key, name, due, payload) VALUES ${v.placeholders}`, values: v.values };
    });
    // New records continue after the highest copied sequence number.
    await client.query("SELECT setval(pg_get_serial_sequence('streams', 'seq'), GREATEST((SELECT max(seq) FROM streams), 1), (SELECT max(seq) IS NOT NULL FROM streams))");
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
    source.close();
  }
}
