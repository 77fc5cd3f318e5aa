/**
 * SMS to a device and downlink ping, end to end over real sockets with the compiled CLI as three
 * processes: the platform API (`sendSms`, `sendSmsByMsisdn`) → the platform's network order
 * stream (HTTP + Server-Sent Events) → `cellgate sim`'s SMSC and module (+CMTI, AT+CMGR/CMGD over
 * its TCP serial server) → `cellgate agent --sms on` → the command carried out (a reconnect the
 * network sees as a new session) → device events back over MQTT, read from the API. Downlink ping:
 * the platform's echo requests answered from the simulated device's session address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allDeviceEvents, builtCli, killAllCellgate, sessionEventsOf, startProcessStack, until, untilOnline } from './support/process-stack.js';

afterEach(killAllCellgate);

interface Sms {
  messageId: string;
  status: string;
  originator: string;
}

describe.skipIf(!builtCli)('SMS to a device and downlink ping, over real sockets', () => {
  it('a reconnect by SMS is carried out by the agent and shows in the API; refresh-status in UCS2 by MSISDN; pings are answered', async () => {
    const s = await startProcessStack({ agentArgs: ['--sms', 'on'] });
    await untilOnline(s.api, s.gateway, 30_000);
    const imsi = s.gateway.imsi;

    const ping = await s.api.call<{ success: boolean; rtt: string; stat: string }>('POST', `/v1/subscribers/${imsi}/downlink/ping`, { numberOfPingRequests: 3, timeoutSeconds: 3 });
    expect(ping.success).toBe(true);
    expect(ping.stat).toMatch(/^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$/);
    expect(ping.rtt).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/);

    const sessionsBefore = (await sessionEventsOf(s.api, s.gateway)).length;
    const sent = await s.api.call<{ messageId: string }>('POST', `/v1/subscribers/${imsi}/send_sms`, { encodingType: 1, payload: 'reconnect' });
    expect(sent.messageId).toMatch(/^[0-9a-f]{32}$/);
    const command = await until(async () => (await allDeviceEvents(s.api, s.gateway)).find((e) => e.type === 'sms.command'), 30_000, 'the agent reporting the SMS command');
    expect(command.data).toMatchObject({ from: '900100', command: 'reconnect', outcome: 'requested', parts: 1 });
    // The reconnect really happened: the network saw the session end and a new one start.
    const sessions = await until(async () => {
      const events = await sessionEventsOf(s.api, s.gateway);
      return events.length >= sessionsBefore + 2 && events.at(-1) === 'Created' ? events : undefined;
    }, 30_000, 'a new session after the SMS');
    expect(sessions.slice(sessionsBefore)).toEqual(['Deleted', 'Created']);
    const messages = await s.api.call<Sms[]>('GET', `/_cellgate/subscribers/${imsi}/sms`);
    expect(messages).toMatchObject([{ messageId: sent.messageId, status: 'delivered', originator: '900100' }]);

    const { msisdn } = await s.api.call<{ msisdn: string }>('GET', `/v1/subscribers/${imsi}`);
    await untilOnline(s.api, s.gateway, 30_000);
    await s.api.call('POST', `/v1/subscribers/msisdn/${msisdn}/send_sms`, { payload: 'Refresh' });
    const refresh = await until(async () => (await allDeviceEvents(s.api, s.gateway)).find((e) => e.type === 'sms.command' && e.data.command === 'refresh-status'), 30_000, 'refresh-status by SMS');
    expect(refresh.data).toMatchObject({ from: '900100', outcome: 'done' });

    // The SIM API's ping takes the same path; an offline SIM's ping is all loss.
    expect(await s.api.call('POST', `/v1/sims/${s.gateway.iccid}/downlink/ping`, {})).toMatchObject({ success: true, stat: expect.stringMatching(/^1 packets transmitted, 1 received/) });
    await s.agent.stop('SIGTERM');
    await until(async () => !(await s.api.call<{ sessionStatus: { online: boolean } }>('GET', `/v1/subscribers/${imsi}`)).sessionStatus.online || undefined, 20_000, 'the session closed');
    expect(await s.api.call('POST', `/v1/subscribers/${imsi}/downlink/ping`, {})).toEqual({ success: false, rtt: '', stat: '1 packets transmitted, 0 received, 100% packet loss, time 0ms' });
  });
});

it.skipIf(builtCli)('SMS end to end (skipped: run `npm run build` first)', () => {});
