/** Schema migrations of the SQLite store, applied in order; never edit one that shipped. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'documents, streams, jobs',
    sql: `
      CREATE TABLE documents (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        partition TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
      CREATE INDEX documents_by_partition ON documents (kind, partition, id);
      CREATE TABLE streams (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stream TEXT NOT NULL,
        key TEXT NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX streams_by_key ON streams (stream, key, seq);
      CREATE INDEX streams_by_time ON streams (stream, at, seq);
      CREATE TABLE jobs (
        job_key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        due INTEGER NOT NULL,
        payload TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX jobs_by_due ON jobs (due, job_key);
    `,
  },
  {
    version: 2,
    name: 'streams by sequence',
    // A stream's newest record (`readStream(s, { descending: true, limit: 1 })`: the live events'
    // start, the billing statement's inputs) without sorting all of the stream's records.
    sql: `CREATE INDEX streams_by_seq ON streams (stream, seq);`,
  },
];

/**
 * The same schema for PostgreSQL, version for version (a test keeps the two lists in step).
 * Ids, partitions and stream keys are `bytea` holding their UTF-8: they sort byte-wise as in
 * SQLite (so `list` pages the same on both), and may hold U+0000 (the inbox's separator), which
 * PostgreSQL `text` cannot. Bodies stay JSON text (not `jsonb`), so a document reads back with
 * its keys in the order it was written.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'documents, streams, jobs',
    sql: `
      CREATE TABLE documents (
        kind TEXT COLLATE "C" NOT NULL,
        id BYTEA NOT NULL,
        partition BYTEA NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX documents_by_partition ON documents (kind, partition, id);
      CREATE TABLE streams (
        seq BIGSERIAL PRIMARY KEY,
        stream TEXT COLLATE "C" NOT NULL,
        key BYTEA NOT NULL,
        at BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX streams_by_key ON streams (stream, key, seq);
      CREATE INDEX streams_by_time ON streams (stream, at, seq);
      CREATE TABLE jobs (
        job_key BYTEA PRIMARY KEY,
        name TEXT NOT NULL,
        due BIGINT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX jobs_by_due ON jobs (due, job_key);
    `,
  },
  {
    version: 2,
    name: 'streams by sequence',
    sql: `CREATE INDEX streams_by_seq ON streams (stream, seq);`,
  },
];
