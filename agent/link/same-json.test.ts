import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from './same-json.js';

describe('sameJson', () => {
  it('agrees with comparing the JSON texts, key order and undefined members included', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', 'up')),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(sameJson(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells a changed nested field and a reordered object apart', () => {
    const status = { registration: { state: 'registered-home', rat: 'lte-m' }, session: { state: 'up', apn: 'soracom.io' } };
    expect(sameJson(status, { ...status, session: { ...status.session, state: 'down' } })).toBe(false);
    expect(sameJson(status, { session: status.session, registration: status.registration })).toBe(false);
    expect(sameJson(status, { ...status, signal: undefined })).toBe(true);
    // JSON.stringify([undefined]) is "[null]": an array element is never skipped.
    expect(sameJson([undefined], [null])).toBe(true);
    expect(sameJson([undefined], [])).toBe(false);
  });
});
