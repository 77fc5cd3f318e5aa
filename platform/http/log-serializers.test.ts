import { describe, expect, it } from 'vitest';
import { loggableUrl } from './log-serializers.js';

describe('loggableUrl', () => {
  it('censors path and query parameters named like a secret', () => {
    expect(loggableUrl({ url: '/v1/subscribers/transfer_token/abc-123', params: { token: 'abc-123' } })).toBe('/v1/subscribers/transfer_token/[redacted]');
    expect(loggableUrl({ url: '/x/a%2Fb', params: { token: 'a/b' } })).toBe('/x/[redacted]');
    expect(loggableUrl({ url: '/v1/x?token=t0p&limit=5&Password=p', params: {} })).toBe('/v1/x?token=%5Bredacted%5D&limit=5&Password=%5Bredacted%5D');
  });

  it('keeps every other URL as it came', () => {
    expect(loggableUrl({ url: '/v1/subscribers/001010000000001', params: { imsi: '001010000000001' } })).toBe('/v1/subscribers/001010000000001');
    expect(loggableUrl({ url: '/v1/subscribers?limit=5&last_evaluated_key=0010', params: {} })).toBe('/v1/subscribers?limit=5&last_evaluated_key=0010');
  });
});
