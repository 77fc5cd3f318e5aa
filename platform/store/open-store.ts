import { join } from 'node:path';
import type { PlatformStore } from './port.js';
import { PostgresStore, isPostgresUrl, redactPostgresUrl } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * Opens the store a `--store` value names: a `postgres://` / `postgresql://` URL → PostgreSQL
 * (migrations applied), `:memory:` → a throw-away SQLite, anything else → the SQLite data
 * directory (`<dir>/platform.sqlite`, the embedded default).
 */
export async function openStore(spec: string, options: { applicationName?: string; poolSize?: number } = {}): Promise<PlatformStore> {
  if (isPostgresUrl(spec)) return PostgresStore.open(spec, options);
  return new SqliteStore(spec === ':memory:' ? ':memory:' : join(spec, 'platform.sqlite'));
}

/** The store spec as it may be printed (a PostgreSQL password masked). */
export function describeStore(spec: string): string {
  return isPostgresUrl(spec) ? redactPostgresUrl(spec) : spec;
}
