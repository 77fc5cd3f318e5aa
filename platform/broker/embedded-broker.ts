import { createServer, type Server, type Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { RealClock } from '../../common/clock.js';
import { listenError } from '../../common/listen-error.js';
import { silentLogger } from '../../common/log.js';
import { LoginThrottle } from '../domain/login-throttle.js';
import { mayPublish, maySubscribe } from './acl.js';
import type { CredentialIssuer, Principal } from './credentials.js';
import { inProcessPipe } from './in-process-pipe.js';
import { DEFAULT_BROKER_LIMITS, type BrokerLimits } from './limits.js';
import { PacketSizeGuard } from './packet-size-guard.js';

export interface BrokerOptions {
  /** Checks username/secret pairs; the platform's `CredentialIssuer`. */
  credentials: Pick<CredentialIssuer, 'verify'>;
  /** [choice] Loopback by default: exposing the broker is an explicit decision. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /** Packet size, CONNECT timeout, connection cap (defaults: `DEFAULT_BROKER_LIMITS`). */
  limits?: Partial<BrokerLimits>;
  /** Backoff on failed logins, per client id and per source address (a default one when absent). */
  loginThrottle?: LoginThrottle;
  /** Milliseconds since the epoch, for the login throttle (the platform's injected clock). */
  now?: () => number;
}

/** A running embedded broker. */
export interface RunningBroker {
  /** `mqtt://host:port`, ready for mqtt.js. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly aedes: Aedes;
  /**
   * A new MQTT connection to this broker over an in-memory pipe: the client end, for mqtt.js
   * (`MqttSessionOptions.connectStream`). The broker handles the other end exactly like a TCP
   * socket — the same login check, client-id rule and ACL — but it costs no file descriptor.
   * [choice] Meant for clients in the broker's own process (the in-process fleet); everything
   * else connects over TCP (`url`).
   */
  connectInProcess(): Duplex;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

const wallClock = new RealClock();

function authError(message: string, returnCode: 3 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** The slice of aedes' persistence the retained-message index wraps. */
interface RetainedPersistence {
  storeRetained(packet: { topic: string; payload: Buffer | string }, cb?: (error: Error | null) => void): unknown;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/**
 * aedes' in-memory persistence answers every SUBSCRIBE by testing the filter against every
 * retained topic: with one retained status per device, 10 000 devices each subscribing to their
 * own two topics on every connect is O(devices²) (minutes of CPU in a 10 000-gateway fleet). A
 * filter without wildcards can only match its own topic, so those are answered from an exact
 * index kept beside the persistence's own store; filters with `+` or `#` (the platform's service
 * client) still go through the full scan.
 */
function indexRetainedByTopic(aedes: Aedes): void {
  const persistence = (aedes as unknown as { persistence: RetainedPersistence }).persistence;
  const byTopic = new Map<string, unknown>();
  const store = persistence.storeRetained.bind(persistence);
  const combi = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.storeRetained = (packet, cb) => {
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, { ...packet });
    return store(packet, cb);
  };
  persistence.createRetainedStreamCombi = (patterns) => {
    if (patterns.some((p) => p.includes('+') || p.includes('#'))) return combi(patterns);
    return Readable.from(patterns.flatMap((p) => (byTopic.has(p) ? [byTopic.get(p)] : [])));
  };
}

/**
 * Starts an aedes broker on TCP: anonymous clients refused, each login checked against the
 * credential store, a device's client id must equal its username (so no one can take over
 * another device's persistent session), and every publish/subscribe checked by `acl.ts`.
 */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const logger = options.logger ?? silentLogger();
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const throttle = options.loginThrottle ?? new LoginThrottle();
  const now = options.now ?? (() => wallClock.now());
  const principals = new WeakMap<Client, Principal>();
  const aedes = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    // [choice] No cap on messages in delivery at once (aedes' default is 100). Past the cap
    // mqemitter queues the rest in an unbounded array anyway, and drains that queue recursively:
    // a burst of thousands of messages that complete synchronously (every connect and disconnect
    // publishes a `$SYS/…/clients` notice) overflows the stack (mcollina/mqemitter#204). Seen with
    // 10 000 fleet agents connecting and disconnecting at once.
    concurrency: 0,
    authenticate: (client, username, password, done) => {
      if (!username || !password) {
        logger.warn({ clientId: client.id }, 'mqtt login refused: anonymous');
        return done(authError('anonymous login refused', 5), false);
      }
      // Throttled per account (the username: a device's is also its client id; a made-up client
      // id cannot dodge it) and per source address. A refused attempt costs no PBKDF2.
      const attempt = { account: username, ...sourceOf(client) };
      const verdict = throttle.check(attempt, now());
      if (!verdict.allowed) {
        logger.warn({ clientId: client.id, source: attempt.source, retryAfterMs: verdict.retryAfterMs }, 'mqtt login refused: too many failed logins');
        // 3 = Server unavailable (MQTT 3.1.1 §3.2.2.3): try later, not "your secret is wrong".
        return done(authError(`too many failed logins: retry in ${Math.ceil(verdict.retryAfterMs / 1000)} s`, 3), false);
      }
      options.credentials.verify(username, password).then(
        (principal) => {
          if (!principal) {
            throttle.failed(attempt, now());
            logger.warn({ clientId: client.id, username, source: attempt.source }, 'mqtt login refused: bad credentials');
            return done(authError('bad username or password', 4), false);
          }
          if (principal.role === 'device' && client.id !== principal.username) {
            logger.warn({ clientId: client.id, username }, 'mqtt login refused: device client id must equal its username');
            return done(authError('client id must equal the device id', 5), false);
          }
          throttle.succeeded(attempt);
          principals.set(client, principal);
          done(null, true);
        },
        (error: unknown) => {
          logger.error({ err: (error as Error).message }, 'credential store failed');
          done(authError('credential check failed', 5), false);
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null);
      const principal = principals.get(client);
      if (!principal || !mayPublish(principal, packet.topic)) {
        logger.warn({ username: principal?.username, topic: packet.topic }, 'mqtt publish refused by ACL');
        return callback(new Error('publish not authorized'));
      }
      callback(null);
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const principal = principals.get(client);
      if (!principal || !maySubscribe(principal, subscription.topic)) {
        logger.warn({ username: principal?.username, topic: subscription.topic }, 'mqtt subscribe refused by ACL');
        return callback(null, null);
      }
      callback(null, subscription);
    },
  });
  indexRetainedByTopic(aedes);
  aedes.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error.message }, 'mqtt client error'));

  const sockets = new Set<Socket | Duplex>();
  let closing = false;
  /** Hands a connection to aedes, with the packet-size limit in front of its parser. */
  const accept = (conn: Socket | Duplex): void => {
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    guardPacketSize(aedes.handle(conn), limits.maxPacketBytes, logger);
  };
  const server: Server = createServer((socket) => {
    if (limits.maxConnections > 0 && sockets.size >= limits.maxConnections) {
      logger.warn({ source: socket.remoteAddress, maxConnections: limits.maxConnections }, 'mqtt connection refused: connection limit reached');
      socket.destroy();
      return;
    }
    accept(socket);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError('MQTT broker', host, options.port ?? 0, error)));
    server.listen(options.port ?? 0, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  }).catch(async (error: unknown) => {
    // Nothing may stay open after a failed start: the caller is about to exit.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  server.on('error', (error) => logger.error({ err: error.message }, 'mqtt listener error'));
  logger.info({ host, port, ...limits }, 'mqtt broker listening');

  // A wildcard bind is reached from this machine over loopback.
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `mqtt://${local.includes(':') ? `[${local}]` : local}:${port}`,
    host,
    port,
    aedes,
    connectInProcess: () => {
      const [client, server] = inProcessPipe();
      // A closed broker refuses at once, as a closed port does, instead of leaving the client
      // waiting out its connect timeout.
      if (closing) {
        server.destroy();
        return client;
      }
      accept(server);
      return client;
    },
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await closed;
    },
  };
}

/** The remote address of a TCP client; none for an in-process pipe (then only its client id counts). */
function sourceOf(client: Client): { source?: string } {
  const address = (client.conn as Partial<Socket>).remoteAddress;
  return address ? { source: address } : {};
}

/**
 * Puts a `PacketSizeGuard` in front of the client's MQTT parser (aedes feeds it every chunk read
 * from the connection): a packet over the limit closes the connection before its body is parsed
 * or buffered.
 */
function guardPacketSize(client: Client, maxPacketBytes: number, logger: Logger): void {
  const parser = (client as unknown as { _parser?: { parse(chunk: Buffer): number } })._parser;
  if (!parser) throw new Error('aedes client has no parser to guard: the packet size limit cannot be enforced');
  const guard = new PacketSizeGuard(maxPacketBytes);
  const parse = parser.parse.bind(parser);
  parser.parse = (chunk: Buffer): number => {
    const oversize = guard.feed(chunk);
    if (oversize === undefined) return parse(chunk);
    logger.warn({ clientId: client.id, packetBytes: oversize, maxPacketBytes }, 'mqtt connection closed: packet too large');
    client.conn.destroy();
    return 0;
  };
}
