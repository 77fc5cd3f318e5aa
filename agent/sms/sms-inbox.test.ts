import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { encodeDeliver } from '../../common/sms/pdu.js';
import { ScriptedChannel } from '../../test/support/scripted-channel.js';
import { SmsInbox, smsCommandOf } from './sms-inbox.js';

/**
 * The agent's SMS inbox against module answers recorded from real modules (the `+CMGL` listing
 * and PDUs from the test suite of moteus/lua-gsmmodem: two messages " Privet" from +77777777777
 * on an MTS network, UTC+3), then against messages addressed to it.
 */
const REAL_CMGL = [
  '+CMGL: 1,1,,26',
  '07919761989901F0240B917777777777F70000514042314545210720A83C6D2FD301',
  '+CMGL: 6,1,,26',
  '07919761989901F0240B917777777777F70000514042314545210720A83C6D2FD301',
];
const T = Date.UTC(2026, 0, 26, 20);
const pdu = (originator: string, text: string, extra: Partial<Parameters<typeof encodeDeliver>[0]> = {}) =>
  encodeDeliver({ smsc: '+999000000000', originator, encoding: 'gsm7', text, timestamp: T, utcOffsetMinutes: 540, ...extra }).pdu;

function setUp(stored: Record<number, string> = {}, listing: string[] = []) {
  const clock = new VirtualClock(T);
  const memory = new Map(Object.entries(stored).map(([i, p]) => [Number(i), p]));
  const channel = new ScriptedChannel(clock, (text) => {
    if (text === 'AT+CMGL=4') return listing;
    const read = /^AT\+CMGR=(\d+)$/.exec(text);
    if (read) {
      const p = memory.get(Number(read[1]));
      return p ? [`+CMGR: 0,,${p.length / 2 - 8}`, p] : [];
    }
    const del = /^AT\+CMGD=(\d+)$/.exec(text);
    if (del) memory.delete(Number(del[1]));
    return [];
  });
  const events: { type: string; data: Record<string, unknown>; key: string }[] = [];
  const calls: string[] = [];
  const inbox = new SmsInbox(
    { allowedSenders: ['+447700900123'], platformSender: '900100' },
    {
      reconnect: () => (calls.push('reconnect'), true),
      refreshStatus: async () => void calls.push('refresh-status'),
      event: (type, data, key) => void events.push({ type, data, key }),
    },
    silentLogger(),
  );
  return { channel, memory, events, calls, inbox };
}

describe('SMS inbox', () => {
  it('sets PDU mode and indications, sweeps what the module stored, and deletes it after handling', async () => {
    const { channel, events, calls, inbox } = setUp({}, REAL_CMGL);
    await inbox.attach(channel);
    expect(channel.sent).toEqual(['AT+CMGF=0', 'AT+CNMI=2,1,0,0,0', 'AT+CMGL=4', 'AT+CMGD=1', 'AT+CMGD=6']);
    // A stranger's text is neither carried out nor repeated.
    expect(events.map((e) => [e.type, e.data.from, e.data.reason, e.data.text])).toEqual([
      ['sms.rejected', '+77777777777', 'sender-not-allowed', undefined],
      ['sms.rejected', '+77777777777', 'sender-not-allowed', undefined],
    ]);
    expect(calls).toEqual([]);
  });

  it('carries out reconnect and refresh-status from the platform or an allowed sender, on +CMTI', async () => {
    const { channel, events, calls, inbox } = setUp({ 0: pdu('900100', 'reconnect'), 3: pdu('447700900123', ' Refresh ') });
    await inbox.attach(channel);
    channel.sent.length = 0;
    channel.urc('+CMTI: "ME",0');
    channel.urc('+CMTI: "SM",3');
    await inbox.idle();
    expect(channel.sent).toEqual(['AT+CPMS="ME"', 'AT+CMGR=0', 'AT+CMGD=0', 'AT+CPMS="SM"', 'AT+CMGR=3', 'AT+CMGD=3']);
    expect(calls).toEqual(['reconnect', 'refresh-status']);
    expect(events.map((e) => [e.type, e.data.from, e.data.command, e.data.outcome])).toEqual([
      ['sms.command', '900100', 'reconnect', 'requested'],
      ['sms.command', '447700900123', 'refresh-status', 'done'],
    ]);
    expect(new Set(events.map((e) => e.key)).size).toBe(2);
  });

  it('reassembles a concatenated command, acting and deleting once every part is there', async () => {
    const parts = ['recon', 'nect'].map((text, i) => pdu('900100', text, { concat: { ref: 9, total: 2, seq: i + 1 } }));
    const { channel, calls, memory, inbox } = setUp({ 4: parts[1]!, 5: parts[0]! });
    await inbox.attach(channel);
    channel.urc('+CMTI: "ME",4');
    await inbox.idle();
    expect(calls).toEqual([]);
    expect(memory.size).toBe(2);
    channel.urc('+CMTI: "ME",5');
    await inbox.idle();
    expect(calls).toEqual(['reconnect']);
    expect(memory.size).toBe(0);
  });

  it('records an unknown command from an allowed sender, and deletes an unreadable PDU', async () => {
    const { channel, events, memory, inbox } = setUp({ 1: pdu('900100', 'format c:'), 2: '0011000B916407281553F80000AA0AE8329BFD4697D9EC37' });
    await inbox.attach(channel);
    channel.urc('+CMTI: "ME",1');
    channel.urc('+CMTI: "ME",2');
    await inbox.idle();
    expect(events.map((e) => [e.type, e.data.reason, e.data.text])).toEqual([['sms.rejected', 'unknown-command', 'format c:']]);
    expect(memory.size).toBe(0);
  });

  it('reads command words case-insensitively and nothing else', () => {
    expect(['RECONNECT', ' refresh ', 'refresh-status', 'reboot', 'reconnect now'].map(smsCommandOf)).toEqual(['reconnect', 'refresh-status', 'refresh-status', undefined, undefined]);
  });
});
