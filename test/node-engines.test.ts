/**
 * cellgate promises Node 20.12+, 22 and 24 (`engines` in package.json): a gateway on Debian's or
 * NodeSource's Node 20 must be able to run what it installs. A production dependency that needs a
 * newer Node breaks that promise quietly: fastify 5.12's `light-my-request` 6.8 pulled in
 * `cookie` 2 (ESM only, `engines: >=22`), which it `require()`s — on Node before 20.19 (no
 * require of ES modules) every `inject()` threw ERR_REQUIRE_ESM. package.json's `overrides` pins
 * `light-my-request` 6.6 (cookie 1, CommonJS) for that reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './support/built.js';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
}

const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
const ours = (lock.packages['']!.engines as { node: string }).node;

describe('Node versions', () => {
  it('every production dependency runs on every Node version package.json promises', () => {
    const narrower = Object.entries(lock.packages)
      .filter(([path, pkg]) => path !== '' && !pkg.dev)
      .map(([path, pkg]) => ({ path, node: Array.isArray(pkg.engines) ? undefined : pkg.engines?.node }))
      .filter((p): p is { path: string; node: string } => p.node !== undefined && !semver.subset(ours, p.node))
      .map((p) => `${p.path} needs node ${p.node}`);
    expect(narrower).toEqual([]);
  });

  it('the promise itself: Node 20.12, 22 and 24', () => {
    for (const version of ['20.12.0', '22.0.0', '24.0.0']) expect(semver.satisfies(version, ours)).toBe(true);
  });
});
