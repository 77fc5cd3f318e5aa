/**
 * A notification for another SM-DP+ (SGP.22 §3.5, ES9+ HandleNotification) that the server does
 * not take: the agent's LPA retries it with exponential backoff capped at `deliveryRetryMaxMs`
 * (on the agent's clock, here a virtual one), and after `directNotificationAttempts` `Failed`
 * answers stops offering it — it stays on the card, one warning, listed as abandoned. Real parts:
 * the LPA service over AT to the simulated modem's eUICC (TCP serial), its ES9+ client over HTTPS
 * to an SM-DP+ that answers Failed (the platform's RSP server code with a test PKI).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../common/clock.js';
import { ES9_PATHS, ES9_STATUS } from '../common/rsp/es9.js';
import { generateTestPki } from '../common/rsp/pki.js';
import { toPem } from '../common/rsp/x509.js';
import { openChannel } from '../agent/at/index.js';
import type { AtChannel } from '../agent/at/types.js';
import { LpaService } from '../agent/lpa/service.js';
import { buildRspServer } from '../platform/smdp/es9-server.js';
import { Euicc, LocalNetworkGate, startSimulatedModem } from '../simulator/index.js';
import { pino } from 'pino';

type Handle = Awaited<ReturnType<typeof startSimulatedModem>>;
let sim: Handle | undefined;
let channel: AtChannel | undefined;
let server: FastifyInstance | undefined;
afterEach(async () => {
  await channel?.close().catch(() => undefined);
  await sim?.close();
  await server?.close();
  sim = channel = server = undefined;
});

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a notification another SM-DP+ keeps refusing', () => {
  it('is retried with capped exponential backoff, then kept on the card and no longer offered after the bounded attempts', async () => {
    const pki = generateTestPki({ hosts: ['localhost'], now: Date.now() });
    let calls = 0;
    server = await buildRspServer({
      tls: pki.dpTls,
      ci: pki.ci.certificate,
      component: 'refusing-smdp',
      routes: {
        [ES9_PATHS.handleNotification]: async () => {
          calls++;
          return { ok: false, status: ES9_STATUS.invalidRequest };
        },
      },
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const address = `localhost:${(server.server.address() as { port: number }).port}`;
    const caFile = join(mkdtempSync(join(tmpdir(), 'cellgate-backoff-')), 'ci.pem');
    writeFileSync(caFile, toPem('CERTIFICATE', pki.ci.certificate));

    const euicc = new Euicc({ eid: '89049032000000000000000000000077' });
    euicc.installFromActivationCode(`LPA:1$${address}$M1`, { iccid: '8942310000000000033', imsi: '295050000000033' });
    const [pending] = euicc.notifications();
    sim = await startSimulatedModem({ dialect: 'bg96', imei: '359221090000077', sim: euicc, gate: new LocalNetworkGate(), latency: 'zero', expose: { tcp: { port: 0 } } });
    channel = await openChannel({ port: sim.tcpUrl!, clock: new RealClock() });
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    const clock = new VirtualClock();
    const link = { sendEsimNotification: () => 'k', whenAcknowledged: () => new Promise<void>(() => undefined) };
    const service = new LpaService({
      channel: () => channel,
      link,
      clock,
      logger,
      config: { deliveryRetryMs: 1_000, deliveryRetryMaxMs: 3_000, directNotificationAttempts: 5, es9CaFile: caFile, platformSmdp: ['platform.example.com'] },
    });

    await service.deliverNotifications();
    await until(() => calls === 1 && clock.pending() > 0, 'the first refusal');
    // Waits 1 s, 2 s, then the 3 s cap (4 s uncapped), 3 s: never earlier.
    for (const [n, delay] of [
      [2, 1_000],
      [3, 2_000],
      [4, 3_000],
      [5, 3_000],
    ] as const) {
      await clock.advance(delay - 1);
      expect(calls).toBe(n - 1);
      await clock.advance(1);
      await until(() => calls === n && (n === 5 || clock.pending() > 0), `attempt ${n}`);
    }
    // The fifth Failed: given up. Time passes, nothing more is sent; the card keeps the notification.
    await until(() => service.abandonedNotifications.length === 1, 'abandoned');
    await clock.advance(3_600_000);
    await service.deliverNotifications().then((r) => expect(r).toMatchObject({ direct: [], abandoned: [pending!.seqNumber] }));
    expect(calls).toBe(5);
    expect(service.abandonedNotifications).toEqual([pending!.seqNumber]);
    expect(euicc.notifications().map((x) => x.seqNumber)).toEqual([pending!.seqNumber]);
    expect(warnings.filter((w) => /refused too many times/.test(w))).toHaveLength(1);
    service.stop();
  });
});
