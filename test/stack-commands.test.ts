/**
 * Platform commands end to end through the HTTP API, with the real agent process on a simulated
 * modem (three processes of the compiled CLI over real sockets): set-apn (on the modem, and kept
 * across an agent restart by the applied settings file), set-rat, reboot-modem, refresh-status,
 * and clear errors for an unknown command or bad arguments.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atExchange, builtCli, deviceOf, killAllCellgate, sessionEventsOf, startProcessStack, until, untilOnline, type ProcessStack } from './support/process-stack.js';

afterEach(killAllCellgate);

interface CommandResult {
  command: string;
  status: 'ok' | 'error' | 'unsupported' | 'expired' | 'invalid';
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

const send = (s: ProcessStack, command: Record<string, unknown>): Promise<CommandResult> =>
  s.api.call<CommandResult>('POST', `/_cellgate/devices/${s.gateway.deviceId}/commands`, { command, timeoutMs: 20_000 });

/** The HTTP status and body of a command the platform refuses. */
async function refused(s: ProcessStack, command: Record<string, unknown>): Promise<{ status: number; body: { code: string; message: string } }> {
  const error = await send(s, command).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!error) throw new Error(`the platform accepted ${JSON.stringify(command)}`);
  const match = error.message.match(/→ (\d+): (.*)$/s);
  return { status: Number(match![1]), body: JSON.parse(match![2]!) as { code: string; message: string } };
}

describe.skipIf(!builtCli)('commands through the platform API to a real agent process', () => {
  it('set-apn, set-rat, refresh-status, reboot-modem, and clear errors for unknown commands and bad arguments', async () => {
    const s = await startProcessStack();
    await untilOnline(s.api, s.gateway, 20_000);

    const apn = await send(s, { name: 'set-apn', apn: 'iot.cellgate.test', username: 'gw', password: 'pw-secret', authType: 'pap' });
    expect(apn).toMatchObject({ command: 'set-apn', status: 'ok', result: { apn: 'iot.cellgate.test', auth: 'pap', online: true } });
    expect(JSON.stringify(apn)).not.toContain('pw-secret');
    const rat = await send(s, { name: 'set-rat', rat: 'nb-iot' });
    expect(rat).toMatchObject({ command: 'set-rat', status: 'ok', result: { rat: 'nb-iot', online: true } });
    const device = await until(async () => {
      const d = await deviceOf(s.api, s.gateway);
      return d.status?.session?.apn === 'iot.cellgate.test' && d.status.registration.rat === 'nb-iot' && d.status.online ? d : undefined;
    }, 10_000, 'the retained status with the new APN and RAT');
    expect(device.status!.session!.state).toBe('up');

    const refresh = await send(s, { name: 'refresh-status' });
    expect(refresh).toMatchObject({ command: 'refresh-status', status: 'ok', result: { online: true, state: 'online' } });
    expect((refresh.result!.signal as { rssiDbm: number }).rssiDbm).toBeLessThan(0);

    // reboot-modem: the module restarts (the network sees the session end) and the agent re-attaches.
    const sessionsBefore = (await sessionEventsOf(s.api, s.gateway)).length;
    const logFrom = s.agent.output().length;
    const reboot = await send(s, { name: 'reboot-modem' });
    expect(reboot).toMatchObject({ command: 'reboot-modem', status: 'ok', result: { online: true, state: 'online' } });
    expect(s.agent.output().slice(logFrom)).toMatch(/→ resetting"/);
    expect((await sessionEventsOf(s.api, s.gateway)).slice(sessionsBefore)).toEqual(['Deleted', 'Created']);

    // Errors: an unknown command is refused by the platform (400, the allowed names listed) ...
    const unknown = await refused(s, { name: 'self-destruct' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('DEV0004');
    expect(unknown.body.message).toMatch(/command\.name: expected one of .*set-apn.*got "self-destruct"/);
    const badRat = await refused(s, { name: 'set-rat', rat: '5g' });
    expect(badRat.status).toBe(400);
    expect(badRat.body.message).toMatch(/rat/);
    // ... and arguments the device cannot apply come back as an error result with a code.
    expect(await send(s, { name: 'set-rat', rat: 'auto' })).toMatchObject({ status: 'error', error: { code: 'UNSUPPORTED_RAT', message: expect.stringMatching(/lte-m, nb-iot or lte/) } });
    expect(await send(s, { name: 'set-apn', apn: 'bad"apn' })).toMatchObject({ status: 'error', error: { code: 'INVALID_APN' } });
    await untilOnline(s.api, s.gateway, 10_000);

    // The modem holds the new APN and RAT (read over AT once the agent has let go of the port).
    expect(await s.agent.stop('SIGTERM')).toBe(0);
    expect(existsSync(join(s.agentDir, 'settings.json'))).toBe(true);
    const onModem = await atExchange(s.sim.tcpUrl, ['AT+CGDCONT?', 'AT+QICSGP=1', 'AT+QCFG="iotopmode"']);
    expect(onModem).toMatch(/\+CGDCONT: 1,"IP","iot\.cellgate\.test"/);
    expect(onModem).toMatch(/\+QICSGP: 1,"iot\.cellgate\.test","gw","pw-secret",1/);
    expect(onModem).toMatch(/\+QCFG: "iotopmode",1/);

    // Someone puts the module back to the defaults; a restarted agent (its flags still say
    // soracom.io / lte-m) re-applies what the platform set, from its applied settings file.
    await atExchange(s.sim.tcpUrl, ['AT+CGDCONT=1,"IP","soracom.io"', 'AT+QICSGP=1,1,"soracom.io","sora","sora",2', 'AT+QCFG="iotopmode",0,1']);
    const reset = await atExchange(s.sim.tcpUrl, ['AT+CGDCONT?', 'AT+QCFG="iotopmode"']);
    expect(reset).toMatch(/\+CGDCONT: 1,"IP","soracom\.io"/);
    expect(reset).toMatch(/\+QCFG: "iotopmode",0/);
    const restarted = await s.startAgent();
    await untilOnline(s.api, s.gateway, 20_000);
    await until(async () => {
      const d = await deviceOf(s.api, s.gateway);
      return d.status?.session?.apn === 'iot.cellgate.test' && d.status.registration.rat === 'nb-iot';
    }, 10_000, 'the restarted agent reporting the applied APN and RAT');
    expect(await restarted.stop('SIGTERM')).toBe(0);
    const afterRestart = await atExchange(s.sim.tcpUrl, ['AT+CGDCONT?', 'AT+QCFG="iotopmode"']);
    expect(afterRestart).toMatch(/\+CGDCONT: 1,"IP","iot\.cellgate\.test"/);
    expect(afterRestart).toMatch(/\+QCFG: "iotopmode",1/);
  });
});
