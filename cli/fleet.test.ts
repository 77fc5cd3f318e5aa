import { describe, expect, it } from 'vitest';
import { parseScenario } from '../simulator/fleet/index.js';
import { fileDescriptorProblem } from './fleet.js';

const scenario = (count: number, link: boolean) =>
  parseScenario(`name: fd\nduration: 1h\ngateways: { count: ${count} }\nagent: { link: ${link} }\n`);

describe('fleet open-file check', () => {
  it('refuses a linked fleet the open-file limit cannot hold, naming the remedies', () => {
    // Loopback TCP: both ends of each connection (the outboxes share one database).
    const problem = fileDescriptorProblem(scenario(10_000, true), undefined, 'tcp', 20_000);
    expect(problem).toMatch(/10000 gateways .* need about 21000 open files, and this process may open 20000/);
    expect(problem).toMatch(/ulimit -n 21504/);
    expect(problem).toMatch(/--shard/);
    expect(fileDescriptorProblem(scenario(25_000, true), undefined, 'remote', 20_000)).toMatch(/25000 gateways .* need about 26000 open files/);
  });

  it('lets through what fits: in-process links, small fleets, attach-only fleets, a shard', () => {
    expect(fileDescriptorProblem(scenario(100_000, true), undefined, 'in-process', 20_000)).toBeUndefined();
    expect(fileDescriptorProblem(scenario(9_000, true), undefined, 'tcp', 20_000)).toBeUndefined();
    expect(fileDescriptorProblem(scenario(10_000, false), undefined, 'tcp', 20_000)).toBeUndefined();
    expect(fileDescriptorProblem(scenario(10_000, true), { index: 1, count: 4 }, 'remote', 20_000)).toBeUndefined();
  });
});
