import type Database from 'better-sqlite3';

/**
 * Single-document reads on the SQLite adapter's reader connection (`SqliteStore.readDocument`),
 * without a transaction, with the parsed documents kept until the database changes.
 *
 * - **No snapshot transaction.** One `SELECT` is atomic in SQLite: it runs in its own implicit
 *   read transaction and sees every commit made before it started, so the explicit
 *   `BEGIN`/`COMMIT` a multi-statement read needs (and its queue) would only cost time.
 * - **Parsed documents kept while nothing changed.** `PRAGMA data_version` on this connection
 *   changes whenever any other connection — this process's writer, or another process using the
 *   same file — committed since the last call (sqlite.org/pragma.html#pragma_data_version). Every
 *   read asks it first (one cheap statement) and drops the whole cache when it moved, so a write
 *   acknowledged before a read is always seen by that read, in any process. The version is read
 *   BEFORE the document, so an entry is never tagged with a version newer than its content.
 * - Cached documents are deeply frozen: they are shared by every caller until the next change,
 *   and a caller that tried to modify one would fail loudly instead of changing another's view.
 */
export class CommittedDocuments {
  private readonly version: Database.Statement;
  private readonly select: Database.Statement;
  private cache = new Map<string, unknown>();
  private cachedAt: unknown;

  constructor(
    reader: Database.Database,
    /** Documents kept at most; past it the cache starts over (it is only a shortcut). */
    private readonly maxEntries = 4_096,
  ) {
    this.version = reader.prepare('PRAGMA data_version').pluck();
    this.select = reader.prepare('SELECT body FROM documents WHERE kind = ? AND id = ?').pluck();
  }

  /** The committed document, or null. Must not run inside a read transaction of the same connection. */
  get<T>(kind: string, id: string): T | null {
    const version = this.version.get();
    if (version !== this.cachedAt) {
      if (this.cache.size > 0) this.cache = new Map();
      this.cachedAt = version;
    }
    const key = `${kind}\u0000${id}`;
    let doc = this.cache.get(key);
    if (doc === undefined) {
      const body = this.select.get(kind, id) as string | undefined;
      doc = body === undefined ? null : deepFreeze(JSON.parse(body));
      if (this.cache.size >= this.maxEntries) this.cache = new Map();
      this.cache.set(key, doc);
    }
    return doc as T | null;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
