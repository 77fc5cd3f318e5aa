import { describe, expect, it } from 'vitest';
import { duplicateKeys } from './json-keys.js';

describe('duplicateKeys', () => {
  it('finds a repeated key in one object, not the same key in different objects or in strings', () => {
    expect(duplicateKeys('{"component":"lpa","msg":"x","component":"lpa"}')).toEqual(['component']);
    expect(duplicateKeys('{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}],"s":"\\"k\\":1,\\"k\\":2"}')).toEqual([]);
    expect(duplicateKeys('{"a":[1,{"x":1,"x":2}]}')).toEqual(['x']);
  });
});
