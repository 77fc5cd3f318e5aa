import { describe, expect, it } from 'vitest';
import { parseScenario } from '../simulator/fleet/index.js';
import { fileDescriptorProblem } from './fleet.js';

const scenario = (count: number, link: boolean) =>
  parseScenario(`name: fd\nduration: 1h\ngateways: { count: ${count} }\nagent: { link: ${link} }\n`);

describe('fleet open-file check', () => {
  it('refuses a linked fleet the open-file limit cannot hold, naming the remedies', () => {
    const problem = fileDescriptorProblem(scenario(10_000, true), undefined, false, 20_000);
    expect(problem).toMatch(/10000 gateways .* need about 51000 open files, and this process may open 20000/);
    expect(problem).toMatch(/ulimit -n 51200/);
    expect(problem).toMatch(/--shard/);
  });

  it('lets through what fits: small fleets, attach-only fleets, a shard', () => {
    expect(fileDescriptorProblem(scenario(2_000, true), undefined, false, 20_000)).toBeUndefined();
    expect(fileDescriptorProblem(scenario(10_000, false), undefined, false, 20_000)).toBeUndefined();
    expect(fileDescriptorProblem(scenario(10_000, true), { index: 1, count: 4 }, true, 20_000)).toBeUndefined();
  });
});
