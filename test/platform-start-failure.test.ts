/**
 * A platform that cannot start releases everything it had started (the issue: the broker kept
 * its port and the store stayed open, so the process never exited).
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from '../common/listen-error.js';
import { startPlatform } from '../platform/index.js';
import { tempDir } from './support/process-stack.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function listen(port = 0): Promise<Server> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

const portOf = (server: Server): number => (server.address() as { port: number }).port;

describe('a failed platform start', () => {
  it('HTTP port taken after the broker started: throws a ListenError naming it, and the broker port is free again', async () => {
    const taken = portOf(await listen());
    const spare = await listen();
    const mqttPort = portOf(spare);
    await new Promise((resolve) => spare.close(resolve));
    servers.splice(servers.indexOf(spare), 1);
    const error = await startPlatform({ dataDir: tempDir('startfail'), http: { port: taken }, mqtt: { port: mqttPort } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as ListenError).message).toMatch(new RegExp(`^HTTP API cannot listen on 127\\.0\\.0\\.1:${taken}: the port is already in use`));
    // The broker that had started is closed: its port can be taken by someone else.
    await listen(mqttPort);
  });

  it('MQTT port taken: throws a ListenError naming the broker; the data dir can be opened again at once', async () => {
    const taken = portOf(await listen());
    const dataDir = tempDir('startfail2');
    await expect(startPlatform({ dataDir, http: { port: 0 }, mqtt: { port: taken } })).rejects.toThrow(/MQTT broker cannot listen on 127\.0\.0\.1:\d+: the port is already in use/);
    const platform = await startPlatform({ dataDir, http: { port: 0 }, mqtt: { port: 0 } });
    await platform.close();
  });
});
