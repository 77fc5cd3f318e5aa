/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary directory,
 * `postgres` on a free loopback port with its unix socket in that directory — no system service,
 * no root-owned state. PostgreSQL refuses to run as root, so as root (CI) the cluster runs as an
 * unprivileged user (`nobody`). Debian's `postgresql` package provides the
 * binaries under /usr/lib/postgresql/<major>/bin (`.ci/run` installs it when missing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const RUN_AS = 'nobody';

/** The directory holding `initdb` and `postgres`, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const fromEnv = process.env.CELLGATE_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : null;
}

export interface PostgresCluster {
  /** `postgres://cellgate@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string;
  port: number;
  /** A new empty database on this cluster; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /**
   * `fsync` of the server. Off by default: a throwaway cluster whose machine does not crash needs
   * no flush for a killed *client* to lose nothing; benchmarks turn it on to compare with SQLite's
   * synchronous=FULL.
   */
  fsync?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** As root: the uid/gid of the unprivileged user to run the server as; otherwise nothing. */
function unprivileged(): { uid: number; gid: number } | Record<string, never> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const uid = Number(spawnSync('id', ['-u', RUN_AS], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', RUN_AS], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`running as root, and user '${RUN_AS}' to run PostgreSQL as is missing`);
  return { uid, gid };
}

/** Starts a cluster; throws with the server's own words when it cannot. */
export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-pg-'));
  const data = join(dir, 'data');
  chmodSync(dir, 0o700);
  const user = unprivileged();
  if ('uid' in user) chownSync(dir, user.uid, user.gid);
  const initRun = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'cellgate', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { encoding: 'utf8', cwd: dir, ...user });
  if (initRun.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${initRun.stderr || initRun.stdout || initRun.error?.message}`);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: options.fsync ? 'on' : 'off',
    synchronous_commit: options.fsync ? 'on' : 'off',
    full_page_writes: options.fsync ? 'on' : 'off',
    max_connections: '200',
    shared_buffers: '64MB',
    ...options.settings,
  };
  const serverArgs = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const server: ChildProcess = spawn(join(bin, 'postgres'), serverArgs, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let log = '';
  server.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const url = `postgres://cellgate@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it accepts a query (pg_isready would need a second binary on PATH).
  for (let attempt = 0; ; attempt++) {
    if (server.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited: ${log}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (attempt > 300) {
        await stop();
        throw new Error(`postgres did not accept connections within 30 s: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let n = 0;
  return {
    url,
    port,
    createDatabase: async (name?: string) => {
      const db = name ?? `t${process.pid}_${n++}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(db)}`);
      } finally {
        await client.end();
      }
      return `postgres://cellgate@127.0.0.1:${port}/${db}`;
    },
    stop,
  };
}

/**
 * For test files: whether PostgreSQL tests run here. Missing binaries skip them with a message —
 * except in CI (`CI=true`), where they must run, so the missing install is an error.
 */
export function postgresAvailability(): { available: true } | { available: false; reason: string } {
  if (findPostgresBin()) return { available: true };
  const reason = 'PostgreSQL is not installed (apt-get install postgresql): PostgreSQL tests skipped';
  if (process.env.CI === 'true') throw new Error(`${reason} — not allowed in CI`);
  console.warn(reason);
  return { available: false, reason };
}
