import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../platform/domain/errors.js';

describe('error-code registry', () => {
  it('uses three letters + four digits', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[A-Z]{3}\d{4}$/);
  });

  it('documents every code in docs/api.md, and nothing else', () => {
    const path = join(import.meta.dirname, '..', 'docs', 'api.md');
    expect(existsSync(path)).toBe(true);
    const documented = new Set([...readFileSync(path, 'utf8').matchAll(/^\| `([A-Z]{3}\d{4})` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
