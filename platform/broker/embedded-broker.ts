import { createServer, type Server, type Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { silentLogger } from '../../common/log.js';
import { mayPublish, maySubscribe } from './acl.js';
import type { CredentialIssuer, Principal } from './credentials.js';
import { inProcessPipe } from './in-process-pipe.js';

export interface BrokerOptions {
  /** Checks username/secret pairs; the platform's `CredentialIssuer`. */
  credentials: Pick<CredentialIssuer, 'verify'>;
  /** [choice] Loopback by default: exposing the broker is an explicit decision. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
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

function authError(message: string, returnCode: 4 | 5): AuthenticateError {
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
  const principals = new WeakMap<Client, Principal>();
  const aedes = await Aedes.createBroker({
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
      options.credentials.verify(username, password).then(
        (principal) => {
          if (!principal) {
            logger.warn({ clientId: client.id, username }, 'mqtt login refused: bad credentials');
            return done(authError('bad username or password', 4), false);
          }
          if (principal.role === 'device' && client.id !== principal.username) {
            logger.warn({ clientId: client.id, username }, 'mqtt login refused: device client id must equal its username');
            return done(authError('client id must equal the device id', 5), false);
          }
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
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  logger.info({ host, port }, 'mqtt broker listening');

  return {
    url: `mqtt://${host}:${port}`,
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
      sockets.add(server);
      server.on('close', () => sockets.delete(server));
      aedes.handle(server);
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
