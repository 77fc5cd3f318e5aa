/**
 * A platform on a virtual clock with a simulator and an agent linked over the network, each a
 * process of the compiled CLI (docs/time-control.md "What a virtual platform clock means for
 * devices"): a two-day jump runs the session idle timeout, the radio side gets the delete order
 * and the agent reconnects on its own real-time timers; commands and SMS keep working.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allDeviceEvents, builtCli, killAllCellgate, sessionEventsOf, startProcessStack, until, untilOnline } from './support/process-stack.js';

afterEach(killAllCellgate);

describe.skipIf(!builtCli)('a virtual platform clock with devices on real time', () => {
  it('a 2-day jump closes the idle session, the device reconnects, commands and SMS still work', async () => {
    const s = await startProcessStack({ platformArgs: ['--clock', 'virtual', '--start', '2026-03-02T00:00:00Z'], agentArgs: ['--sms', 'on'] });
    await untilOnline(s.api, s.gateway, 30_000);
    const before = await sessionEventsOf(s.api, s.gateway);
    expect(before.at(-1)).toBe('Created');

    const res = await fetch(`${s.platform.url}/_cellgate/clock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.platform.networkToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ advance: 'P2D' }),
    });
    const moved = (await res.json()) as { iso: string; ran: { job: string; summary?: string }[] };
    expect(moved.iso).toBe('2026-03-04T00:00:00.000Z');
    expect(moved.ran).toEqual(expect.arrayContaining([expect.objectContaining({ job: 'session-idle', summary: `idle session of ${s.gateway.imsi} closed` })]));

    // The API token lived 24 virtual hours: log in again, as a tester would.
    await s.api.login(s.login);
    const after = await until(async () => {
      const events = await sessionEventsOf(s.api, s.gateway);
      return events.length >= before.length + 2 && events.at(-1) === 'Created' ? events : undefined;
    }, 30_000, 'the device back online after the jump');
    expect(after.slice(before.length)).toEqual(['Deleted', 'Created']);
    const created = (await s.api.call<{ event: string; time: number }[]>('GET', `/v1/subscribers/${s.gateway.imsi}/events/sessions`))[0]!;
    expect(created.time).toBeGreaterThanOrEqual(Date.parse('2026-03-04T00:00:00Z'));
    await untilOnline(s.api, s.gateway, 30_000);

    // Command timeouts are real seconds: a round trip answers although the platform's clock stands still.
    const result = await s.api.call<{ status: string }>('POST', `/_cellgate/devices/${s.gateway.deviceId}/commands`, { command: { name: 'refresh-status' }, timeoutMs: 20_000 });
    expect(result.status).toBe('ok');
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/send_sms`, { encodingType: 1, payload: 'refresh' });
    await until(async () => (await allDeviceEvents(s.api, s.gateway)).find((e) => e.type === 'sms.command'), 30_000, 'the SMS command after the jump');
  });
});

it.skipIf(builtCli)('a virtual platform clock with devices (skipped: run `npm run build` first)', () => {});
