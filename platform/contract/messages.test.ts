import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAck,
  decodeCommandRequest,
  decodeCommandResult,
  decodeEsimNotification,
  decodeEvent,
  decodeStatus,
  encodeMessage,
  MAX_PAYLOAD_BYTES,
  type CommandRequest,
  type StatusSnapshot,
} from './messages.js';
import { deviceTopic, deviceTopics, parseDeviceTopic } from './topics.js';

const decoders = [decodeStatus, decodeEvent, decodeEsimNotification, decodeCommandResult, decodeCommandRequest, decodeAck];

describe('topics', () => {
  it('builds and parses per-device topics', () => {
    expect(deviceTopics('356938035643809')).toMatchObject({
      status: 'cellgate/v1/devices/356938035643809/status',
      esimNotifications: 'cellgate/v1/devices/356938035643809/esim/notifications',
      commandRequests: 'cellgate/v1/devices/356938035643809/commands/req',
    });
    expect(parseDeviceTopic('cellgate/v1/devices/abc/commands/res')).toEqual({ deviceId: 'abc', kind: 'commands/res' });
    expect(parseDeviceTopic('cellgate/v1/devices/+/events')).toBeUndefined();
    expect(parseDeviceTopic('cellgate/v2/devices/abc/events')).toBeUndefined();
    expect(parseDeviceTopic('cellgate/v1/devices/abc/events/extra')).toBeUndefined();
  });

  it('refuses device ids that would break topics or ACL patterns', () => {
    for (const bad of ['', 'a/b', '+', '#', 'svc.platform', 'x'.repeat(65), '%u']) expect(() => deviceTopic(bad, 'status')).toThrow(/invalid device id/);
  });
});

describe('payload validation', () => {
  it('accepts a full status snapshot and round-trips it', () => {
    const status: StatusSnapshot = {
      v: 1,
      deviceId: '356938035643809',
      online: true,
      agentVersion: '0.1.0',
      time: 1_767_225_600_000,
      registration: { state: 'registered-roaming', rat: 'lte-m', rejectCause: 15 },
      cell: { mcc: '440', mnc: '10', tac: 4660, eci: 123456 },
      session: { state: 'up', apn: 'soracom.io', ipAddress: '10.1.2.3' },
      signal: { rsrpDbm: -97, rsrqDb: -11 },
      sim: { imsi: '440103123456789', iccid: '8981100000000000001', eid: '89049032123451234512345678901235' },
      modem: { manufacturer: 'Quectel', model: 'BG96', imei: '356938035643809' },
    };
    expect(decodeStatus(encodeMessage(status))).toEqual({ ok: true, value: status });
  });

  it('names the offending field', () => {
    expect(decodeStatus('{"v":1,"deviceId":"a","online":"yes"}')).toEqual({ ok: false, error: '$.registration: expected an object, got nothing' });
    expect(decodeEvent({ v: 1, key: 'k', deviceId: 'a', createdAt: 1, type: 'Bad Type', data: {} })).toMatchObject({ ok: false, error: expect.stringContaining('$.type') });
    expect(decodeCommandRequest({ v: 1, commandId: 'c', issuedAt: 1, command: { name: 'set-rat', rat: '5g' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('$.command.rat: expected one of lte-m, nb-iot, lte, auto'),
    });
    expect(decodeAck('{"v":2,"keys":[],"ackedAt":1}')).toMatchObject({ ok: false, error: expect.stringContaining('$.v') });
    expect(decodeEvent('{')).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(decodeEvent('x'.repeat(MAX_PAYLOAD_BYTES + 1))).toMatchObject({ ok: false, error: expect.stringContaining('exceeds') });
  });

  it('keeps only known command fields', () => {
    const request: CommandRequest = { v: 1, commandId: 'c-1', issuedAt: 5, command: { name: 'set-apn', apn: 'soracom.io', username: 'sora', password: 'sora', authType: 'chap' } };
    expect(decodeCommandRequest(JSON.stringify({ ...request, command: { ...request.command, extra: 1 } }))).toEqual({ ok: true, value: request });
  });

  it('esim.discover: an SM-DS address (host[:port]) and two flags, nothing else', () => {
    const ok = decodeCommandRequest({ v: 1, commandId: 'c', issuedAt: 1, command: { name: 'esim.discover', smdsAddress: 'smds.example.com:8444', download: false, enable: true, extra: 1 } });
    expect(ok).toEqual({ ok: true, value: { v: 1, commandId: 'c', issuedAt: 1, command: { name: 'esim.discover', smdsAddress: 'smds.example.com:8444', download: false, enable: true } } });
    expect(decodeCommandRequest({ v: 1, commandId: 'c', issuedAt: 1, command: { name: 'esim.discover' } })).toMatchObject({ ok: true, value: { command: { name: 'esim.discover' } } });
    expect(decodeCommandRequest({ v: 1, commandId: 'c', issuedAt: 1, command: { name: 'esim.discover', smdsAddress: 'https://smds.example.com/' } })).toMatchObject({ ok: false, error: expect.stringContaining('$.command.smdsAddress') });
    expect(decodeCommandRequest({ v: 1, commandId: 'c', issuedAt: 1, command: { name: 'esim.discover', download: 'yes' } })).toMatchObject({ ok: false, error: expect.stringContaining('$.command.download') });
  });

  it('never throws on arbitrary bytes or JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.anything()), (input) => {
        for (const decode of decoders) {
          const result = decode(input as never);
          expect(typeof result.ok).toBe('boolean');
        }
      }),
      { numRuns: 300 },
    );
  });
});
