/**
 * The platform store port. Async throughout so a PostgreSQL adapter can follow the SQLite one.
 *
 * Data model: documents (JSON, keyed by kind + id, optionally grouped by a partition such as an
 * operator id), append-only streams (status history, session events, usage records — ordered by a
 * global sequence), and scheduled jobs (the scheduler's durable `at` work). Parts of the platform
 * add their own document kinds and streams without a schema change.
 */

/** One record of an append-only stream. */
export interface StreamRecord<T = unknown> {
  seq: number;
  stream: string;
  key: string;
  at: number;
  body: T;
}

export interface StreamQuery {
  /** Only records with this key (e.g. an IMSI). */
  key?: string;
  /** Inclusive lower bound on `at`. */
  fromTime?: number;
  /** Inclusive upper bound on `at`. */
  toTime?: number;
  /** Only records after this sequence number (ascending) or before it (descending). */
  afterSeq?: number;
  limit?: number;
  descending?: boolean;
}

export interface ListQuery {
  partition?: string;
  /** Only ids strictly greater than this (pagination by `last_evaluated_key`). */
  after?: string;
  limit?: number;
}

/** A unit of time-driven work persisted so a restart keeps it (SPEC §1.8). */
export interface ScheduledJob {
  jobKey: string;
  /** Handler name registered with the scheduler. */
  name: string;
  due: number;
  payload: unknown;
}

/** What a use case may do inside its transaction. */
export interface StoreTx {
  get<T>(kind: string, id: string): Promise<T | null>;
  /** Inserts or replaces; `partition` groups documents for `list`. */
  put<T>(kind: string, id: string, doc: T, partition?: string): Promise<void>;
  /** True when a document was removed. */
  delete(kind: string, id: string): Promise<boolean>;
  /** Documents of `kind` in ascending id order. */
  list<T>(kind: string, query?: ListQuery): Promise<T[]>;
  /** Appends to `stream`; returns the record's sequence number. */
  append<T>(stream: string, key: string, at: number, body: T): Promise<number>;
  readStream<T>(stream: string, query?: StreamQuery): Promise<StreamRecord<T>[]>;
  /** Inserts or replaces the job with this key. */
  putJob(job: ScheduledJob): Promise<void>;
  getJob(jobKey: string): Promise<ScheduledJob | null>;
  deleteJob(jobKey: string): Promise<boolean>;
  /** Jobs due at or before `until`, earliest first. */
  dueJobs(until: number, limit?: number): Promise<ScheduledJob[]>;
  /** Due time of the earliest job, if any. */
  nextJobDue(): Promise<number | null>;
  /**
   * Wakes every `listen(channel)` of every process sharing the store once this transaction
   * committed (never when it rolls back). `payload` is a short hint (≤ 1,000 bytes); listeners
   * read the facts from the store, since a wake-up may be missed (a dropped connection).
   */
  notify(channel: string, payload?: string): void;
}

/** What `tryWithLock` returns: the value of `fn`, or that another holder has the lock. */
export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

/**
 * A platform store. Every use case runs in exactly one `transaction`; transactions are
 * serialisable, so a use case sees no interleaving writes. When `fn` resolves the changes are
 * durable (committed with a synced write-ahead log) before the promise resolves; when it rejects
 * nothing is kept. An adapter shared by several processes may run `fn` again after a conflict
 * (a serialisation failure): `fn` must have no effect outside `tx` before it resolves. Never
 * call `transaction` from inside another one (it would wait forever).
 */
export interface PlatformStore {
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Optional: runs a read-only use case on a consistent snapshot of committed data without
   * queueing behind writers (no write lock, no wait for their commit). `fn` must not write (an
   * adapter may refuse it). Absent: use `transaction` (see `readOnly` below).
   */
  read?<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Optional: one committed document, read by ONE statement outside any transaction (a single
   * statement is atomic, so it needs no snapshot), never queued behind writers. It sees every
   * commit acknowledged before the call, by any process. The document may be shared with other
   * callers (an adapter may cache it until the data changes): treat it as read-only. Absent: use
   * `readOnly` with `tx.get` (see `readDocument` below).
   */
  readDocument?<T>(kind: string, id: string): Promise<T | null>;
  /**
   * True when other processes may use the same data at the same time (PostgreSQL): state held in
   * one process's memory is then only a cache, and cross-process work goes through the store.
   */
  readonly shared: boolean;
  /**
   * Runs `fn` holding the lock `name`, exclusive across every process using this store; resolves
   * `{acquired: false}` at once, without running `fn`, while another holder has it. The lock is
   * released when `fn` settles, or when the holding process dies (its database connection
   * closes) — that is what lets another process take over its scheduled work.
   */
  tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<LockOutcome<T>>;
  /**
   * Calls `listener` for every `tx.notify(channel)` committed by any process, and with `null`
   * when notifications may have been missed (a reconnect): the listener then re-reads the store.
   * Resolves with the function that stops listening.
   */
  listen(channel: string, listener: (payload: string | null) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * One committed document (read-only: it may be shared, see `PlatformStore.readDocument`), with
 * the store's `readDocument` when it has one, else by `readOnly`.
 */
export function readDocument<T>(store: PlatformStore, kind: string, id: string): Promise<T | null> {
  return store.readDocument ? store.readDocument<T>(kind, id) : readOnly(store, (tx) => tx.get<T>(kind, id));
}

/** Runs a read-only use case with the store's `read` when it has one, else in a transaction. */
export function readOnly<T>(store: PlatformStore, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
  return store.read ? store.read(fn) : store.transaction(fn);
}
