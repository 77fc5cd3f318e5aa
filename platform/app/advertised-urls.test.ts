import { describe, expect, it } from 'vitest';
import { advertisedHost, checkPublicUrl, isLoopbackHost, urlOf } from './advertised-urls.js';

const lan = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
  eth0: [
    { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
    { address: '192.0.2.10', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
  ],
} as unknown as Parameters<typeof advertisedHost>[1];

describe('advertised addresses', () => {
  it('a loopback or specific bind advertises itself; a wildcard bind the first LAN IPv4 address', () => {
    expect(advertisedHost('127.0.0.1', lan)).toBe('127.0.0.1');
    expect(advertisedHost('192.0.2.10', lan)).toBe('192.0.2.10');
    expect(advertisedHost('0.0.0.0', lan)).toBe('192.0.2.10');
    expect(advertisedHost('::', lan)).toBe('192.0.2.10');
  });

  it('falls back to the host name on a machine with no LAN address', () => {
    expect(advertisedHost('0.0.0.0', { lo: lan!.lo }, () => 'gw-7')).toBe('gw-7');
  });

  it('builds URLs, brackets IPv6, tells loopback apart', () => {
    expect(urlOf('mqtt', '::1', 1883)).toBe('mqtt://[::1]:1883');
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('192.0.2.10')).toBe(false);
  });

  it('checks configured public URLs', () => {
    expect(checkPublicUrl('mqtt://broker.example:1883', ['mqtt', 'mqtts'], '--public-mqtt-url')).toBe('mqtt://broker.example:1883');
    expect(checkPublicUrl('https://api.example/', ['http', 'https'], '--public-url')).toBe('https://api.example');
    expect(() => checkPublicUrl('broker.example', ['mqtt'], '--public-mqtt-url')).toThrow(/absolute URL/);
    expect(() => checkPublicUrl('http://x:1', ['mqtt'], '--public-mqtt-url')).toThrow(/must use mqtt/);
    expect(() => checkPublicUrl('mqtt://u:p@x:1', ['mqtt'], '--public-mqtt-url')).toThrow(/credentials/);
  });
});
