/**
 * Where a pending notification goes (SGP.22 §3.5: to the SM-DP+ its notificationAddress names).
 * The platform's own SM-DP+ and addresses no ES9+ server can have go to the platform over MQTT.
 */
import { describe, expect, it } from 'vitest';
import { normaliseSmdpAddress, notificationGoesToPlatform } from './service.js';

const ours = new Set(['smdp.example.net:8443', 'localhost:8443'].map(normaliseSmdpAddress));

describe('notification routing', () => {
  it('sends everything to the platform while its SM-DP+ addresses are not configured', () => {
    expect(notificationGoesToPlatform('rsp.truphone.com', new Set())).toBe(true);
  });

  it("sends the platform's own SM-DP+ to the platform, however the address is written", () => {
    expect(notificationGoesToPlatform('SMDP.Example.NET:8443', ours)).toBe(true);
    expect(notificationGoesToPlatform('localhost:8443', ours)).toBe(true);
  });

  it('sends another SM-DP+ its own notifications', () => {
    expect(notificationGoesToPlatform('rsp.truphone.com', ours)).toBe(false);
    expect(notificationGoesToPlatform('smdp.example.net:9443', ours)).toBe(false);
    expect(notificationGoesToPlatform('invalid.example.com', ours)).toBe(false);
  });

  it('keeps addresses under .invalid (RFC 6761: never resolve) with the platform, e.g. factory-loaded profiles', () => {
    expect(notificationGoesToPlatform('smdp.cellgate.invalid', ours)).toBe(true);
    expect(notificationGoesToPlatform('smdp.cellgate.invalid:443', ours)).toBe(true);
  });
});
