import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './acl.js';
import { mosquittoAclFile } from './mosquitto-config.js';

const device = { username: 'dev1', role: 'device' as const };
const service = { username: 'svc.platform', role: 'service' as const };
const t = (id: string, kind: string): string => `cellgate/v1/devices/${id}/${kind}`;

describe('ACL', () => {
  it('lets a device publish only its own outbound topics', () => {
    for (const kind of ['status', 'events', 'esim/notifications', 'commands/res']) expect(mayPublish(device, t('dev1', kind))).toBe(true);
    for (const kind of ['commands/req', 'acks']) expect(mayPublish(device, t('dev1', kind))).toBe(false);
    expect(mayPublish(device, t('dev2', 'events'))).toBe(false);
    expect(mayPublish(device, 'cellgate/v1/devices/dev1')).toBe(false);
  });

  it('lets a device subscribe only to its own commands and acks, without wildcards', () => {
    expect(maySubscribe(device, t('dev1', 'commands/req'))).toBe(true);
    expect(maySubscribe(device, t('dev1', 'acks'))).toBe(true);
    for (const filter of [t('dev2', 'acks'), t('+', 'acks'), 'cellgate/v1/devices/dev1/#', '#', t('dev1', 'events')]) expect(maySubscribe(device, filter)).toBe(false);
  });

  it('gives the service every device but only the platform → device direction for publishing', () => {
    expect(maySubscribe(service, 'cellgate/v1/devices/#')).toBe(true);
    expect(maySubscribe(service, t('+', 'events'))).toBe(true);
    expect(maySubscribe(service, '#')).toBe(false);
    expect(mayPublish(service, t('dev9', 'commands/req'))).toBe(true);
    expect(mayPublish(service, t('dev9', 'status'))).toBe(false);
  });

  it('says the same in the Mosquitto ACL file', () => {
    const file = mosquittoAclFile([{ ...service, passwordHash: 'x', createdAt: 0 }]);
    expect(file).toContain('pattern write cellgate/v1/devices/%u/events');
    expect(file).toContain('pattern read cellgate/v1/devices/%u/acks');
    expect(file).toMatch(/user svc\.platform\ntopic read cellgate\/v1\/devices\/#\ntopic write cellgate\/v1\/devices\/\+\/commands\/req/);
  });
});
