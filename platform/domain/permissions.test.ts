import { describe, expect, it } from 'vitest';
import { isAllowed, parsePermission, type PermissionDocument } from './permissions.js';

const doc = (text: object): PermissionDocument => {
  const r = parsePermission(JSON.stringify(text));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('SAM permissions', () => {
  it('allows nothing by default', () => {
    expect(isAllowed(null, 'Subscriber:listSubscribers')).toBe(false);
    expect(isAllowed(doc({ statements: [] }), 'Subscriber:listSubscribers')).toBe(false);
  });

  it.each([
    ['*', 'Subscriber:getSubscriber', true],
    ['Subscriber:list*', 'Subscriber:listSubscribers', true],
    ['Subscriber:list*', 'Subscriber:listSessionEvents', true],
    ['Subscriber:list*', 'Subscriber:getSubscriber', false],
    ['Subscriber:*', 'Subscriber:terminateSubscriber', true],
    ['Subscriber:*', 'Operator:getOperator', false],
    ['Subscriber:getSubscriber', 'Subscriber:getSubscriberX', false],
  ])('allow %s → %s is %s', (pattern, api, expected) => {
    expect(isAllowed(doc({ statements: [{ effect: 'allow', api: pattern === '*' ? '*' : [pattern] }] }), api)).toBe(expected);
  });

  it('deny beats allow, in any order', () => {
    const a = doc({ statements: [{ effect: 'deny', api: ['Subscriber:terminate*'] }, { effect: 'allow', api: '*' }] });
    const b = doc({ statements: [{ effect: 'allow', api: '*' }, { effect: 'deny', api: ['Subscriber:terminate*'] }] });
    for (const d of [a, b]) {
      expect(isAllowed(d, 'Subscriber:terminateSubscriber')).toBe(false);
      expect(isAllowed(d, 'Subscriber:activateSubscriber')).toBe(true);
    }
  });

  it('never lets a SAM user near payment settings, even with "*"', () => {
    expect(isAllowed(doc({ statements: [{ effect: 'allow', api: '*' }] }), 'Payment:getPaymentMethod')).toBe(false);
    expect(isAllowed(doc({ statements: [{ effect: 'allow', api: ['Payment:*'] }] }), 'Payment:activatePaymentMethod')).toBe(false);
  });

  it.each([
    ['not json', '{'],
    ['no statements', '{}'],
    ['bad effect', '{"statements":[{"effect":"permit","api":"*"}]}'],
    ['bad api', '{"statements":[{"effect":"allow","api":"everything please"}]}'],
    ['empty api list', '{"statements":[{"effect":"allow","api":[]}]}'],
    ['unsupported condition', '{"statements":[{"effect":"allow","api":"*","condition":"ipAddress(\'10.0.0.0/8\')"}]}'],
  ])('refuses %s with USM0004', (_name, text) => {
    const r = parsePermission(text);
    expect(r.ok ? null : r.error.code).toBe('USM0004');
  });
});
